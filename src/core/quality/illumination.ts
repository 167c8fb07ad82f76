/**
 * Uneven light: a lamp off centre (Köhler illumination not set) or a camera's vignetting darkens part of
 * the field. The detector was trained on evenly lit fields, so in the darker part it loses platelets and
 * pale cells, and the focus measure reads the dark part's weak edges as blur. The light's shape is read
 * from the field's background (the plasma between the cells, the brightest pixels of each tile): a smooth
 * surface, log-quadratic in x and y, fitted to the tiles' bright levels from above (an upper envelope, so
 * that tiles full of cells, with no background, do not pull it down). Where the darkest part of that
 * surface is under EVEN_OUT_BAR of its brightest, the field is divided by it (a flat-field correction, as
 * microscope cameras' shading correction does) before it is counted and judged; an evenly lit field is
 * left exactly as it is.
 */
import { inCircle, type Circle } from './field';

/** The light's surface: log(level) = c0 + c1 u + c2 v + c3 u² + c4 v² + c5 u v, u and v in [-1, 1]
 * across the image (so it does not depend on the resolution it was fitted at). */
export interface Illumination {
  coef: number[];
  /** The surface's darkest level over its brightest, over the tiles inside the field (1: even). */
  ratio: number;
  /** log of the brightest level over the field's tiles: the level the field is raised to. */
  logMax: number;
}

/** A field whose light falls under this fraction of its brightest part is evened out before it is counted
 * and judged. Validation fields under a vignette of 30% (the corners at 0.7 of the centre; a median of 0.76)
 * lost 2 of 134 WBCs to the WBC rule (the dark corners' red cells made its reference too dark) and 5 of 135
 * platelets; evened out under 0.8 they lost none, and the 126 validation fields as saved moved by 2 red cells
 * of 2,600 (3 of them are under 0.8; scripts/illuminationStudy.ts prints every folder's spread). */
export const EVEN_OUT_BAR = 0.8;
/** Under this the light is uneven enough to say so (the `uneven-light` flag): no field of the training
 * microscopes is (their least even, a bcd field, reads 0.707), while the stress sets' vignettes and lamps that
 * cost platelets (corners at half the light and darker) read medians of 0.26-0.60. */
export const UNEVEN_BAR = 0.7;
/** No pixel is raised more than this: a part of the field darker than a quarter of the rest is not restored. */
export const MAX_GAIN = 4;

const TILES_X = 12;
const TILES_Y = 9;
/** Each tile's level: this quantile of its grey (the background, where the tile has any). */
const TILE_QUANTILE = 0.95;
/** Asymmetric weights: a tile under the surface (cells, no background) counts this much of one above it. */
const BELOW_WEIGHT = 0.05;
const ITERATIONS = 12;

const terms = (u: number, v: number) => [1, u, v, u * u, v * v, u * v];

/** Solve the 6x6 normal equations (Gaussian elimination with partial pivoting); null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) < 1e-12) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((r, i) => r[n] / r[i]);
}

const evalAt = (coef: number[], u: number, v: number) => terms(u, v).reduce((s, t, i) => s + t * coef[i], 0);

/**
 * The light's surface of a grey image (values in any unit, e.g. 0-1 or 0-255), or null when too little of
 * it can be read (a tiny image, a field of view too small, a black image). `field`: an eyepiece disc, in
 * this image's pixels; only tiles whose centre is inside it are read.
 */
export function fitIllumination(grey: ArrayLike<number>, width: number, height: number, field?: Circle | null): Illumination | null {
  if (grey.length !== width * height) throw new RangeError(`expected ${width * height} grey values, got ${grey.length}`);
  return fitWith((i) => grey[i], width, height, field ?? null, 1);
}

/** The surface from `at(i)`, the grey (any unit) of pixel i, read on every `step`-th pixel and row. */
function fitWith(at: (i: number) => number, width: number, height: number, field: Circle | null, step: number): Illumination | null {
  if (width < TILES_X * 4 || height < TILES_Y * 4) return null;
  let top = 0;
  for (let y = 0; y < height; y += step) for (let x = 0; x < width; x += step) top = Math.max(top, at(y * width + x));
  if (!(top > 0)) return null;
  const bins = 128;
  const toBin = bins / top;
  const hist = new Uint32Array(bins);
  const pts: { u: number; v: number; z: number }[] = [];
  for (let ty = 0; ty < TILES_Y; ty++) {
    const y0 = Math.floor((ty * height) / TILES_Y);
    const y1 = Math.floor(((ty + 1) * height) / TILES_Y);
    for (let tx = 0; tx < TILES_X; tx++) {
      const x0 = Math.floor((tx * width) / TILES_X);
      const x1 = Math.floor(((tx + 1) * width) / TILES_X);
      const cx = (x0 + x1) / 2;
      const cy = (y0 + y1) / 2;
      if (field && !inCircle(field, cx, cy)) continue;
      hist.fill(0);
      let k = 0;
      for (let y = y0; y < y1; y += step) {
        for (let x = x0; x < x1; x += step, k++) hist[Math.min(bins - 1, Math.floor(at(y * width + x) * toBin))]++;
      }
      const want = TILE_QUANTILE * k;
      let c = 0;
      let b = 0;
      for (; b < bins; b++) {
        c += hist[b];
        if (c >= want) break;
      }
      const level = ((b + 0.5) / bins) * top;
      if (level < top / bins) continue; // a black tile: nothing lit to read
      pts.push({ u: (2 * cx) / width - 1, v: (2 * cy) / height - 1, z: Math.log(level) });
    }
  }
  if (pts.length < 12) return null;
  const w = pts.map(() => 1);
  let coef: number[] | null = null;
  for (let it = 0; it < ITERATIONS; it++) {
    const a = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
    const b = new Array<number>(6).fill(0);
    pts.forEach((p, i) => {
      const t = terms(p.u, p.v);
      for (let r = 0; r < 6; r++) {
        b[r] += w[i] * t[r] * p.z;
        for (let q = 0; q < 6; q++) a[r][q] += w[i] * t[r] * t[q];
      }
    });
    const next = solve(a, b);
    if (!next) return null;
    coef = next;
    pts.forEach((p, i) => (w[i] = p.z < evalAt(next, p.u, p.v) ? BELOW_WEIGHT : 1));
  }
  if (!coef) return null;
  const fitted = coef;
  const levels = pts.map((p) => evalAt(fitted, p.u, p.v));
  const logMax = Math.max(...levels);
  const ratio = Math.exp(Math.min(...levels) - logMax);
  return { coef, ratio, logMax };
}

/** The gain that brings the pixel at (x, y) of a width x height image to the field's brightest light. */
export function gainAt(ill: Illumination, x: number, y: number, width: number, height: number): number {
  const g = Math.exp(ill.logMax - evalAt(ill.coef, (2 * (x + 0.5)) / width - 1, (2 * (y + 0.5)) / height - 1));
  return Math.min(MAX_GAIN, Math.max(1, g));
}

/** Is the light uneven enough to even out (EVEN_OUT_BAR)? */
export const needsEvening = (ill: Illumination | null): ill is Illumination => ill !== null && ill.ratio < EVEN_OUT_BAR;

/** Grey (the channels' mean) of a CHW float image. */
export function greyOfChw(chw: Float32Array, width: number, height: number): Float32Array {
  const n = width * height;
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = (chw[i] + chw[n + i] + chw[2 * n + i]) / 3;
  return g;
}

/** Grey (the channels' mean) of RGBA bytes. */
export function greyOfRgba(data: ArrayLike<number>, width: number, height: number): Float32Array {
  const n = width * height;
  const g = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) g[i] = (data[j] + data[j + 1] + data[j + 2]) / 3;
  return g;
}

/** Row y's gains into `out` (width floats). Along a row the log-gain is quadratic in x, so the gain is
 * carried from pixel to pixel by two multiplications (exact up to rounding) instead of an exp per pixel. */
function rowGains(ill: Illumination, y: number, width: number, height: number, out: Float32Array) {
  const [c0, c1, c2, c3, c4, c5] = ill.coef;
  const du = 2 / width;
  const v = (2 * (y + 0.5)) / height - 1;
  // the surface at u is A + B u + C u^2
  const A = c0 + c2 * v + c4 * v * v;
  const B = c1 + c5 * v;
  const C = c3;
  const u0 = du / 2 - 1;
  let g = Math.exp(ill.logMax - (A + B * u0 + C * u0 * u0));
  // the next pixel's gain over this one's, and how that ratio changes per pixel
  let r = Math.exp(-(B * du + C * (2 * u0 * du + du * du)));
  const q = Math.exp(-2 * C * du * du);
  for (let x = 0; x < width; x++) {
    out[x] = g < 1 ? 1 : g > MAX_GAIN ? MAX_GAIN : g;
    g *= r;
    r *= q;
  }
}

/** Flatten a CHW float image in [0, 1] in place (values clipped at 1). */
export function flattenChw(chw: Float32Array, width: number, height: number, ill: Illumination): void {
  const n = width * height;
  if (chw.length !== 3 * n) throw new RangeError(`expected ${3 * n} floats, got ${chw.length}`);
  const gains = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    rowGains(ill, y, width, height, gains);
    for (let c = 0; c < 3; c++) {
      const o = c * n + y * width;
      for (let x = 0; x < width; x++) {
        const v = chw[o + x] * gains[x];
        chw[o + x] = v > 1 ? 1 : v;
      }
    }
  }
}

/** A flattened copy of RGBA bytes (alpha kept). */
export function flattenRgba<T extends Uint8ClampedArray | Uint8Array>(data: T, width: number, height: number, ill: Illumination): T {
  const out = data.slice() as T;
  const gains = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    rowGains(ill, y, width, height, gains);
    for (let x = 0, j = y * width * 4; x < width; x++, j += 4) {
      const g = gains[x];
      out[j] = Math.min(255, Math.round(data[j] * g));
      out[j + 1] = Math.min(255, Math.round(data[j + 1] * g));
      out[j + 2] = Math.min(255, Math.round(data[j + 2] * g));
    }
  }
  return out;
}

/**
 * The detector's input, evenly lit: fits the light of a CHW float image (the model's input, in [0, 1]) and
 * flattens it in place when it is uneven. `field`: an eyepiece disc in this image's pixels (the ring is left
 * out of the fit; the caller fills it after). Returns the light's surface when it flattened, else null.
 */
export function evenLight(chw: Float32Array, width: number, height: number, field: Circle | null): Illumination | null {
  const n = width * height;
  if (chw.length !== 3 * n) throw new RangeError(`expected ${3 * n} floats, got ${chw.length}`);
  // the channels' sum (the unit does not matter), on every other pixel and row: the same tiles' levels
  const ill = fitWith((i) => chw[i] + chw[n + i] + chw[2 * n + i], width, height, field, 2);
  if (!needsEvening(ill)) return null;
  flattenChw(chw, width, height, ill);
  return ill;
}
