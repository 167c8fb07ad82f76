import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { belowThreshold, nextUncertain, uncertaintyOrder } from './review';

const p = { scoreThresholds: { RBC: 0.5, WBC: 0.8, Platelets: 0.3 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const d = (id: string, cls: Detection['cls'], score: number, origin: Detection['origin'] = 'model'): Detection => ({
  id, cls, score, origin, box: { x1: 0, y1: 0, x2: 1, y2: 1 },
});

describe('confidence triage', () => {
  const dets = [d('a', 'RBC', 0.99), d('b', 'WBC', 0.82), d('c', 'Platelets', 0.45), d('u0', 'RBC', 1, 'manual')];
  it('orders model detections by closeness to their class threshold', () => {
    expect(uncertaintyOrder(dets, p).map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });
  it('steps through them and stops at the end', () => {
    expect(nextUncertain(dets, p, null)?.id).toBe('b');
    expect(nextUncertain(dets, p, 'b')?.id).toBe('c');
    expect(nextUncertain(dets, p, 'a')).toBeNull();
  });
});

describe('the band below the threshold', () => {
  const at = (id: string, cls: Detection['cls'], score: number, x: number): Detection => ({ id, cls, score, origin: 'model', box: { x1: x, y1: 0, x2: x + 20, y2: 20 } });
  // RBC threshold 0.5: m1 is shown, m2 (0.42) and m3 (0.38) are under it, m4 (0.2) is far under,
  // m5 (0.45) overlaps the shown m1 (a duplicate NMS removes)
  const raw = [at('m1', 'RBC', 0.9, 0), at('m2', 'RBC', 0.42, 100), at('m3', 'RBC', 0.38, 200), at('m4', 'RBC', 0.2, 300), at('m5', 'RBC', 0.45, 2)];
  const shown = raw.filter((x) => x.score >= 0.5);
  it('proposes model boxes within the band under their threshold, not duplicates of shown boxes, not decided ones', () => {
    expect(belowThreshold(raw, p, 0.15, new Set(['m1'])).map((x) => x.id)).toEqual(['m2', 'm3']);
    expect(belowThreshold(raw, p, 0.1, new Set(['m1'])).map((x) => x.id)).toEqual(['m2']);
    expect(belowThreshold(raw, p, 0.15, new Set(['m1', 'm2'])).map((x) => x.id)).toEqual(['m3']);
    expect(belowThreshold(raw, p, 0, new Set())).toEqual([]);
  });
  it('U visits them with the shown boxes, closest to the threshold first', () => {
    const below = belowThreshold(raw, p, 0.15, new Set(['m1']));
    // before: U never reached a box under the threshold
    expect(uncertaintyOrder(shown, p, 0, 0.15).map((x) => x.id)).toEqual([]);
    expect(uncertaintyOrder(shown, p, 0, 0.15, [], below).map((x) => x.id)).toEqual(['m2', 'm3']);
    expect(nextUncertain(shown, p, 'm2', 0, 0.15, [], below)?.id).toBe('m3');
  });
});
