import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import type { SmallImage } from './pixels';
import { applyWbcRule, looksLikeRbc, rbcOverlap, rbcReference, wbcEvidence, type WbcRuleParams } from './wbcRule';

const W = 200;
const H = 100;
type Disc = { x: number; y: number; r: number; rgb: [number, number, number]; nucleus?: [number, number, number]; pale?: [number, number, number] };

/** A small image of discs on a pale background; a nucleus is a disc of half the radius; an RBC has a pale centre. */
function scene(discs: Disc[], scale = 1): SmallImage {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let c: [number, number, number] = [240, 230, 225];
      for (const d of discs) {
        const dist = Math.hypot(x + 0.5 - d.x, y + 0.5 - d.y);
        if (dist < d.r) c = d.nucleus && dist < d.r / 2 ? d.nucleus : d.pale && dist < d.r * 0.4 ? d.pale : d.rgb;
      }
      data.set([...c, 255], (y * W + x) * 4);
    }
  return { data, width: W, height: H, scale };
}

const box = (d: Disc, scale = 1) => ({ x1: (d.x - d.r) / scale, y1: (d.y - d.r) / scale, x2: (d.x + d.r) / scale, y2: (d.y + d.r) / scale });
const det = (id: string, cls: Detection['cls'], d: Disc, score = 0.9, scale = 1): Detection => ({ id, cls, score, box: box(d, scale), origin: 'model' });

const P: WbcRuleParams = { rbcMinScore: 0.5, minRbcs: 3, minRbcPx: 12, refQuantile: 0.05, maxSizeRatio: 1.3, minNucleusFraction: 0.05 };
const red: [number, number, number] = [190, 100, 115];
const pale: [number, number, number] = [225, 160, 165];
const rbcs: Disc[] = [
  { x: 20, y: 20, r: 10, rgb: red, pale },
  { x: 50, y: 20, r: 11, rgb: red, pale },
  { x: 80, y: 20, r: 10, rgb: red, pale },
  { x: 20, y: 70, r: 9, rgb: red, pale },
];
// a red cell the detector called a WBC: the same stain, a slightly darker rim, no nucleus
const fakeWbc: Disc = { x: 120, y: 50, r: 11, rgb: [192, 101, 112], pale };
const trueWbc: Disc = { x: 170, y: 50, r: 14, rgb: [215, 190, 205], nucleus: [80, 40, 130] };
const smallWbc: Disc = { x: 120, y: 80, r: 10, rgb: [215, 190, 205], nucleus: [80, 40, 130] }; // a lymphocyte: RBC-sized, with a nucleus

describe('WBC rule', () => {
  const img = scene([...rbcs, fakeWbc, trueWbc, smallWbc]);
  const raw = [...rbcs.map((d, i) => det(`r${i}`, 'RBC', d)), det('f', 'WBC', fakeWbc, 0.8), det('t', 'WBC', trueWbc), det('s', 'WBC', smallWbc)];

  it('takes its reference from the image’s own RBCs', () => {
    const ref = rbcReference(img, raw, P)!;
    expect(ref.size).toBeCloseTo(20, 0);
    expect(ref.dark).toBeGreaterThan(100);
    expect(rbcReference(img, raw.slice(0, 2), P)).toBeNull();
    // RBCs of ~20 px on the small copy: too coarse for a nucleus when the rule asks for 25
    expect(rbcReference(img, raw, { ...P, minRbcPx: 25 })).toBeNull();
  });

  it('an RBC-sized "WBC" without a nucleus looks like a red cell; one with a nucleus, or a large one, does not', () => {
    const ref = rbcReference(img, raw, P)!;
    const f = wbcEvidence(img, box(fakeWbc), ref);
    expect(f.nucleusFraction).toBe(0);
    expect(looksLikeRbc(f, P)).toBe(true);
    const s = wbcEvidence(img, box(smallWbc), ref);
    expect(s.nucleusFraction).toBeGreaterThan(0.2);
    expect(looksLikeRbc(s, P)).toBe(false);
    expect(looksLikeRbc({ sizeRatio: 1.6, nucleusFraction: 0 }, P)).toBe(false);
  });

  it('relabels the false WBC as an RBC and keeps everything else', () => {
    const out = applyWbcRule(raw, img, P);
    expect(out.find((d) => d.id === 'f')).toMatchObject({ cls: 'RBC', score: 0.8 });
    expect(out.filter((d) => d.cls === 'WBC').map((d) => d.id)).toEqual(['t', 's']);
    expect(out).toHaveLength(raw.length);
  });

  it('holds under any colour cast: only colours relative to the image’s RBCs matter', () => {
    const cast = (c: [number, number, number]): [number, number, number] => [c[0] * 0.6, c[1] * 0.9, Math.min(255, c[2] * 1.2)];
    const castDiscs = [...rbcs, fakeWbc, trueWbc, smallWbc].map((d) => ({ ...d, rgb: cast(d.rgb), nucleus: d.nucleus && cast(d.nucleus), pale: d.pale && cast(d.pale) }));
    const out = applyWbcRule(raw, scene(castDiscs), P);
    expect(out.filter((d) => d.cls === 'WBC').map((d) => d.id)).toEqual(['t', 's']);
  });

  it('works through the small copy scale (boxes in image pixels)', () => {
    const s = 0.25;
    const raw4 = [...rbcs.map((d, i) => det(`r${i}`, 'RBC', d, 0.9, s)), det('f', 'WBC', fakeWbc, 0.8, s), det('t', 'WBC', trueWbc, 0.9, s)];
    const out = applyWbcRule(raw4, scene([...rbcs, fakeWbc, trueWbc], s), P);
    expect(out.map((d) => d.cls)).toEqual(['RBC', 'RBC', 'RBC', 'RBC', 'RBC', 'WBC']);
  });

  it('returns the same array when there is no reference or nothing to change', () => {
    const few = raw.slice(3);
    expect(applyWbcRule(few, img, P)).toBe(few);
    const clean = raw.filter((d) => d.id !== 'f');
    expect(applyWbcRule(clean, img, P)).toBe(clean);
  });

  it('rbcOverlap', () => {
    expect(rbcOverlap(box(rbcs[0]), raw)).toBeCloseTo(1);
    expect(rbcOverlap(box(trueWbc), raw)).toBe(0);
  });
});
