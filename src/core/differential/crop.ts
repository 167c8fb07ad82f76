/**
 * The classifier's crop rule (models/differential.py, the card's `crop`): a square centred on the WBC
 * box, side = factor x the box's longer side (at least factor x the image's median RBC: see minWbcSide),
 * outside the image the edge pixels replicated (pad "edge"; a number pads with that grey, the rule of
 * older cards), resized to size x size; then each channel is divided by its percentile value (a per-cell
 * white balance) and clipped. The browser resizes (drawImage); this module does the geometry and the
 * arithmetic.
 */
import type { Box } from '../detection/geometry';
import { restoreCrop, type CropRestore } from './restore';

/** "edge": replicate the image's edge pixels (issue 21: a grey pad turned into a false-colour frame after
 * the white balance on a warm microscope); a number: pad with that grey level. */
export type CropPad = number | 'edge';

export interface CropRule {
  factor: number;
  size: number;
  pad: CropPad;
  percentile: number;
  clip: number;
  /** A crop far softer than training's is deconvolved before the white balance (./restore; the card's
   * `crop.restore`). Absent: no restoration (cards before it). */
  restore?: CropRestore | null;
}

/** The square to cut out, in image pixels (may extend past the image). `minSide`: the box's side counts
 * as at least this (a box on part of a cell is widened to a whole cell, about its centre). */
export function cropRect(box: Box, factor: number, minSide = 0): { x: number; y: number; side: number } {
  const side = factor * Math.max(box.x2 - box.x1, box.y2 - box.y1, minSide);
  return { x: (box.x1 + box.x2) / 2 - side / 2, y: (box.y1 + box.y2) / 2 - side / 2, side };
}

/** cropRect on whole pixels (x, y, side), as the eval CLI cuts it (models/mirror.py crop_window). */
export function cropWindow(box: Box, factor: number, minSide = 0): { x: number; y: number; side: number } {
  const r = cropRect(box, factor, minSide);
  return { x: Math.round(r.x), y: Math.round(r.y), side: Math.max(1, Math.round(r.side)) };
}

/** Confident RBCs (score ≥ 0.5) that a WBC's box is compared with; fewer than this and no floor is set. */
const MIN_RBCS = 3;

/**
 * The smallest side a WBC's crop is built on: the image's median confident RBC (its longer side). No
 * white cell is smaller than a red one, so a WBC box under it is a part of a cell (issue 21: 37 of 300
 * boxes on one microscope sat on a nucleus lobe, and the crop became a blown-up nucleus); the crop then
 * takes the whole cell's size about the box's centre. 0 when the image has too few RBCs to say.
 */
export function minWbcSide(dets: readonly { cls: string; score: number; box: Box }[]): number {
  const sides = dets
    .filter((d) => d.cls === 'RBC' && d.score >= 0.5)
    .map((d) => Math.max(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1))
    .sort((a, b) => a - b);
  if (sides.length < MIN_RBCS) return 0;
  const m = sides.length >> 1;
  return sides.length % 2 ? sides[m] : (sides[m - 1] + sides[m]) / 2;
}

/** The source row (or column) of each of `count` crop pixels from `start`, clamped into [0, limit):
 * edge replication on whole pixels (models/mirror.py edge_indices). */
export function edgeIndices(start: number, count: number, limit: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.min(limit - 1, Math.max(0, start + i)));
}

/** One drawImage call: source rectangle in image pixels, destination in crop pixels. */
export interface Patch {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/**
 * Edge replication with drawImage: the part of the square inside the image, and each part outside it
 * stretched from the nearest one-pixel row, column or corner (up to 9 patches). Empty when the square
 * misses the image entirely.
 */
export function edgePatches(rect: { x: number; y: number; side: number }, width: number, height: number, size: number): Patch[] {
  const k = size / rect.side;
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(width, rect.x + rect.side);
  const y1 = Math.min(height, rect.y + rect.side);
  if (x1 <= x0 || y1 <= y0) return [];
  // per axis: [source start, source length, destination start, destination length]
  const spans = (lo: number, hi: number, start: number, limit: number) => {
    const out: [number, number, number, number][] = [];
    if (start < 0) out.push([0, 1, 0, (0 - start) * k]);
    out.push([lo, hi - lo, (lo - start) * k, (hi - lo) * k]);
    if (start + rect.side > limit) out.push([limit - 1, 1, (limit - start) * k, (start + rect.side - limit) * k]);
    return out;
  };
  const xs = spans(x0, x1, rect.x, width);
  const ys = spans(y0, y1, rect.y, height);
  return ys.flatMap(([sy, sh, dy, dh]) => xs.map(([sx, sw, dx, dw]) => ({ sx, sy, sw, sh, dx, dy, dw, dh })));
}

/** How a crop is drawn: a size x size square filled with the grey `fill` (0-1), then the drawImage calls. The pad
 * "edge" replicates the image's edge (its fill shows only where the square misses the image); a number is the
 * grey outside the image. The classifier's crops' plan (services/decoder); the gallery's tiles cut the
 * same square but draw only the image's part of it (services/cellTiles tileDraws), so the cell is where the model
 * saw it and the padding shows as none. */
export function cropDraws(rect: { x: number; y: number; side: number }, width: number, height: number, size: number, pad: CropPad): { fill: number; patches: Patch[] } {
  if (pad === 'edge') return { fill: 0.5, patches: edgePatches(rect, width, height, size) };
  return { fill: pad, patches: [{ sx: rect.x, sy: rect.y, sw: rect.side, sh: rect.side, dx: 0, dy: 0, dw: size, dh: size }] };
}

/** RGBA bytes of one size x size crop -> float32 CHW RGB in [0, 1]. */
export function rgbaToUnitChw(rgba: Uint8Array | Uint8ClampedArray, size: number): Float32Array {
  const n = size * size;
  if (rgba.length !== 4 * n) throw new RangeError(`expected ${4 * n} RGBA bytes, got ${rgba.length}`);
  const chw = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) chw[c * n + i] = rgba[4 * i + c] / 255;
  return chw;
}

/** RGBA bytes of one size x size crop (already padded and resized) -> normalised float32 CHW. */
export function normaliseCrop(rgba: Uint8Array | Uint8ClampedArray, rule: CropRule): Float32Array {
  return normaliseChw(rgbaToUnitChw(rgba, rule.size), rule);
}

/** Each channel divided by its percentile value, clipped: on a float CHW crop in [0,1] (the eval CLI
 * resizes in float; the app goes through normaliseCrop). With `rule.restore`, a soft crop is first
 * restored (./restore: a sharp one is left as it is). */
export function normaliseChw(chw: Float32Array, rule: CropRule): Float32Array {
  const n = rule.size * rule.size;
  if (chw.length !== 3 * n) throw new RangeError(`expected ${3 * n} values, got ${chw.length}`);
  if (rule.restore) chw = restoreCrop(chw, rule.size, rule.restore).crop;
  const out = new Float32Array(3 * n);
  const k = Math.max(1, Math.round(rule.percentile * (n - 1)));
  for (let c = 0; c < 3; c++) {
    const ch = chw.subarray(c * n, (c + 1) * n);
    // 0.05 as float32: training clamps a float32 tensor (models/mirror.py normalise)
    const p = Math.max(Math.fround(0.05), Float32Array.from(ch).sort()[k]);
    for (let i = 0; i < n; i++) out[c * n + i] = Math.min(rule.clip, Math.max(0, ch[i] / p));
  }
  return out;
}

/** Confusion-matrix summary: accuracy, balanced accuracy (mean recall over types present), recall per type. */
export function classificationMetrics(truth: readonly number[], pred: readonly number[], classes: readonly string[]) {
  const n = classes.length;
  const confusion = Array.from({ length: n }, () => Array<number>(n).fill(0));
  truth.forEach((t, i) => confusion[t][pred[i]]++);
  const perClass: Record<string, { recall: number | null; support: number }> = {};
  const recalls: number[] = [];
  classes.forEach((c, i) => {
    const support = confusion[i].reduce((a, b) => a + b, 0);
    const recall = support ? confusion[i][i] / support : null;
    perClass[c] = { recall, support };
    if (recall !== null) recalls.push(recall);
  });
  const correct = truth.filter((t, i) => t === pred[i]).length;
  return {
    images: truth.length,
    accuracy: truth.length ? correct / truth.length : NaN,
    balancedAccuracy: recalls.length ? recalls.reduce((a, b) => a + b, 0) / recalls.length : NaN,
    perClass,
    confusion,
    classes: [...classes],
  };
}

/** Softmax of one row of logits. */
export function softmax(logits: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]);
  const e = Array.from(logits, (x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
