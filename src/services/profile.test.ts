import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClassifierCard } from '../core/differential/card';
import { verifyCells } from '../core/edits/gallery';
import { createAppStore } from '../store/store';
import { ProfileService } from './profile';

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
});
