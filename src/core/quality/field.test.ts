import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { assessImage } from './assess';
import { fillOutsideField, findCircularField, innerSquare } from './field';
import type { SmallImage } from './pixels';

/** A 256x192 small copy: a pink smear with dark red cells, optionally seen through an eyepiece. */
function smear(ring: boolean): SmallImage {
  const w = 256;
  const h = 192;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const cell = ((x % 24) - 12) ** 2 + ((y % 24) - 12) ** 2 < 64;
      const c = cell ? [190, 110, 140] : [235, 205, 215];
      const out = ring && (x - 128) ** 2 + (y - 96) ** 2 > 90 ** 2;
      data.set(out ? [3, 3, 5, 255] : [...c, 255], i);
    }
  }
  return { data, width: w, height: h, scale: 0.4 };
}

const det = (id: string, x: number, y: number): Detection => ({ id, cls: 'RBC', score: 0.9, box: { x1: x - 20, y1: y - 20, x2: x + 20, y2: y + 20 }, origin: 'model' });

describe('eyepiece images: the circular field', () => {
  it('is found only where a black ring surrounds the smear, and its inner square lies inside it', () => {
    expect(findCircularField(smear(false))).toBeNull();
    const c = findCircularField(smear(true))!;
    // pixel centres: the disc drawn about (128, 96) in pixel-index terms is centred at (128.5, 96.5)
    expect(Math.abs(c.cx - 128.5)).toBeLessThan(0.6);
    expect(Math.abs(c.cy - 96.5)).toBeLessThan(0.6);
    expect(Math.abs(c.r - 90)).toBeLessThan(2);
    const sq = innerSquare(c, 256, 192);
    expect(Math.abs(sq.w - (2 * c.r) / Math.SQRT2)).toBeLessThan(1);
  });

  it('detections centred in the ring are not counted, and the ring does not lower the field\'s brightness', () => {
    const card = { postprocess: { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const }, scale: null };
    // image px = small px / 0.4: the centre is (320, 240), the disc's radius 225
    const raw = [det('in1', 320, 240), det('in2', 400, 300), det('ring', 20, 20), det('ring2', 620, 460)];
    const plain = assessImage(smear(false), raw, { width: 640, height: 480 }, undefined, card, { wbcRule: null });
    const eyepiece = assessImage(smear(true), raw, { width: 640, height: 480 }, undefined, card, { wbcRule: null });
    expect(plain.raw.map((d) => d.id)).toEqual(['in1', 'in2', 'ring', 'ring2']);
    expect(eyepiece.raw.map((d) => d.id)).toEqual(['in1', 'in2']);
    expect(Math.abs(eyepiece.quality.pixels.brightness - plain.quality.pixels.brightness)).toBeLessThan(8);
    const chroma = (q: typeof plain) => Math.hypot(q.quality.pixels.colour[2], q.quality.pixels.colour[3]);
    expect(Math.abs(chroma(eyepiece) - chroma(plain))).toBeLessThan(0.05);
  });
});

describe('the model input of an eyepiece image', () => {
  // a 40x30 input: a disc of two colours (half 0.8/0.6/0.7, half 0.4/0.2/0.3) in a ring of 0.02
  const w = 40;
  const h = 30;
  const c = { cx: 20, cy: 15, r: 12 };
  const input = () => {
    const n = w * h;
    const chw = new Float32Array(3 * n);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const inside = (x + 0.5 - c.cx) ** 2 + (y + 0.5 - c.cy) ** 2 <= c.r ** 2;
        const v = !inside ? [0.02, 0.02, 0.02] : x < 20 ? [0.8, 0.6, 0.7] : [0.4, 0.2, 0.3];
        for (let k = 0; k < 3; k++) chw[k * n + i] = v[k];
      }
    }
    return chw;
  };
  const channelMean = (chw: Float32Array, k: number) => {
    const n = w * h;
    let s = 0;
    for (let i = 0; i < n; i++) s += chw[k * n + i];
    return s / n;
  };

  it('fills the ring with the disc mean, leaves the disc as it was, and so the standardisation sees the disc alone', () => {
    const before = input();
    const chw = input();
    fillOutsideField(chw, w, h, c);
    const n = w * h;
    for (let i = 0; i < n; i++) {
      const x = (i % w) + 0.5;
      const y = Math.floor(i / w) + 0.5;
      if ((x - c.cx) ** 2 + (y - c.cy) ** 2 <= c.r ** 2) for (let k = 0; k < 3; k++) expect(chw[k * n + i]).toBe(before[k * n + i]);
    }
    // the disc is half of each colour (symmetric about x = 20), so its mean is the midpoint
    expect(channelMean(chw, 0)).toBeCloseTo(0.6, 5);
    expect(channelMean(chw, 1)).toBeCloseTo(0.4, 5);
    expect(channelMean(chw, 2)).toBeCloseTo(0.5, 5);
    expect(channelMean(before, 0)).toBeLessThan(0.45); // the ring had pulled it down
  });

  it('finds the ring on the pixels the worker reads, and leaves an image without one alone', () => {
    const n = w * h;
    const rgba = new Uint8ClampedArray(4 * n);
    const chw = input();
    for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) rgba[4 * i + k] = k === 3 ? 255 : Math.round(chw[k * n + i] * 255);
    const found = findCircularField({ data: rgba, width: w, height: h });
    expect(found).not.toBeNull();
    expect(Math.abs(found!.r - c.r)).toBeLessThan(1.5);
    const plain = new Uint8ClampedArray(4 * n).fill(200);
    expect(findCircularField({ data: plain, width: w, height: h })).toBeNull();
  });
});
