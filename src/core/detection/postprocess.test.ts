import { describe, expect, it } from 'vitest';
import type { CellClass } from './classes';
import type { Detection } from './detection';
import { nms, postprocess } from './postprocess';

const det = (id: string, cls: CellClass, score: number, x: number, w = 10): Detection => ({
  id,
  cls,
  score,
  box: { x1: x, y1: 0, x2: x + w, y2: w },
  origin: 'model',
});
const params = (t: Partial<Record<CellClass, number>> = {}, nmsIou = 0.5, crossClassNms = false) => ({
  scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5, ...t },
  nmsIou,
  crossClassNms,
  countRule: 'all' as const,
});

describe('nms', () => {
  it('keeps the best of overlapping boxes, in score order', () => {
    const d = [det('a', 'RBC', 0.6, 0), det('b', 'RBC', 0.9, 1), det('c', 'RBC', 0.7, 50)];
    expect(nms(d, 0.5).map((x) => x.id)).toEqual(['b', 'c']);
  });
  it('does not let a suppressed box suppress others', () => {
    // b overlaps a and c; a and c do not overlap each other.
    const d = [det('a', 'RBC', 0.9, 0), det('b', 'RBC', 0.8, 4), det('c', 'RBC', 0.7, 8)];
    expect(nms(d, 0.3).map((x) => x.id)).toEqual(['a', 'c']);
  });
  it('breaks score ties by input order', () => {
    const d = [det('a', 'RBC', 0.8, 0), det('b', 'RBC', 0.8, 1)];
    expect(nms(d, 0.5).map((x) => x.id)).toEqual(['a']);
  });
  it('uses a strict IoU comparison', () => {
    // IoU of these two is exactly 0.5 (10x10 boxes offset so that inter=... ) -> compute: offset 10/3
    const a = det('a', 'RBC', 0.9, 0);
    const b = { ...det('b', 'RBC', 0.8, 0), box: { x1: 0, y1: 0, x2: 10, y2: 5 } }; // IoU = 50/100 = 0.5
    expect(nms([a, b], 0.5)).toHaveLength(2);
    expect(nms([a, b], 0.49)).toHaveLength(1);
  });
});

describe('postprocess', () => {
  it('applies per-class thresholds', () => {
    const d = [det('a', 'RBC', 0.4, 0), det('b', 'WBC', 0.4, 100), det('c', 'Platelets', 0.95, 200)];
    expect(postprocess(d, params({ RBC: 0.3 })).map((x) => x.id)).toEqual(['c', 'a']); // score order
    expect(postprocess(d, params({ Platelets: 0.96 })).map((x) => x.id)).toEqual([]);
  });
  it('runs NMS within a class only, unless cross-class NMS is on', () => {
    const d = [det('a', 'RBC', 0.9, 0), det('b', 'WBC', 0.8, 1)];
    expect(postprocess(d, params()).map((x) => x.id)).toEqual(['a', 'b']);
    expect(postprocess(d, params({}, 0.5, true)).map((x) => x.id)).toEqual(['a']);
  });
  it('thresholds before NMS, so a filtered box suppresses nothing', () => {
    const d = [det('a', 'WBC', 0.6, 0), det('b', 'RBC', 0.55, 1)];
    expect(postprocess(d, params({ WBC: 0.7 }, 0.5, true)).map((x) => x.id)).toEqual(['b']);
  });
  it('is pure', () => {
    const d = [det('a', 'RBC', 0.9, 0), det('b', 'RBC', 0.8, 1)];
    const copy = structuredClone(d);
    postprocess(d, params());
    expect(d).toEqual(copy);
  });
});
