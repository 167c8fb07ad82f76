import { describe, expect, it } from 'vitest';
import type { Detection } from './detection';
import { applyCountRule, borderTolerancePx, isCutByBorder } from './postprocess';
import { detectWithScale, estimateRatio, median, secondPassScale, type ScaleConfig } from './scale';

const cfg: ScaleConfig = {
  referenceRbcPx: 80,
  tolerance: 1.25,
  estimateMinScore: 0.5,
  estimateMinCells: 3,
  maxPixels: 1024 * 768,
  minScale: 0.1,
  maxScale: 4,
};
let n = 0;
const cell = (cls: Detection['cls'], x: number, y: number, size: number, score = 0.9): Detection => ({
  id: `m${n++}`,
  cls,
  score,
  box: { x1: x, y1: y, x2: x + size, y2: y + size },
  origin: 'model',
});

describe('estimateRatio', () => {
  it('is the median interior RBC size over the reference, in model pixels', () => {
    // image pixels at scale 0.5: 200 px RBCs are 100 model px = 1.25x the reference
    const dets = [cell('RBC', 100, 100, 200), cell('RBC', 400, 100, 180), cell('RBC', 700, 100, 220), cell('WBC', 100, 400, 400)];
    expect(estimateRatio(dets, 1280, 960, 0.5, cfg)).toBeCloseTo(100 / 80);
  });
  it('ignores RBCs cut by the border and unsure ones, and refuses with too few cells', () => {
    const inside = [cell('RBC', 100, 100, 80), cell('RBC', 300, 100, 80), cell('RBC', 500, 100, 80)];
    const cut = [cell('RBC', 0, 200, 30), cell('RBC', 620, 200, 20)];
    const unsure = [cell('RBC', 100, 300, 10, 0.2), cell('RBC', 200, 300, 10, 0.2)];
    expect(estimateRatio([...inside, ...cut, ...unsure], 640, 480, 1, cfg)).toBe(1);
    expect(estimateRatio(inside.slice(0, 2), 640, 480, 1, cfg)).toBeNull();
    expect(estimateRatio([...unsure, cell('RBC', 100, 100, 80)], 640, 480, 1, cfg)).toBeNull();
  });
  it('median of even and odd lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('secondPassScale', () => {
  it('stands within the tolerance and rescales outside it', () => {
    expect(secondPassScale(0.8, 1.2, 640, 480, cfg)).toBeNull();
    expect(secondPassScale(0.8, 0.81, 640, 480, cfg)).toBeNull();
    expect(secondPassScale(0.8, null, 640, 480, cfg)).toBeNull();
    expect(secondPassScale(0.8, 1.6, 640, 480, cfg)).toBeCloseTo(0.5); // zoom-in: shrink
    expect(secondPassScale(0.8, 0.5, 640, 480, cfg)).toBeCloseTo(1.6); // zoom-out: enlarge
  });
  it('caps the second pass at maxPixels', () => {
    const s = secondPassScale(0.8, 0.2, 640, 480, cfg)!;
    expect(640 * s * 480 * s).toBeLessThanOrEqual(cfg.maxPixels + 1);
  });
});

describe('detectWithScale', () => {
  const native = { width: 512, height: 384 };
  it('runs once when the cells are at the model scale', async () => {
    const calls: number[] = [];
    const r = await detectWithScale(640, 480, native, cfg, async (s) => {
      calls.push(s);
      return [cell('RBC', 100, 100, 100), cell('RBC', 300, 100, 100), cell('RBC', 450, 300, 100)];
    });
    expect(calls).toEqual([0.8]);
    expect(r.scale).toMatchObject({ passes: 1, relative: 1, fixed: false });
    expect(r.scale.estimated).toBeCloseTo(1);
  });
  it('detects again at the scale that brings RBCs to the reference (zoom-out)', async () => {
    const calls: { s: number; w: number; h: number }[] = [];
    const small = [cell('RBC', 100, 100, 50), cell('RBC', 300, 100, 50), cell('RBC', 450, 300, 50)];
    const r = await detectWithScale(640, 480, native, cfg, async (s, size) => {
      calls.push({ s, w: size.width, h: size.height });
      return calls.length === 1 ? small : [cell('WBC', 1, 1, 5)];
    });
    expect(calls).toHaveLength(2);
    expect(calls[1].s).toBeCloseTo(1.6);
    expect(calls[1]).toMatchObject({ w: 1024, h: 768 });
    expect(r.raw[0].cls).toBe('WBC'); // the second pass's detections are kept
    expect(r.scale).toMatchObject({ passes: 2, fixed: false });
    expect(r.scale.estimated).toBeCloseTo(0.5);
    expect(r.scale.relative).toBeCloseTo(2);
  });
  it('a fixed scale skips the estimate', async () => {
    const calls: number[] = [];
    const r = await detectWithScale(640, 480, native, cfg, async (s) => (calls.push(s), []), 0.5);
    expect(calls).toEqual([0.4]);
    expect(r.scale).toMatchObject({ passes: 1, fixed: true, estimated: null, relative: 0.5 });
  });
  it("a pass that enlarged the image has its scores raised by the card's shift per doubling; others are untouched", async () => {
    const shifted: ScaleConfig = { ...cfg, enlargedLogitShift: { RBC: 1, Platelets: 0 } };
    const small = [cell('RBC', 100, 100, 50), cell('RBC', 300, 100, 50), cell('RBC', 450, 300, 50)];
    const second = [cell('RBC', 10, 10, 80, 0.4), cell('Platelets', 200, 10, 30, 0.4)];
    const r = await detectWithScale(640, 480, native, shifted, async (_s, size) => (size.width === 512 ? small : second));
    expect(r.scale.relative).toBeCloseTo(2);
    // one doubling: logit(0.4) + 1
    expect(r.raw[0].score).toBeCloseTo(1 / (1 + Math.exp(-(Math.log(0.4 / 0.6) + 1))), 12);
    expect(r.raw[1].score).toBe(0.4);
    expect(r.raw[0].box).toEqual(second[0].box);
    // pass 1 standing (cells at the reference size) and a zoom-in's shrinking pass keep the model's scores
    const one = await detectWithScale(640, 480, native, shifted, async () => [cell('RBC', 100, 100, 100, 0.4), cell('RBC', 300, 100, 100), cell('RBC', 450, 300, 100)]);
    expect(one.raw[0].score).toBe(0.4);
    const big = [cell('RBC', 100, 100, 200), cell('RBC', 300, 100, 200), cell('RBC', 400, 250, 200)];
    const zin = await detectWithScale(640, 480, native, shifted, async (_s, size) => (size.width === 512 ? big : [cell('RBC', 1, 1, 40, 0.4)]));
    expect(zin.scale.relative).toBeLessThan(1);
    expect(zin.raw[0].score).toBe(0.4);
    // a fixed scale that enlarges is calibrated as well
    const fixed = await detectWithScale(640, 480, native, shifted, async () => [cell('RBC', 1, 1, 40, 0.4)], 2);
    expect(fixed.raw[0].score).toBeGreaterThan(0.6);
  });
  it("a small eyepiece field (a disc a tenth of the frame) is read from its square: planned, estimated and rescaled on its own, its cells moved back into the frame", async () => {
    // a 1600x1200 photo, the disc about (900, 500) of radius 200 (share 0.105): fitted whole (0.32) its 40-px
    // cells were 13 model px, too few confident ones to estimate, and the frame's pixel cap held a second pass
    const calls: { s: number; w: number; h: number; region?: { x: number; y: number; width: number; height: number } }[] = [];
    const inSquare = [cell('RBC', 100, 100, 40), cell('RBC', 200, 150, 40), cell('RBC', 250, 300, 40)];
    const r = await detectWithScale(1600, 1200, native, cfg, async (s, size, region) => {
      calls.push({ s, w: size.width, h: size.height, region });
      if (!region) return { raw: [cell('RBC', 890, 490, 13, 0.3)], field: { cx: 900, cy: 500, r: 200 } };
      return calls.length === 2 ? inSquare : [cell('WBC', 10, 20, 30)];
    });
    // the square about the disc, 8% of the radius beyond it
    const region = { x: 684, y: 284, width: 432, height: 432 };
    expect(calls[0]).toMatchObject({ w: 512, h: 384 });
    expect(calls[0].region).toBeUndefined();
    expect(calls[1].region).toEqual(region);
    expect(calls[1].s).toBeCloseTo(384 / 432);
    expect(calls[1]).toMatchObject({ w: 384, h: 384 });
    // the square's cells at its plan are 36 px against the reference's 80: a second pass on the square, 2.2x
    expect(calls).toHaveLength(3);
    expect(calls[2].region).toEqual(region);
    expect(calls[2].s).toBeCloseTo(2);
    expect(r.scale).toMatchObject({ passes: 2, fixed: false, region });
    expect(r.scale.estimated).toBeCloseTo(((40 * 384) / 432) / 80);
    // in the frame's pixels
    expect(r.raw[0].box).toEqual({ x1: 694, y1: 304, x2: 724, y2: 334 });
  });
  it('a fixed magnification reads a small field of view from its square too, at the square\'s plan times the setting', async () => {
    // the same 1600x1200 photo, the magnification set by hand to 2x: it had been read as the whole frame
    const calls: { s: number; w: number; h: number; region?: { x: number; y: number; width: number; height: number } }[] = [];
    const r = await detectWithScale(1600, 1200, native, cfg, async (s, size, region) => {
      calls.push({ s, w: size.width, h: size.height, region });
      return region ? [cell('RBC', 100, 100, 40, 0.9)] : { raw: [cell('RBC', 890, 490, 13, 0.9)], field: { cx: 900, cy: 500, r: 200 } };
    }, 2);
    const region = { x: 684, y: 284, width: 432, height: 432 };
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ w: 1024, h: 768 });
    expect(calls[0].region).toBeUndefined();
    expect(calls[1].region).toEqual(region);
    expect(calls[1].s).toBeCloseTo((2 * 384) / 432);
    expect(calls[1]).toMatchObject({ w: 768, h: 768 });
    expect(r.scale).toMatchObject({ passes: 1, fixed: true, estimated: null, requested: 2, region });
    expect(r.scale.relative).toBeCloseTo(2);
    // only the square's detections, in the frame's pixels
    expect(r.raw.map((d) => d.box)).toEqual([{ x1: 784, y1: 384, x2: 824, y2: 424 }]);
    // the square too is held to the card's pixel cap: 5x would be 1920x1920
    const capped: number[] = [];
    const c = await detectWithScale(1600, 1200, native, cfg, async (s, _size, region) => (capped.push(s), region ? [] : { raw: [], field: { cx: 900, cy: 500, r: 200 } }), 5);
    expect(capped[1]).toBeCloseTo(Math.sqrt(cfg.maxPixels) / 432);
    expect(c.scale.requested).toBe(5);
  });
  it('a field of view that fills the frame, or no field, read the whole image as before, with or without a fixed magnification', async () => {
    for (const field of [{ cx: 320, cy: 240, r: 225 }, null]) {
      const regions: unknown[] = [];
      const r = await detectWithScale(640, 480, native, cfg, async (_s, _size, region) => (regions.push(region), { raw: [cell('RBC', 100, 100, 100), cell('RBC', 300, 100, 100), cell('RBC', 450, 300, 100)], field }));
      expect(regions).toEqual([undefined]);
      expect(r.scale.region).toBeUndefined();
    }
    for (const field of [{ cx: 320, cy: 240, r: 225 }, null]) {
      const regions: unknown[] = [];
      const r = await detectWithScale(640, 480, native, cfg, async (_s, _size, region) => (regions.push(region), { raw: [], field }), 2);
      expect(regions).toEqual([undefined]);
      expect(r.scale).toMatchObject({ passes: 1, fixed: true, relative: 2 });
      expect(r.scale.region).toBeUndefined();
    }
  });
  it('without a scale config (an older card) it runs once at the plan scale', async () => {
    const calls: number[] = [];
    await detectWithScale(640, 480, native, null, async (s) => (calls.push(s), [cell('RBC', 1, 1, 10)]));
    expect(calls).toEqual([0.8]);
  });
});

describe('count rule', () => {
  const W = 640;
  const H = 480;
  it('defines cut as a box within max(2 px, 0.5% of the shorter side) of an edge', () => {
    expect(borderTolerancePx(640, 480)).toBeCloseTo(2.4);
    expect(borderTolerancePx(100, 100)).toBe(2);
    expect(borderTolerancePx(4000, 3000)).toBe(15);
    expect(isCutByBorder(cell('RBC', 0, 100, 50), W, H)).toBe(true);
    expect(isCutByBorder(cell('RBC', 2.4, 100, 50), W, H)).toBe(true);
    expect(isCutByBorder(cell('RBC', 2.5, 100, 50), W, H)).toBe(false);
    expect(isCutByBorder(cell('RBC', 100, 100, 377.6), W, H)).toBe(true); // y2 = 477.6 = H - 2.4
    expect(isCutByBorder(cell('RBC', 300, 300, 100), W, H)).toBe(false);
  });
  it("'all' keeps every cell, 'interior' drops the cut ones", () => {
    const dets = [cell('RBC', 0, 100, 50), cell('RBC', 300, 200, 50), cell('Platelets', 620, 460, 20)];
    expect(applyCountRule(dets, 'all', W, H)).toHaveLength(3);
    expect(applyCountRule(dets, 'interior', W, H).map((d) => d.box.x1)).toEqual([300]);
  });
});

describe("count rule 'half'", () => {
  it('keeps a cut cell when its box is at least half the median uncut cell of its class', () => {
    const uncut = [cell('RBC', 100, 100, 40), cell('RBC', 200, 100, 40), cell('RBC', 300, 100, 40)]; // 1600 px²
    const big = { ...cell('RBC', 0, 300, 40), box: { x1: 0, y1: 300, x2: 25, y2: 340 } }; // 1000 px² >= 800
    const sliver = { ...cell('RBC', 0, 200, 40), box: { x1: 0, y1: 200, x2: 10, y2: 240 } }; // 400 px² < 800
    const lonePlatelet = { ...cell('Platelets', 0, 10, 10), box: { x1: 0, y1: 10, x2: 12, y2: 22 } }; // 144 px² vs (0.4 x 40)² / 2 = 128: kept
    const kept = applyCountRule([...uncut, big, sliver, lonePlatelet], 'half', 640, 480);
    expect(kept).toHaveLength(5);
    expect(kept).not.toContain(sliver);
  });
});

describe("count rule 'half' without uncut cells of the class", () => {
  it('judges a cut WBC against the uncut RBCs scaled by the typical WBC size', () => {
    const rbcs = [cell('RBC', 100, 100, 40), cell('RBC', 200, 100, 40), cell('RBC', 300, 100, 40)];
    // expected whole WBC: (2 x 40)² = 6400 px²; half = 3200
    const bigCut = { ...cell('WBC', 0, 300, 80), box: { x1: 0, y1: 300, x2: 50, y2: 380 } }; // 4000
    const smallCut = { ...cell('WBC', 600, 300, 80), box: { x1: 615, y1: 300, x2: 640, y2: 380 } }; // 2000
    const kept = applyCountRule([...rbcs, bigCut, smallCut], 'half', 640, 480);
    expect(kept).toContain(bigCut);
    expect(kept).not.toContain(smallCut);
  });
});
