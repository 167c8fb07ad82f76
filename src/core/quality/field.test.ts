import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { assessImage } from './assess';
import { CALIBRATION } from './calibration';
import { fieldRegion, fieldShare, fillOutsideField, findCircularField, findTinyField, innerSquare, MIN_FIELD_SHARE } from './field';
import { excludes, flagSentence } from './flags';
import { pixelStats, toSmall, type SmallImage } from './pixels';

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

/** A phone's photo of the eyepiece held back from it: the smear as a disc of `share` of a 256x192 copy, in a
 * black frame with a little sensor noise; `glint`: a lamp's reflection elsewhere in the black. */
function smallDisc(share: number, opts: { cx?: number; cy?: number; glint?: boolean } = {}): SmallImage & { r: number; cx: number; cy: number } {
  const w = 256;
  const h = 192;
  const r = Math.sqrt((share * w * h) / Math.PI);
  const cx = opts.cx ?? 150;
  const cy = opts.cy ?? 90;
  const data = new Uint8ClampedArray(w * h * 4);
  let s = 5;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const inDisc = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r;
      // cells of 4 px radius every 10 px: the smear at the disc's small scale
      const cell = ((x % 10) - 5) ** 2 + ((y % 10) - 5) ** 2 < 16;
      const glint = opts.glint && (x - 30) ** 2 + (y - 160) ** 2 < 9;
      const c = glint ? [250, 250, 250] : inDisc ? (cell ? [190, 110, 140] : [235, 205, 215]) : [4 + rnd() * 6, 4 + rnd() * 6, 5 + rnd() * 6];
      data.set([...c, 255], i);
    }
  }
  return { data, width: w, height: h, scale: 0.16, r, cx, cy };
}

describe('a small field of view: the phone held back from the eyepiece', () => {
  it('is found down to half a percent of the frame, a glint in the black beside it or not; it had read as no field (and the photo as dark)', () => {
    for (const share of [0.15, 0.08, 0.03, 0.008]) {
      for (const glint of [false, true]) {
        const img = smallDisc(share, { glint });
        const c = findCircularField(img)!;
        expect(c, `share ${share}`).not.toBeNull();
        expect(Math.abs(c.cx - img.cx)).toBeLessThan(1);
        expect(Math.abs(c.cy - img.cy)).toBeLessThan(1);
        expect(Math.abs(c.r - img.r) / img.r).toBeLessThan(0.06);
        expect(Math.abs(fieldShare(c, 256, 192) - share) / share).toBeLessThan(0.1);
      }
    }
    // under half a percent, a speck: no field (and a black frame is dark)
    expect(findCircularField(smallDisc(0.003))).toBeNull();
  });

  it('a field of view under half a percent is too small to count: told as such (findTinyField), not found as a field, and no glint or black frame is one', () => {
    for (const share of [0.004, 0.002, 0.0012]) {
      const img = smallDisc(share);
      expect(findCircularField(img), `share ${share}`).toBeNull();
      const tiny = findTinyField(img);
      expect(tiny, `share ${share}`).not.toBeNull();
      expect(Math.abs(tiny! - share) / share, `share ${share}`).toBeLessThan(0.25);
    }
    // a lamp's glint alone in the black (28 px), a black frame, and a dim lamp's broad falloff are none
    const glint = smallDisc(0, { glint: true });
    expect(findTinyField(glint)).toBeNull();
    expect(findTinyField(smallDisc(0))).toBeNull();
  });

  it('a photo whose field of view is too small to count is left out as such, with the advice to move closer; it had read as too dark ("Raise the lamp")', () => {
    const card = { postprocess: { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const }, scale: null };
    const img = smallDisc(0.003);
    const q = assessImage(img, [], { width: 1600, height: 1200 }, undefined, card, { wbcRule: null, debris: null });
    expect(q.quality.flags).toEqual(['field-too-small']);
    expect(excludes(q.quality.flags)).toBe(true);
    expect(q.quality.pixels.fieldShare).toBeGreaterThan(0.002);
    expect(q.quality.pixels.fieldShare).toBeLessThan(MIN_FIELD_SHARE);
    const sentence = flagSentence('field-too-small', false, q.quality);
    expect(sentence).toContain('fills only under 1% of the photo');
    expect(sentence).toContain('Move the phone closer to the eyepiece, or zoom in');
    expect(sentence).toContain('It is left out of the batch totals.');
    expect(sentence).not.toContain('Raise the lamp');
    // a black frame (the lamp off) is still too dark
    const black = assessImage(smallDisc(0), [], { width: 1600, height: 1200 }, undefined, card, { wbcRule: null, debris: null });
    expect(black.quality.flags).toContain('under-exposed');
    expect(black.quality.flags).not.toContain('field-too-small');
  });

  it('a dim lamp falling off slowly to dark corners is an under-exposed field, not a small field of view', () => {
    const card = { postprocess: { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const }, scale: null };
    for (const centre of [30, 45, 60]) {
      const w = 256;
      const h = 192;
      const data = new Uint8ClampedArray(w * h * 4);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const cell = ((x % 24) - 12) ** 2 + ((y % 24) - 12) ** 2 < 64;
          const g = Math.max(0.02, 1 - Math.hypot(x - 128, y - 96) / 150) * (centre / 235);
          const c = cell ? [190, 110, 140] : [235, 205, 215];
          data.set([c[0] * g, c[1] * g, c[2] * g, 255], (y * w + x) * 4);
        }
      }
      const q = assessImage({ data, width: w, height: h, scale: 0.4 }, [], { width: 640, height: 480 }, undefined, card, { wbcRule: null, debris: null });
      expect(q.quality.flags, `centre ${centre}`).toContain('under-exposed');
      expect(q.quality.flags, `centre ${centre}`).not.toContain('small-field');
    }
  });

  it('its statistics are those of the disc, on a copy of it at the pixels the page read: not too dark, and flagged small with the advice to move closer', () => {
    const card = { postprocess: { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const }, scale: null };
    // the page reads a 1024x768 copy of a 1600x1200 photo; the statistics' copy is 256x192
    const read = smallDisc(0.06);
    const big = { data: new Uint8ClampedArray(1024 * 768 * 4), width: 1024, height: 768 };
    for (let y = 0; y < 768; y++) for (let x = 0; x < 1024; x++) big.data.set(read.data.subarray(((y >> 2) * 256 + (x >> 2)) * 4, ((y >> 2) * 256 + (x >> 2)) * 4 + 4), (y * 1024 + x) * 4);
    const small = toSmall(big, 1600);
    expect(small.field).toBeDefined();
    // the disc's square, from the 1024-px copy: about 4x the pixels the 256-px copy has of it
    expect(small.field!.width).toBeGreaterThan(3 * 2 * read.r);
    const dets = [det('in', read.cx / 0.16, read.cy / 0.16), det('black', 100, 100)];
    const q = assessImage(small, dets, { width: 1600, height: 1200 }, undefined, card, { wbcRule: null, debris: null });
    expect(q.raw.map((d) => d.id)).toEqual(['in']);
    expect(q.quality.pixels.brightness).toBeGreaterThan(150);
    expect(q.quality.pixels.fieldShare).toBeCloseTo(0.06, 2);
    expect(q.quality.flags).not.toContain('under-exposed');
    expect(q.quality.flags).toContain('small-field');
    expect(flagSentence('small-field', false, q.quality)).toContain('fills only 6% of the photo');
    expect(flagSentence('small-field', false, q.quality)).toContain('Move the phone closer to the eyepiece, or zoom in');
    // the same statistics on the whole frame: the black read as a photo too dark
    expect(pixelStats(small).brightness).toBeLessThan(CALIBRATION.exposure!.minBrightness);
  });

  it('the detector reads the square about a disc under 30% of the frame, and the whole of a larger one', () => {
    expect(fieldRegion({ cx: 800, cy: 600, r: 300 }, 1600, 1200)).toEqual({ x: 476, y: 276, width: 648, height: 648 });
    expect(fieldRegion({ cx: 20, cy: 600, r: 300 }, 1600, 1200)).toEqual({ x: 0, y: 276, width: 344, height: 648 });
    expect(fieldRegion({ cx: 800, cy: 600, r: 560 }, 1600, 1200)).toBeNull();
    expect(fieldRegion(null, 1600, 1200)).toBeNull();
  });
});
