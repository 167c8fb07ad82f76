import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/adapt/adapt';
import type { CellClass } from '../core/detection/classes';
import type { Detection } from '../core/detection/detection';
import { opticsArtefacts } from '../core/quality/optics';
import { createAppStore } from '../store/store';
import { watchOptics } from './optics';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };

const det = (id: string, cls: CellClass, cx: number, cy: number, d: number): Detection => ({
  id,
  cls,
  score: 0.95,
  origin: 'model',
  box: { x1: cx - d / 2, y1: cy - d / 2, x2: cx + d / 2, y2: cy + d / 2 },
});

/** 20 fields of one camera, RBCs spread apart at random (few overlaps for NMS), a speck at (552, 76) in six. */
function batch() {
  const r = seededRandom(3);
  const speck = [2, 5, 6, 11, 14, 17];
  return Array.from({ length: 20 }, (_, i) => {
    const raw: Detection[] = [];
    for (let k = 0; k < 24; k++) raw.push(det(`m${k}`, 'RBC', 40 + (k % 6) * 100 + (r() - 0.5) * 30, 50 + Math.floor(k / 6) * 110 + (r() - 0.5) * 30, 62 + r() * 10));
    raw.push(det('m24', 'Platelets', 30 + r() * 580, 30 + r() * 420, 15));
    if (speck.includes(i)) raw.push(det('m25', 'Platelets', 552 + (r() - 0.5) * 2, 76 + (r() - 0.5) * 2, 16));
    return { id: `i${i}`, raw, speck: speck.includes(i) };
  });
}

describe('watchOptics', () => {
  it('waits while the batch runs, and applies the rule as soon as its last image is counted', () => {
    const store = createAppStore(defaults);
    const stop = watchOptics(store, 60_000); // a delay no test waits for: only the settle can run it
    try {
      const fields = batch();
      for (const f of fields) store.getState().addImage({ id: f.id, name: `${f.id}.jpg`, bytes: 1 });
      for (const f of fields.slice(0, -1)) store.getState().updateImage(f.id, { status: 'done', width: 640, height: 480, raw: f.raw });
      expect(fields.map((f) => store.getState().images[f.id].optics)).toEqual(fields.map(() => undefined));
      const last = fields[fields.length - 1];
      store.getState().updateImage(last.id, { status: 'done', width: 640, height: 480, raw: last.raw });
      // no timer has run: the settle itself applied the rule, as the core computes it
      const want = opticsArtefacts(fields.map((f) => ({ width: 640, height: 480, cells: f.raw })));
      expect(fields.map((f) => store.getState().images[f.id].optics)).toEqual(want.map((ids) => (ids.length ? ids : undefined)));
      expect(want.flat().length).toBeGreaterThanOrEqual(5);
      expect(want.every((ids, i) => ids.every((id) => id === 'm25' && fields[i].speck))).toBe(true);
    } finally {
      stop();
    }
  });
});
