import { describe, expect, it } from 'vitest';
import { rgbaToCHW } from '../detection/preprocess';
import { EVEN_OUT_BAR, MAX_GAIN, UNEVEN_BAR, evenLight, fitIllumination, flattenChw, flattenRgba, gainAt, greyOfChw, greyOfRgba, needsEvening } from './illumination';
import { pixelStats, toSmall } from './pixels';
import { flagSentence, qualityFlags, type DetectionStats } from './flags';
import { CALIBRATION } from './calibration';

/** A smear-like field: a pale background with red cells (discs) on a jittered grid, `cover` of the cells' places
 * filled, lit by `light(u, v)` (u, v in [-1, 1]). Deterministic. */
function field(width: number, height: number, light: (u: number, v: number) => number, cover = 0.6, seed = 7): Uint8ClampedArray {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const cells: [number, number][] = [];
  for (let y = 16; y < height; y += 34) for (let x = 16; x < width; x += 34) if (rnd() < cover) cells.push([x + (rnd() - 0.5) * 8, y + (rnd() - 0.5) * 8]);
  const inCell = new Uint8Array(width * height);
  for (const [cx, cy] of cells) {
    for (let y = Math.max(0, Math.floor(cy - 14)); y <= Math.min(height - 1, Math.ceil(cy + 14)); y++) {
      for (let x = Math.max(0, Math.floor(cx - 14)); x <= Math.min(width - 1, Math.ceil(cx + 14)); x++) if ((x - cx) ** 2 + (y - cy) ** 2 < 14 * 14) inCell[y * width + x] = 1;
    }
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = inCell[y * width + x] ? [205, 125, 135] : [236, 226, 232];
      const l = light((2 * (x + 0.5)) / width - 1, (2 * (y + 0.5)) / height - 1);
      const n = (rnd() - 0.5) * 4;
      const i = 4 * (y * width + x);
      data[i] = r * l + n;
      data[i + 1] = g * l + n;
      data[i + 2] = b * l + n;
      data[i + 3] = 255;
    }
  }
  return data;
}

const W = 320;
const H = 240;
const even = () => 1;
/** A camera's vignette: the corners at a quarter of the centre's light (the stress sets' `vignette`). */
const vignette = (u: number, v: number) => 1 - 0.75 * ((u * u + v * v) / 2);
/** An off-centre lamp: 0.45 of the light on the left, 1 on the right. */
const lamp = (u: number) => 0.45 + 0.55 * ((u + 1) / 2);

describe('fitIllumination', () => {
  it('reads an evenly lit field as even, though most of it is cells', () => {
    for (const cover of [0.3, 0.9]) {
      const ill = fitIllumination(greyOfRgba(field(W, H, even, cover), W, H), W, H)!;
      expect(ill.ratio).toBeGreaterThan(0.93);
      expect(needsEvening(ill)).toBe(false);
    }
  });

  it("reads a vignette's and an off-centre lamp's fall-off from the background", () => {
    const v = fitIllumination(greyOfRgba(field(W, H, vignette), W, H), W, H)!;
    // the tiles' centres reach about 0.85 of the corner's radius: the surface there is 1 - 0.75 x 0.85^2 ~ 0.46
    expect(v.ratio).toBeGreaterThan(0.35);
    expect(v.ratio).toBeLessThan(0.6);
    const l = fitIllumination(greyOfRgba(field(W, H, lamp), W, H), W, H)!;
    expect(l.ratio).toBeGreaterThan(0.45);
    expect(l.ratio).toBeLessThan(0.6);
    for (const ill of [v, l]) expect(ill.ratio).toBeLessThan(UNEVEN_BAR);
  });

  it('leaves out an eyepiece ring: only the disc is read', () => {
    const data = field(W, H, even);
    const disc = { cx: W / 2, cy: H / 2, r: 110 };
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x + 0.5 - disc.cx) ** 2 + (y + 0.5 - disc.cy) ** 2 > disc.r ** 2) data.fill(0, 4 * (y * W + x), 4 * (y * W + x) + 3);
    const grey = greyOfRgba(data, W, H);
    expect(fitIllumination(grey, W, H, disc)!.ratio).toBeGreaterThan(0.9);
  });

  it('gives up on what it cannot read: a black image, one too small', () => {
    expect(fitIllumination(new Float32Array(W * H), W, H)).toBeNull();
    expect(fitIllumination(new Float32Array(20 * 20).fill(0.5), 20, 20)).toBeNull();
    expect(() => fitIllumination(new Float32Array(10), W, H)).toThrow(RangeError);
  });
});

describe('evening out', () => {
  it("brings a vignetted field's background back to one level, and leaves an even field exactly as it was", () => {
    const chw = rgbaToCHW(field(W, H, vignette), W, H);
    expect(evenLight(chw, W, H, null)).not.toBeNull();
    // the background (the brightest pixels) of the centre and of each corner tile now agree within 6%
    const g = greyOfChw(chw, W, H);
    const level = (x0: number, y0: number) => {
      const vals: number[] = [];
      for (let y = y0; y < y0 + 40; y++) for (let x = x0; x < x0 + 40; x++) vals.push(g[y * W + x]);
      return vals.sort((a, b) => a - b)[Math.floor(0.95 * vals.length)];
    };
    const centre = level(W / 2 - 20, H / 2 - 20);
    for (const [x, y] of [[20, 20], [W - 60, 20], [20, H - 60], [W - 60, H - 60]]) expect(Math.abs(level(x, y) / centre - 1)).toBeLessThan(0.06);

    const flat = rgbaToCHW(field(W, H, even), W, H);
    const before = flat.slice();
    expect(evenLight(flat, W, H, null)).toBeNull();
    expect(flat.every((x, i) => x === before[i])).toBe(true);
  });

  it('never raises a pixel more than MAX_GAIN times, never darkens one, and clips at white', () => {
    const ill = { coef: [0, 0, 0, -3, 0, 0], ratio: Math.exp(-3), logMax: 0 };
    expect(gainAt(ill, 0, 0, W, H)).toBe(MAX_GAIN);
    expect(gainAt(ill, W / 2, H / 2, W, H)).toBeCloseTo(1, 3);
    const chw = new Float32Array(3 * W * H).fill(0.9);
    flattenChw(chw, W, H, ill);
    expect(chw.reduce((a, b) => Math.min(a, b), 1)).toBeGreaterThanOrEqual(0.9);
    expect(chw.reduce((a, b) => Math.max(a, b), 0)).toBe(1);
  });

  it("carries each row's gain by multiplication as the surface gives it, in CHW and RGBA alike", () => {
    const ill = fitIllumination(greyOfRgba(field(W, H, vignette), W, H), W, H)!;
    const chw = new Float32Array(3 * W * H).fill(0.2);
    flattenChw(chw, W, H, ill);
    const rgba = flattenRgba(new Uint8ClampedArray(W * H * 4).fill(50), W, H, ill);
    for (const [x, y] of [[0, 0], [W - 1, 0], [W / 2, H / 2], [13, H - 1], [W - 1, H - 1]]) {
      const g = gainAt(ill, x, y, W, H);
      expect(chw[y * W + x]).toBeCloseTo(Math.min(1, 0.2 * g), 5);
      expect(chw[2 * W * H + y * W + x]).toBeCloseTo(Math.min(1, 0.2 * g), 5);
      expect(rgba[4 * (y * W + x)]).toBe(Math.min(255, Math.round(50 * g)));
      expect(rgba[4 * (y * W + x) + 3]).toBe(50); // alpha kept
    }
  });
});

describe('the statistics and the flag', () => {
  it('judge a vignetted field as the same field evenly lit: no blur, its clipping as read, flagged uneven-light', () => {
    const bright = (u: number, v: number) => 1.12 * vignette(u, v); // the centre clipped, as a camera clips it
    const evenSmall = toSmall({ data: field(W, H, even), width: W, height: H }, W);
    const vigSmall = toSmall({ data: field(W, H, bright), width: W, height: H }, W);
    expect(evenSmall.light).toBeGreaterThan(EVEN_OUT_BAR);
    expect(evenSmall.unflattened).toBeUndefined();
    expect(vigSmall.light).toBeLessThan(UNEVEN_BAR);
    expect(vigSmall.unflattened).toBeDefined();
    const e = pixelStats(evenSmall);
    const v = pixelStats(vigSmall);
    const raw = pixelStats({ data: vigSmall.unflattened!, width: vigSmall.width, height: vigSmall.height });
    // sharpness (edges over the spread of grey) fell with the fall-off; evened out it is the even field's
    expect(raw.sharpness).toBeLessThan(0.75 * e.sharpness);
    expect(v.sharpness).toBeGreaterThan(0.85 * e.sharpness);
    // exposure is the camera's: brightness and clipping of the pixels as read
    expect(v.brightness).toBeCloseTo(raw.brightness, 5);
    expect(v.clipped).toBeCloseTo(raw.clipped!, 5);
    expect(v.light).toBe(vigSmall.light);

    const detections: DetectionStats = { rbc: 40, wbc: 1, platelets: 3, rbcScore: 0.95, cellScale: 1, rbcSizeCv: 0.1, planScale: 1 };
    expect(qualityFlags({ pixels: v, detections }, CALIBRATION)).toContain('uneven-light');
    expect(qualityFlags({ pixels: e, detections }, CALIBRATION)).not.toContain('uneven-light');
    const said = flagSentence('uneven-light', false, { pixels: v, detections });
    expect(said).toContain(`at ${Math.round(v.light! * 100)}% of its brightest`);
    expect(said).not.toContain('left out');
  });
});
