import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { ClassifierCard } from '../core/differential/card';
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

describe('the microscope profile service', () => {
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
