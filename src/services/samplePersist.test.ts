import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../store/store';
import { ADULT_REFERENCE, DEFAULT_RULES } from '../core/differential/rules';
import { KeyedDb, openKeyed } from './idb';
import { AUDIT_JOURNAL_KEY, LAB_JOURNAL_KEY, SAMPLE_RECORD_KEY, SamplePersistence } from './samplePersist';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

/** An open that fails the first `failures` times (a blocked or refused IndexedDB), then works. */
function flakyOpen(failures: number) {
  let calls = 0;
  const open = (name: string, store: string) => (++calls <= failures ? Promise.reject(new Error('open refused')) : openKeyed(name, store));
  return { open, calls: () => calls };
}

describe('SamplePersistence', () => {
  it("storage full: the notice says the record (release, audit trail) was not saved, why in plain words, and what to do", async () => {
    // audit 2026-12-06, input: it read "The sample record was not saved (The quota has been exceeded.)"
    const full = () => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    const store = createAppStore(defaults);
    const p = new SamplePersistence(store, memoryStorage(), full);
    store.getState().setSample({ id: 'S-1' });
    await p.flush();
    const [n] = store.getState().notices;
    expect(n.kind).toBe('error');
    expect(n.message).toMatch(/^The sample record \(its release and audit trail\) was not saved: the storage this browser gives the app on this device is full\. .*remove images you no longer need.*tried again by itself, and at the next change/);
    expect(n.message).not.toMatch(/quota has been exceeded/);
  });
  it('a sample ID typed just before a reload survives it (no timer, no flush: the synchronous copy)', async () => {
    const storage = memoryStorage();
    const a = createAppStore(defaults);
    const pa = new SamplePersistence(a, storage);
    pa.start();
    a.getState().setSample({ id: 'S-2026-001' });
    // the page goes now: the 200 ms timer never fires and no IndexedDB write commits
    const b = createAppStore(defaults);
    await new SamplePersistence(b, storage).restore();
    expect(b.getState().sample.id).toBe('S-2026-001');
    // clearing the session empties the copy too
    a.getState().clearSample();
    expect(JSON.parse(storage.getItem(SAMPLE_RECORD_KEY)!)).toMatchObject({ id: '' });
  });

  it('keeps the IndexedDB record and audit trail as before, the copy winning for the record', async () => {
    const storage = memoryStorage();
    const a = createAppStore(defaults);
    const pa = new SamplePersistence(a, storage);
    pa.start();
    a.getState().setSample({ id: 'S-3', operator: 'CD' });
    a.getState().logAudit([{ at: 't', image: 'x.jpg', action: 'delete', cell: 'm0', field: 'deleted', from: 'no', to: 'yes' }]);
    await pa.flush();
    const b = createAppStore(defaults);
    await new SamplePersistence(b, memoryStorage()).restore();
    expect(b.getState().sample).toMatchObject({ id: 'S-3', operator: 'CD' });
    // the record's two fields, each an entry of its own, and the edit
    expect(b.getState().audit.map((e) => [e.field, e.cell, e.to])).toEqual([
      ['sample', 'id', 'S-3'],
      ['sample', 'operator', 'CD'],
      ['deleted', 'm0', 'yes'],
    ]);
  });

  it("the lab's name on the report is the lab's setting: kept across a reload and a cleared sample", async () => {
    const a = createAppStore(defaults);
    const pa = new SamplePersistence(a, memoryStorage());
    pa.start();
    a.getState().setLabName('Haematology, St Elsewhere');
    a.getState().clearSample();
    await pa.flush();
    const b = createAppStore(defaults);
    await new SamplePersistence(b, memoryStorage()).restore();
    expect(b.getState().labName).toBe('Haematology, St Elsewhere');
  });

  it("the smear estimates' factors survive a reload, so a released report keeps its estimates and its revision (audit 2026-12-05)", async () => {
    const a = createAppStore(defaults);
    const pa = new SamplePersistence(a, memoryStorage());
    pa.start();
    a.getState().setEstimateFactor('Platelets', 15000);
    await pa.flush();
    const b = createAppStore(defaults);
    await new SamplePersistence(b, memoryStorage()).restore();
    expect(b.getState().estimateFactors).toEqual({ WBC: null, Platelets: 15000 });
  });

  it('a factor saved by an older version or edited by hand is restored only if a typed one would be accepted; one that is not is dropped with a notice (audit 2026-12-06, report)', async () => {
    // restored unchecked: 5e6/µL per cell per field (a slip no typed factor passes) made an estimate a thousand
    // times too high, and the text "15000" was dropped without a word
    const storage = memoryStorage();
    storage.setItem(LAB_JOURNAL_KEY, JSON.stringify({ diffRules: DEFAULT_RULES, reference: ADULT_REFERENCE, labName: '', estimateFactors: { WBC: 5e6, Platelets: '15000' } }));
    const b = createAppStore(defaults);
    await new SamplePersistence(b, storage, (name, st) => openKeyed(`${name}-factors`, st)).restore();
    expect(b.getState().estimateFactors).toEqual({ WBC: null, Platelets: null });
    expect(b.getState().notices.map((n) => [n.kind, n.message])).toEqual([
      ['warning', "The WBC smear estimate's factor saved with the lab's settings was not used: 5,000,000/µL is past any field factor (at most 1,000,000). The estimate is off until a factor is typed in the counts panel."],
      ['warning', 'The platelet smear estimate\'s factor saved with the lab\'s settings was not used: "15000" is not a number. The estimate is off until a factor is typed in the counts panel.'],
    ]);
    // one a typed factor passes is kept, with no notice
    storage.setItem(LAB_JOURNAL_KEY, JSON.stringify({ diffRules: DEFAULT_RULES, reference: ADULT_REFERENCE, labName: '', estimateFactors: { WBC: 2000, Platelets: null } }));
    const c = createAppStore(defaults);
    await new SamplePersistence(c, storage, (name, st) => openKeyed(`${name}-factors2`, st)).restore();
    expect(c.getState().estimateFactors).toEqual({ WBC: 2000, Platelets: null });
    expect(c.getState().notices).toEqual([]);
  });

  it('a failed IndexedDB open is retried on the next use, not kept for the page', async () => {
    const f = flakyOpen(1);
    const a = createAppStore(defaults);
    const pa = new SamplePersistence(a, null, f.open);
    await expect(pa.restore()).rejects.toThrow('open refused');
    pa.start();
    a.getState().setSample({ id: 'S-4' });
    await pa.flush();
    expect(a.getState().notices.filter((n) => n.source === 'save')).toHaveLength(0);
    expect(f.calls()).toBe(2);
    const b = createAppStore(defaults);
    await new SamplePersistence(b, null).restore();
    expect(b.getState().sample.id).toBe('S-4');
  });

  it('KeyedDb opens again after the connection closes', async () => {
    const f = flakyOpen(0);
    const db = new KeyedDb('kd-close', 'v', f.open);
    await db.put('k', 1);
    db.handle!.close();
    db.handle!.onclose?.(new Event('close'));
    await db.put('k', 2);
    expect(await db.get<number>('k')).toBe(2);
    expect(f.calls()).toBe(2);
  });
  it('an audit entry made just before the page goes survives it (Remove image, then a reload at once): the trail is journaled on page hide', async () => {
    const storage = memoryStorage();
    const open = (name: string, store: string) => openKeyed(`${name}-journal`, store);
    const a = createAppStore(defaults);
    const pa = new SamplePersistence(a, storage, open);
    a.getState().setSample({ id: 'S-9' });
    await pa.flush();
    const removal = { at: '2026-12-06T14:00:00.000Z', image: 'field-3.jpg', action: 'remove-image', cell: '', field: 'image' as const, from: 'RBC 20, WBC 1, PLT 2', to: 'removed' };
    a.getState().logAudit([removal]);
    // the page goes now: page hide journals synchronously; its IndexedDB write never commits
    pa.journal();
    const b = createAppStore(defaults);
    const pb = new SamplePersistence(b, storage, open);
    await pb.restore();
    expect(b.getState().audit.at(-1)).toEqual(removal);
    // the restored trail is written to IndexedDB, and then the journal goes
    await pb.flush();
    expect(storage.getItem(AUDIT_JOURNAL_KEY)).toBeNull();
    const c = createAppStore(defaults);
    await new SamplePersistence(c, memoryStorage(), open).restore();
    expect(c.getState().audit.at(-1)).toEqual(removal);
  });
  it("the lab's name changed just before the page goes survives it: page hide journals the lab's settings too (audit 2026-12-06, release)", async () => {
    // renamed, released, and the page gone before IndexedDB committed: the release (in the synchronous copy) came
    // back under the old name, which heads every printed page
    const storage = memoryStorage();
    const open = (name: string, store: string) => openKeyed(`${name}-labname`, store);
    const a = createAppStore(defaults);
    const pa = new SamplePersistence(a, storage, open);
    a.getState().setLabName('Old Lab');
    await pa.flush();
    expect(storage.getItem(LAB_JOURNAL_KEY)).toBeNull();
    // nothing changed since the commit: page hide writes no lab journal
    pa.journal();
    expect(storage.getItem(LAB_JOURNAL_KEY)).toBeNull();
    a.getState().setLabName('Haematology, St Mary');
    a.getState().setEstimateFactor('WBC', 2000);
    pa.journal(); // page hide; the IndexedDB write never commits
    const b = createAppStore(defaults);
    const pb = new SamplePersistence(b, storage, open);
    await pb.restore();
    expect(b.getState().labName).toBe('Haematology, St Mary');
    expect(b.getState().estimateFactors.WBC).toBe(2000);
    // written to IndexedDB on the next write, and then the journal goes
    await pb.flush();
    expect(storage.getItem(LAB_JOURNAL_KEY)).toBeNull();
    const c = createAppStore(defaults);
    await new SamplePersistence(c, memoryStorage(), open).restore();
    expect(c.getState().labName).toBe('Haematology, St Mary');
  });
  it('storage full: the audit trail and the lab settings of a write that failed survive a crash, and the write is retried by itself', async () => {
    // audit 2026-12-06: a failed write was only retried at the next change, and the trail and the lab's settings
    // lived in IndexedDB alone: a tab that crashed before then lost them
    const storage = memoryStorage();
    let full = true;
    const open = (name: string, st: string) => (full ? Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')) : openKeyed(name, st));
    const a = createAppStore(defaults);
    const pa = new SamplePersistence(a, storage, open, 20);
    pa.start();
    a.getState().setLabName('Haematology, St Elsewhere');
    a.getState().logAudit([{ at: 't', image: 'x.jpg', action: 'delete', cell: 'm4', field: 'deleted', from: 'no', to: 'yes' }]);
    await pa.flush();
    expect(a.getState().notices.map((n) => n.message)).toEqual([expect.stringMatching(/^The sample record .* full/)]);
    expect(storage.getItem(AUDIT_JOURNAL_KEY)).toContain('m4');
    expect(storage.getItem(LAB_JOURNAL_KEY)).toContain('St Elsewhere');
    // the tab crashes now: a new page, its IndexedDB still refusing, has both
    const b = createAppStore(defaults);
    await expect(new SamplePersistence(b, storage, open).restore()).rejects.toThrow(/quota/);
    expect(b.getState().labName).toBe('Haematology, St Elsewhere');
    expect(b.getState().audit.map((e) => e.cell)).toEqual(['m4']);
    // room again: the first page's retry (no further change) saves, the notice goes, the journals go
    full = false;
    for (let i = 0; i < 100 && a.getState().notices.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(a.getState().notices).toEqual([]);
    expect(storage.getItem(LAB_JOURNAL_KEY)).toBeNull();
    const c = createAppStore(defaults);
    await new SamplePersistence(c, memoryStorage()).restore();
    expect(c.getState().labName).toBe('Haematology, St Elsewhere');
    expect(c.getState().audit.map((e) => e.cell)).toEqual(['m4']);
  });
});
