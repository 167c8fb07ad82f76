/**
 * The classifier's crop rule (models/differential.py, the card's `crop`): a square centred on the WBC
 * box, side = factor x the box's longer side, padded with mid grey outside the image, resized to
 * size x size; then each channel is divided by its percentile value (a per-cell white balance) and
 * clipped. The browser resizes (drawImage); this module does the geometry and the arithmetic.
 */
import type { Box } from '../detection/geometry';

export interface CropRule {
  factor: number;
  size: number;
  pad: number;
  percentile: number;
  clip: number;
}

/** The square to cut out, in image pixels (may extend past the image). */
export function cropRect(box: Box, factor: number): { x: number; y: number; side: number } {
  const side = factor * Math.max(box.x2 - box.x1, box.y2 - box.y1);
  return { x: (box.x1 + box.x2) / 2 - side / 2, y: (box.y1 + box.y2) / 2 - side / 2, side };
}

/** cropRect on whole pixels (x, y, side), as the eval CLI cuts it (models/mirror.py crop_window). */
export function cropWindow(box: Box, factor: number): { x: number; y: number; side: number } {
  const r = cropRect(box, factor);
  return { x: Math.round(r.x), y: Math.round(r.y), side: Math.max(1, Math.round(r.side)) };
}

/** RGBA bytes of one size x size crop (already padded and resized) -> normalised float32 CHW. */
export function normaliseCrop(rgba: Uint8Array | Uint8ClampedArray, rule: CropRule): Float32Array {
  const n = rule.size * rule.size;
  if (rgba.length !== 4 * n) throw new RangeError(`expected ${4 * n} RGBA bytes, got ${rgba.length}`);
  const chw = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) chw[c * n + i] = rgba[4 * i + c] / 255;
  return normaliseChw(chw, rule);
}

/** Each channel divided by its percentile value, clipped: on a float CHW crop in [0,1] (the eval CLI
 * resizes in float; the app goes through normaliseCrop). */
export function normaliseChw(chw: Float32Array, rule: CropRule): Float32Array {
  const n = rule.size * rule.size;
  if (chw.length !== 3 * n) throw new RangeError(`expected ${3 * n} values, got ${chw.length}`);
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
