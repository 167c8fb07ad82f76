import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { nextUncertain, uncertaintyOrder } from './review';

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
