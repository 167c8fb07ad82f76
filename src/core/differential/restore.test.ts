import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClassifierCard } from './card';
import { normaliseChw, type CropRule } from './crop';
import { blurSigma, fft, gaussianBlur, noiseSigma, restoreCrop, type CropRestore } from './restore';

const shipped = JSON.parse(readFileSync(new URL('../../../models/smearcount-wbc.json', import.meta.url), 'utf8'));
const R: CropRestore = { sigma: 2.2, presmooth: 1, top: 0.1, border: 3, alpha: 0.3, eps: 2, pad: 16 };
const SIZE = 64;

/** A stained cell on plasma: a dark disc with a darker nucleus, 4x4 supersampled edges (a sharp crop). */
function cell(): Float32Array {
  const n = SIZE * SIZE;
  const x = new Float32Array(3 * n);
  const level = (u: number, v: number) => {
    const r = Math.hypot(u - 32, v - 32);
    const rn = Math.hypot(u - 28, v - 34);
    return rn < 9 ? 0.25 : r < 20 ? 0.55 : 0.9;
  };
  for (let y = 0; y < SIZE; y++)
    for (let xx = 0; xx < SIZE; xx++) {
      let s = 0;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) s += level(xx + (b + 0.5) / 4, y + (a + 0.5) / 4);
      const g = s / 16;
      x[y * SIZE + xx] = g;
      x[n + y * SIZE + xx] = 0.9 * g;
      x[2 * n + y * SIZE + xx] = Math.min(1, 1.05 * g);
    }
  return x;
}

function blurred(x: Float32Array, sigma: number): Float32Array {
  const n = SIZE * SIZE;
  const out = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) out.set(gaussianBlur(Float64Array.from(x.subarray(c * n, (c + 1) * n)), SIZE, sigma), c * n);
  return out;
}

/** Seeded Gaussian noise of `level` grey levels (of 255), clipped to [0, 1]. */
function noisy(x: Float32Array, level: number, seed = 7): Float32Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return x.map((v) => Math.min(1, Math.max(0, v + (level / 255) * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()))));
}

describe('crop restoration (card crop.restore)', () => {
  it('fft: any length matches the direct sum, and inverts', () => {
    for (const n of [1, 2, 7, 12, 96]) {
      const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) + (i % 3));
      const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
      const r = Float64Array.from(re);
      const m = Float64Array.from(im);
      fft(r, m, -1);
      for (let k = 0; k < n; k++) {
        let a = 0;
        let b = 0;
        for (let j = 0; j < n; j++) {
          const t = (-2 * Math.PI * j * k) / n;
          a += re[j] * Math.cos(t) - im[j] * Math.sin(t);
          b += re[j] * Math.sin(t) + im[j] * Math.cos(t);
        }
        expect(r[k]).toBeCloseTo(a, 9);
        expect(m[k]).toBeCloseTo(b, 9);
      }
      fft(r, m, 1);
      r.forEach((v, i) => expect(v / n).toBeCloseTo(re[i], 9));
    }
  });

  it('reads the blur of a defocused cell, under grain too', () => {
    const sharp = cell();
    expect(blurSigma(sharp, SIZE, R)).toBeLessThan(1.2);
    const soft = blurred(sharp, 3.2);
    expect(blurSigma(soft, SIZE, R)).toBeGreaterThan(2.8);
    // (it reads somewhat high where edges lie within a few sigma of each other, as the nucleus and the rim here)
    expect(blurSigma(soft, SIZE, R)).toBeLessThan(4.2);
    expect(blurSigma(noisy(soft, 4), SIZE, R)).toBeGreaterThan(2.8);
    // the noise estimate reads the grain on a soft crop
    const ns = noiseSigma(noisy(soft, 4), SIZE).map((v) => v * 255);
    ns.forEach((v) => expect(v).toBeGreaterThan(3));
    ns.forEach((v) => expect(v).toBeLessThan(5));
  });

  it('a blurred cell gets sharper, clean or grainy', () => {
    const sharp = cell();
    for (const level of [0, 2, 4]) {
      const soft = noisy(blurred(sharp, 3.2), level);
      const { crop, sigma, restored } = restoreCrop(soft, SIZE, R);
      expect(restored).toBe(true);
      expect(sigma).toBeGreaterThan(R.sigma);
      const after = blurSigma(crop, SIZE, R);
      expect(after).toBeLessThan(sigma - 0.4);
      // closer to the sharp cell than the soft crop was
      const err = (a: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - sharp[i]) ** 2, 0) / a.length);
      expect(err(crop)).toBeLessThan(err(soft));
      crop.forEach((v) => expect(v >= 0 && v <= 1).toBe(true));
    }
  });

  it('a sharp crop, and a grainy sharp crop, are left as they are', () => {
    for (const x of [cell(), noisy(cell(), 2), noisy(cell(), 4), blurred(cell(), 1.2)]) {
      const r = restoreCrop(x, SIZE, R);
      expect(r.restored).toBe(false);
      expect(r.crop).toBe(x);
      const rule: CropRule = { factor: 1.4, size: SIZE, pad: 0.5, percentile: 0.95, clip: 1.5 };
      expect(Array.from(normaliseChw(x, { ...rule, restore: R }))).toEqual(Array.from(normaliseChw(x, rule)));
    }
  });

  it('normaliseChw restores a soft crop before the white balance', () => {
    const soft = blurred(cell(), 3.2);
    const rule: CropRule = { factor: 1.4, size: SIZE, pad: 0.5, percentile: 0.95, clip: 1.5 };
    expect(Array.from(normaliseChw(soft, { ...rule, restore: R }))).toEqual(Array.from(normaliseChw(restoreCrop(soft, SIZE, R).crop, rule)));
    expect(Array.from(normaliseChw(soft, { ...rule, restore: R }))).not.toEqual(Array.from(normaliseChw(soft, rule)));
  });

  it('the card carries the rule; a card without it restores nothing; a bad one is refused', () => {
    expect(parseClassifierCard(shipped).crop.restore).toEqual(R);
    const { restore: _, ...crop } = shipped.crop;
    expect(parseClassifierCard({ ...shipped, crop }).crop.restore).toBeNull();
    expect(() => parseClassifierCard({ ...shipped, crop: { ...shipped.crop, restore: { ...R, sigma: 0 } } })).toThrow(/restore/);
    expect(() => parseClassifierCard({ ...shipped, crop: { ...shipped.crop, restore: { ...R, pad: 1.5 } } })).toThrow(/whole/);
  });
});
