import { describe, expect, it } from 'vitest';
import type { CellClass } from './classes';
import type { Detection } from './detection';
import { applyCountRule, COUNT_RULE_LABELS, COUNT_RULES, cutEdges, excludedByCountRule, isCountRule, nms, postprocess } from './postprocess';

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

describe('the two-edge count rule (top-left)', () => {
  const W = 640;
  const H = 480;
  const at = (x1: number, y1: number, x2: number, y2: number, cls = 'RBC') => ({ cls, box: { x1, y1, x2, y2 } });
  const inside = at(300, 200, 340, 240);
  const top = at(300, 0, 340, 30);
  const left = at(0, 200, 30, 240);
  const bottom = at(300, 450, 340, H);
  const right = at(610, 200, W, 240);
  const topRight = at(610, 0, W, 30);
  const bottomLeft = at(0, 450, 30, H);
  const topLeft = at(0, 0, 30, 30);
  const all = [inside, top, left, bottom, right, topRight, bottomLeft, topLeft];

  it('counts cells cut by the top or left edge and leaves out those cut by the bottom or right edge', () => {
    expect(applyCountRule(all, 'top-left', W, H)).toEqual([inside, top, left, topLeft]);
    // A cell that touches a forbidden edge is left out even when it also touches an allowed one.
    expect(excludedByCountRule(all, 'top-left', W, H)).toEqual([bottom, right, topRight, bottomLeft]);
  });

  it('counts each cell of a field cut in two tiles exactly once', () => {
    // A 640x480 field split into left and right 320-wide tiles: a cell straddling the seam is cut by
    // the left tile's right edge (left out) and the right tile's left edge (counted).
    const cells = [at(100, 100, 140, 140), at(300, 200, 340, 240), at(500, 300, 540, 340), at(600, 0, 640, 30)];
    const tile = (x0: number) =>
      cells
        .filter((c) => c.box.x2 > x0 && c.box.x1 < x0 + 320)
        .map((c) => at(Math.max(0, c.box.x1 - x0), c.box.y1, Math.min(320, c.box.x2 - x0), c.box.y2));
    const counted = applyCountRule(tile(0), 'top-left', 320, H).length + applyCountRule(tile(320), 'top-left', 320, H).length;
    // The cell at the field's right edge is also cut in the whole field: the rule leaves it to the next field.
    expect(counted).toBe(3);
    expect(applyCountRule(cells, 'top-left', W, H)).toHaveLength(3);
  });

  it('keeps the rule list, labels and excluded boxes consistent with the counted ones', () => {
    expect(Object.keys(COUNT_RULES).sort()).toEqual(Object.keys(COUNT_RULE_LABELS).sort());
    expect(isCountRule('top-left')).toBe(true);
    expect(isCountRule('edges')).toBe(false);
    for (const rule of Object.keys(COUNT_RULES) as (keyof typeof COUNT_RULES)[]) {
      expect(applyCountRule(all, rule, W, H).length + excludedByCountRule(all, rule, W, H).length).toBe(all.length);
    }
    expect(excludedByCountRule(all, 'all', W, H)).toEqual([]);
    expect(cutEdges(topRight, W, H)).toEqual({ top: true, left: false, bottom: false, right: true });
  });
});
