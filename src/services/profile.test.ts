import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClassifierCard } from '../core/differential/card';
import { reclassifyCell, verifyCells } from '../core/edits/gallery';
import { releaseRevision, watchRelease } from '../store/release';
import { selectAdaptationLine } from '../store/report';
import { createAppStore } from '../store/store';
import { KeyedDb } from './idb';
import { PROFILE_SETTINGS_KEY, ProfileService } from './profile';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const classifier = { name: 'wbc', sha256: 'a'.repeat(64), embedding: { name: 'embedding', dim: 4 } } as ClassifierCard;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A page: its store and profile service, started as the app starts it (after the batch's restore). */
async function page(before?: (store: ReturnType<typeof createAppStore>) => void) {
  const store = createAppStore(defaults);
  const profile = new ProfileService(store, classifier);
  before?.(store);
  await profile.start();
  return { store, profile };
}

const wbc = (id: string, x: number, score: number) => ({ id, cls: 'WBC' as const, score, box: { x1: x, y1: 100, x2: x + 80, y2: 180 }, origin: 'model' as const });

describe('the microscope profile service', () => {
  // each test a new device
  beforeEach(
    () =>
      new Promise<void>((resolve) => {
        const r = indexedDB.deleteDatabase('smearcount-profile');
        r.onsuccess = r.onerror = () => resolve();
      }),
  );

  it("refuses a file too large for a profile, saying its size as the browser's country writes it, and keeps the profile", async () => {
    const { profile } = await page();
    vi.stubGlobal('navigator', { language: 'de-DE' });
    try {
      // before: "(17.8 MB)" in a German lab
      await expect(profile.importFile(new Blob([new Uint8Array(17_800_000)]))).rejects.toThrow('(17,8 MB)');
    } finally {
      vi.unstubAllGlobals();
    }
    expect(JSON.parse(profile.exportJson()).cells).toEqual([]);
  });

  it('keeps a verified cell a higher WBC threshold hides (it was dropped, and lost for good at Clear session); a cell un-verified goes', async () => {
    const { store } = await page((st) => {
      const s = st.getState();
      s.setModel({ status: 'ready' });
      s.addImage({ id: 'a', name: 'a.jpg', bytes: 1 });
      const p = [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01];
      s.updateImage('a', { status: 'done', width: 640, height: 480, raw: [wbc('m0', 100, 0.95), wbc('m1', 300, 0.6)], wbc: { m0: p, m1: p }, emb: { m0: [1, 0, 0, 0], m1: [0, 1, 0, 0] } });
      s.edit('a', verifyCells, { ids: ['m0', 'm1'], verified: true, types: { m0: 'neutrophil', m1: 'neutrophil' } });
    });
    await sleep(200);
    expect(store.getState().adaptation.cells).toBe(2);
    // m1 (0.6) under a 0.9 threshold: hidden, still verified
    store.getState().setThreshold('WBC', 0.9);
    await sleep(200);
    expect(store.getState().adaptation.cells).toBe(2);
    // un-verified (m0, shown): it goes
    store.getState().edit('a', verifyCells, { ids: ['m0'], verified: false });
    await sleep(200);
    expect(store.getState().adaptation.cells).toBe(1);
  });

  it('after a reset, a cell of the batch verified again, or given another type, teaches the profile again (it was left out for good)', async () => {
    const { store, profile } = await page((st) => {
      const s = st.getState();
      s.setModel({ status: 'ready' });
      s.addImage({ id: 'a', name: 'a.jpg', bytes: 1 });
      const p = [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01];
      s.updateImage('a', { status: 'done', width: 640, height: 480, raw: [wbc('m0', 100, 0.95), wbc('m1', 300, 0.9), wbc('m2', 500, 0.9)], wbc: { m0: p, m1: p, m2: p }, emb: { m0: [1, 0, 0, 0], m1: [0, 1, 0, 0], m2: [0, 0, 1, 0] } });
      s.edit('a', verifyCells, { ids: ['m0', 'm1', 'm2'], verified: true, types: { m0: 'neutrophil', m1: 'neutrophil', m2: 'neutrophil' } });
    });
    await sleep(200);
    expect(store.getState().adaptation.cells).toBe(3);
    profile.reset();
    await sleep(200);
    expect(store.getState().adaptation.cells).toBe(0);
    // still verified as they were: still left out
    store.getState().edit('a', verifyCells, { ids: ['m2'], verified: true, types: { m2: 'neutrophil' } });
    await sleep(200);
    expect(store.getState().adaptation.cells).toBe(0);
    // m0 taken back, then verified again (V twice in the gallery): learnt
    store.getState().edit('a', verifyCells, { ids: ['m0'], verified: false });
    await sleep(200);
    store.getState().edit('a', verifyCells, { ids: ['m0'], verified: true, types: { m0: 'neutrophil' } });
    await sleep(200);
    expect(store.getState().adaptation.cells).toBe(1);
    // m1's type corrected (Shift+2 in the gallery): a new verification, learnt
    store.getState().edit('a', reclassifyCell, { id: 'm1', to: 'lymphocyte' });
    await sleep(200);
    expect(store.getState().adaptation.cells).toBe(2);
    expect(JSON.parse(profile.exportJson()).cells.map((c: { type: string }) => c.type).sort()).toEqual(['lymphocyte', 'neutrophil']);
  });

  it('on a device with no profile yet, keeps the settings in force when it starts (a rule set while the page started, the restored batch’s), and a later save does not write the defaults over them', async () => {
    const first = await page((store) => {
      store.getState().setCountRule('top-left');
      store.getState().setFixedScale(1.25);
    });
    expect(JSON.parse(first.profile.exportJson())).toMatchObject({ countRule: 'top-left', fixedScale: 1.25 });
    // any later save (a name, a verified cell) wrote the profile as it stood at the page's start
    first.profile.setName('Bench 1');
    await sleep(50);
    const next = await page();
    expect(next.store.getState().postprocess.countRule).toBe('top-left');
    expect(next.store.getState().fixedScale).toBe(1.25);
    expect(next.profile.current().name).toBe('Bench 1');
  });

  it('a count rule and scale set just before the page goes survive the reload, though the profile’s save never committed (first-use audit)', async () => {
    const m = new Map<string, string>();
    Object.defineProperty(globalThis, 'localStorage', { value: { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, String(v)), removeItem: (k: string) => void m.delete(k) }, configurable: true });
    try {
      const first = await page();
      first.profile.setName('Bench 1');
      await sleep(50);
      // the page goes before IndexedDB commits: the profile's save never settles
      const put = vi.spyOn(KeyedDb.prototype, 'put').mockImplementation(() => new Promise<void>(() => undefined));
      first.store.getState().setFixedScale(0.5);
      first.store.getState().setCountRule('interior');
      put.mockRestore();
      const next = await page();
      // before: the stored profile's "all" and estimated magnification came back
      expect([next.store.getState().postprocess.countRule, next.store.getState().fixedScale, next.profile.current().name]).toEqual(['interior', 0.5, 'Bench 1']);
      // saved by the page that read it, and then the copy goes
      await sleep(50);
      expect(m.has(PROFILE_SETTINGS_KEY)).toBe(false);
      const third = await page();
      expect([third.store.getState().postprocess.countRule, third.store.getState().fixedScale]).toEqual(['interior', 0.5]);
    } finally {
      Reflect.deleteProperty(globalThis, 'localStorage');
    }
  });

  it('a release resting on adapted WBC types is the same release after a reload: the probabilities refitted are the ones released (audit 2026-12-06, differential)', async () => {
    // the revision covers each WBC's probability (store/release): a refit that gave other numbers on the same
    // cells would withdraw every such release at each reload
    const NEU = [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01];
    const raw = Array.from({ length: 14 }, (_, i) => wbc(`m${i}`, 10 + i * 40, 0.95));
    // the model reads every cell a neutrophil; half are lymphocytes (the second axis of their embedding)
    const emb = Object.fromEntries(raw.map((d, i) => [d.id, i % 2 ? [0.1 * (i % 3), 1, 0, 0.05 * i] : [1, 0.1 * (i % 3), 0.05 * i, 0]]));
    const image = (st: ReturnType<typeof createAppStore>) => {
      const s = st.getState();
      s.setModel({ status: 'ready' });
      s.addImage({ id: 'a', name: 'a.jpg', bytes: 1 });
      s.updateImage('a', { status: 'done', width: 640, height: 480, raw, wbc: Object.fromEntries(raw.map((d) => [d.id, NEU])), emb });
    };
    const first = await page((st) => {
      image(st);
      // twelve verified, the last two left to the model (their types, or only how sure it is, move with the profile)
      for (let i = 0; i < 12; i++) st.getState().edit('a', reclassifyCell, { id: `m${i}`, to: i % 2 ? 'lymphocyte' : 'neutrophil' });
    });
    await sleep(300);
    const adapted = first.store.getState().images.a.adapted;
    expect(adapted?.m13).toBeDefined();
    expect(adapted!.m13).not.toEqual(NEU);
    watchRelease(first.store);
    first.store.getState().setSample({ id: 'S-1' });
    first.store.getState().releaseReport('AB');
    const released = first.store.getState().sample;
    // the reload: the saved batch (its adapted probabilities too) and the record, then the profile starts
    const saved = structuredClone(first.store.getState().images.a);
    const second = await page((st) => {
      image(st);
      st.getState().updateImage('a', { edits: saved.edits, history: saved.history, adapted: saved.adapted });
      st.setState({ sample: released });
      watchRelease(st);
    });
    await sleep(300);
    expect(second.store.getState().images.a.adapted).toEqual(adapted);
    expect(second.store.getState().sample).toMatchObject({ verifiedAt: released.verifiedAt, withdrawn: '' });
    expect(releaseRevision(second.store.getState())).toBe(released.releasedRevision);
  });

  it('a release covers the report’s line on adaptation: renaming the profile withdraws it and says why; read again after a reload it stands (audit 2026-12-06, report)', async () => {
    // the Method prints "WBC classifier adapted to this microscope from 12 verified cells (microscope profile
    // “Bench 1”)": renamed after the release, no probability moves, and the signed line changed without a word
    const NEU = [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01];
    const raw = Array.from({ length: 14 }, (_, i) => wbc(`m${i}`, 10 + i * 40, 0.95));
    const emb = Object.fromEntries(raw.map((d, i) => [d.id, i % 2 ? [0.1 * (i % 3), 1, 0, 0.05 * i] : [1, 0.1 * (i % 3), 0.05 * i, 0]]));
    const first = await page((st) => {
      const s = st.getState();
      s.setModel({ status: 'ready' });
      s.addImage({ id: 'a', name: 'a.jpg', bytes: 1 });
      s.updateImage('a', { status: 'done', width: 640, height: 480, raw, wbc: Object.fromEntries(raw.map((d) => [d.id, NEU])), emb });
      for (let i = 0; i < 12; i++) st.getState().edit('a', reclassifyCell, { id: `m${i}`, to: i % 2 ? 'lymphocyte' : 'neutrophil' });
    });
    first.profile.setName('Bench 1');
    await sleep(300);
    expect(selectAdaptationLine(first.store.getState())).toBe('WBC classifier adapted to this microscope from 12 verified cells (microscope profile “Bench 1”)');
    watchRelease(first.store);
    first.store.getState().setSample({ id: 'S-1' });
    first.store.getState().releaseReport('AB');
    const released = first.store.getState().sample;
    expect(released.releasedAdaptation).toBe(selectAdaptationLine(first.store.getState()));

    // a reload: the batch and the record are back before the profile is read; the release stands throughout
    const saved = structuredClone(first.store.getState().images.a);
    const second = await page((st) => {
      const s = st.getState();
      s.setModel({ status: 'ready' });
      s.addImage({ id: 'a', name: 'a.jpg', bytes: 1 });
      s.updateImage('a', { status: 'done', width: 640, height: 480, raw, wbc: Object.fromEntries(raw.map((d) => [d.id, NEU])), emb, edits: saved.edits, history: saved.history, adapted: saved.adapted });
      st.setState({ sample: released });
      // not read yet: the line released stands in, so the restore's check finds the revision released
      expect(st.getState().adaptation.loaded).toBe(false);
      expect(releaseRevision(st.getState())).toBe(released.releasedRevision);
      watchRelease(st);
    });
    await sleep(300);
    expect(second.store.getState().adaptation.loaded).toBe(true);
    expect(second.store.getState().sample).toMatchObject({ verifiedAt: released.verifiedAt, withdrawn: '' });

    // renamed: nothing else moves, and the release goes with the words it rested on
    const images = second.store.getState().images;
    second.profile.setName('Bench 2');
    expect(second.store.getState().images).toBe(images);
    expect(second.store.getState().sample.verifiedAt).toBeNull();
    expect(second.store.getState().sample.withdrawn).toBe(
      'microscope profile changed what the report says of adaptation (“WBC classifier adapted to this microscope from 12 verified cells (microscope profile “Bench 1”)” → “WBC classifier adapted to this microscope from 12 verified cells (microscope profile “Bench 2”)”)',
    );
  });
});
