import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { assessImage, debrisStale, rejudgeDebris } from './assess';
import { DEBRIS_RULE, debrisEvidence, debrisRuleId, stain } from './debris';
import type { SmallImage } from './pixels';

const W = 200;
const H = 120;
const BG: [number, number, number] = [236, 228, 232];
type Disc = { x: number; y: number; r: number; t: [number, number, number] };

/** A field of discs on a pale background; each disc transmits the share `t` of each channel of the light
 * (so it absorbs like a stained object under the microscope), then the camera multiplies each channel by
 * `cast` (its white balance). */
function field(discs: Disc[], cast: [number, number, number] = [1, 1, 1], scale = 1): SmallImage {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let t: [number, number, number] = [1, 1, 1];
      for (const d of discs) if (Math.hypot(x + 0.5 - d.x, y + 0.5 - d.y) < d.r) t = d.t;
      data.set([...[0, 1, 2].map((c) => BG[c] * t[c] * cast[c]), 255], (y * W + x) * 4);
    }
  return { data, width: W, height: H, scale };
}

const det = (id: string, cls: Detection['cls'], d: Disc, score = 0.9, scale = 1): Detection => ({
  id,
  cls,
  score,
  box: { x1: (d.x - d.r) / scale, y1: (d.y - d.r) / scale, x2: (d.x + d.r) / scale, y2: (d.y + d.r) / scale },
  origin: 'model',
});

// eosin-pink red cells absorb green most; a platelet's purple granules absorb green and red; dust absorbs all alike
const pink: [number, number, number] = [0.85, 0.55, 0.7];
const rbcs: Disc[] = [
  { x: 20, y: 20, r: 11, t: pink },
  { x: 55, y: 20, r: 11, t: pink },
  { x: 90, y: 20, r: 10, t: pink },
  { x: 20, y: 90, r: 11, t: pink },
];
const platelet: Disc = { x: 140, y: 40, r: 5, t: [0.6, 0.35, 0.7] };
const dust: Disc = { x: 170, y: 90, r: 6, t: [0.6, 0.6, 0.6] };
const dets = (scale = 1) => [...rbcs.map((d, i) => det(`m${i}`, 'RBC', d, 0.95, scale)), det('p', 'Platelets', platelet, 0.8, scale), det('d', 'Platelets', dust, 0.7, scale)];

describe('stain', () => {
  it('reads a colour cast away: optical density against the background moves by the same amount in every object', () => {
    const a = stain([120, 80, 160], [240, 230, 235]);
    const b = stain([120 * 1.1, 80 * 0.8, 160 * 0.5], [240 * 1.1, 230 * 0.8, 235 * 0.5]);
    expect(b.density).toBeCloseTo(a.density, 6);
    expect(b.saturation).toBeCloseTo(a.saturation, 6);
    expect(stain([100, 100, 100], [200, 200, 200]).saturation).toBeCloseTo(0, 6);
  });
});

describe('debrisEvidence', () => {
  it('leaves out a grey speck and keeps a stained platelet', () => {
    const img = field([...rbcs, platelet, dust]);
    const e = debrisEvidence(img, dets(), dets());
    expect(e.reference).toBeGreaterThan(0.2);
    expect(e.debris).toEqual(['d']);
    expect(e.ratios.get('p')!).toBeGreaterThan(1.5 * DEBRIS_RULE.maxRatio);
    expect(e.ratios.get('d')!).toBeLessThan(0.1);
  });

  it('gives the same verdicts under a warm, a blue and a yellow camera cast', () => {
    for (const cast of [
      [1, 0.85, 0.6],
      [0.7, 0.85, 1],
      [1, 0.95, 0.55],
    ] as [number, number, number][]) {
      expect(debrisEvidence(field([...rbcs, platelet, dust], cast), dets(), dets()).debris).toEqual(['d']);
    }
  });

  it('holds at the small copy scale: the same field read at 0.5x of the image', () => {
    const img = field([...rbcs, platelet, dust], [1, 1, 1], 0.5);
    expect(debrisEvidence(img, dets(0.5), dets(0.5)).debris).toEqual(['d']);
  });

  it('says nothing on a monochrome camera, where the red cells carry no colour either', () => {
    const grey = (t: [number, number, number]) => {
      const m = (t[0] + t[1] + t[2]) / 3;
      return [m, m, m] as [number, number, number];
    };
    const img = field([...rbcs.map((d) => ({ ...d, t: grey(d.t) })), { ...platelet, t: grey(platelet.t) }, dust]);
    const e = debrisEvidence(img, dets(), dets());
    expect(e.reference).toBeLessThan(DEBRIS_RULE.minRefSaturation);
    expect(e.debris).toEqual([]);
  });

  it('says nothing without enough confident red cells to compare with', () => {
    const img = field([...rbcs, platelet, dust]);
    const few = [det('m0', 'RBC', rbcs[0]), det('m1', 'RBC', rbcs[1], 0.4), det('p', 'Platelets', platelet), det('d', 'Platelets', dust)];
    expect(debrisEvidence(img, few, few)).toMatchObject({ reference: null, debris: [] });
  });

  it('keeps a candidate too small in the small copy to read, and one barely darker than the background', () => {
    const tiny: Disc = { x: 170, y: 90, r: 1.5, t: [0.6, 0.6, 0.6] };
    const faint: Disc = { x: 140, y: 90, r: 6, t: [0.98, 0.98, 0.98] };
    const img = field([...rbcs, tiny, faint]);
    const ds = [...rbcs.map((d, i) => det(`m${i}`, 'RBC', d)), det('t', 'Platelets', tiny), det('f', 'Platelets', faint)];
    expect(debrisEvidence(img, ds, ds).debris).toEqual([]);
  });

  it('judges platelet candidates only: a grey RBC or WBC box is not its business', () => {
    const img = field([...rbcs, dust]);
    const ds = [...rbcs.map((d, i) => det(`m${i}`, 'RBC', d)), det('w', 'WBC', dust), det('r', 'RBC', dust, 0.6)];
    expect(debrisEvidence(img, ds, ds).debris).toEqual([]);
  });
});

describe('assessImage', () => {
  const card = {
    postprocess: { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const },
    scale: { referenceRbcPx: 22, minRelative: 0.5, maxRelative: 2, secondPassOutside: [0.8, 1.25] as [number, number], maxSecondPassSide: 1024 },
  };
  it('records the grey speck in quality.debris, keeps the raw detections, and leaves it out of the statistics', () => {
    const img = field([...rbcs, platelet, dust]);
    const { raw, quality } = assessImage(img, dets(), { width: W, height: H }, undefined, card as never);
    expect(quality.debris).toEqual(['d']);
    expect(raw.map((d) => d.id)).toContain('d');
    const off = assessImage(img, dets(), { width: W, height: H }, undefined, card as never, { debris: null });
    expect(off.quality.debris).toBeUndefined();
    expect(quality.detections.platelets).toBe(off.quality.detections.platelets - 1);
  });
  it('says nothing in a field too dark to count: at 0.03 of the light its colours are rounding (the audit field\'s platelet was called an unstained speck)', () => {
    const dark = field([...rbcs, platelet, dust], [0.03, 0.03, 0.03]);
    const { quality } = assessImage(dark, dets(), { width: W, height: H }, undefined, card as never);
    expect(quality.flags).toContain('under-exposed');
    expect(quality.debris).toBeUndefined();
    // the platelets are all in the statistics, as detected
    const off = assessImage(dark, dets(), { width: W, height: H }, undefined, card as never, { debris: null });
    expect(quality.detections.platelets).toBe(off.quality.detections.platelets);
    // dimmed to 0.3 the field is counted as it is, and the speck is still told from the platelet
    expect(assessImage(field([...rbcs, platelet, dust], [0.3, 0.3, 0.3]), dets(), { width: W, height: H }, undefined, card as never).quality.debris).toEqual(['d']);
  });
  it('names the rule its verdict was made under: one made under another rule is stale, and rejudged as if counted now', () => {
    const img = field([...rbcs, platelet, dust]);
    const now = assessImage(img, dets(), { width: W, height: H }, undefined, card as never);
    expect(now.quality.debrisRule).toBe(debrisRuleId(DEBRIS_RULE));
    expect(debrisStale(now.quality)).toBe(false);
    // counted under an older rule that took nothing for dust (here: a bar no speck falls under)
    const old = assessImage(img, dets(), { width: W, height: H }, undefined, card as never, { debris: { ...DEBRIS_RULE, maxRatio: 0 } });
    expect(old.quality.debris).toBeUndefined();
    expect(debrisStale(old.quality)).toBe(true);
    // a verdict saved before verdicts named their rule is stale too; an image with no quality check is not
    const { debrisRule: _, ...unnamed } = now.quality;
    expect(debrisStale(unnamed)).toBe(true);
    expect(debrisStale(undefined)).toBe(false);
    // rejudged on the stored detections: the verdict, the statistics and the flags of a fresh count
    expect(rejudgeDebris(img, old.raw, old.quality, { width: W, height: H }, undefined, card as never)).toEqual(now.quality);
    // and the other way: a speck left out by an older, stricter rule is counted again where the rule in force keeps it
    const strict = assessImage(img, dets(), { width: W, height: H }, undefined, card as never, { debris: { ...DEBRIS_RULE, maxRatio: 10 } });
    expect(strict.quality.debris).toEqual(expect.arrayContaining(['d', 'p']));
    expect(rejudgeDebris(img, strict.raw, strict.quality, { width: W, height: H }, undefined, card as never).debris).toEqual(['d']);
  });
});
