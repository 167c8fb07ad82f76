/**
 * Magnification awareness. The model was trained with cells at a reference size (the median RBC of the
 * CBC microscope at the native input size). Pass 1 runs at the plan scale (the image fitted into the
 * native size); the median size of the confident RBCs not cut by the border estimates how far the
 * image's magnification is from the reference; when it is off by more than the tolerance, the image is
 * rescaled so that RBCs have the reference size and detected again (pass 2). The user can instead fix
 * the scale for a batch. models/scale.py mirrors this for tuning; `npm run eval` and the app run this.
 */
import type { CellClass } from './classes';
import type { Detection } from './detection';
import type { Box } from './geometry';
import { planInput } from './preprocess';
import { fieldRegion, type Circle } from '../quality/field';

export interface ScaleConfig {
  /** Median interior RBC size (sqrt of box area) at the reference scale, in model pixels. */
  referenceRbcPx: number;
  /** No second pass while the estimate is within [1/tolerance, tolerance] of the reference. */
  tolerance: number;
  /** RBC detections scoring at least this are used for the estimate. */
  estimateMinScore: number;
  /** Fewer such RBCs (not cut by the border) than this: no estimate, pass 1 stands. */
  estimateMinCells: number;
  /** Cap on the second pass's input size, in pixels. */
  maxPixels: number;
  minScale: number;
  maxScale: number;
  /** On a pass that enlarged the image (cells smaller than the reference, their pixels stretched), each
   * class's scores are raised by this on the logit scale per doubling (fitted on validation zoom-out). */
  enlargedLogitShift?: Partial<Record<CellClass, number>>;
}

/** A box within this many model pixels of an edge is cut by the border (models/dataset.py BORDER_PX). */
export const ESTIMATE_BORDER_PX = 2;

export function touchesBorder(b: Box, width: number, height: number, borderPx: number): boolean {
  return b.x1 <= borderPx || b.y1 <= borderPx || b.x2 >= width - borderPx || b.y2 >= height - borderPx;
}

export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/**
 * Estimated RBC size / reference size, from pass-1 detections in image pixels (the model saw the image
 * at `scale` model pixels per image pixel). null when too few confident RBCs are inside the image.
 */
export function estimateRatio(
  dets: readonly Detection[],
  imageWidth: number,
  imageHeight: number,
  scale: number,
  cfg: ScaleConfig,
): number | null {
  const border = ESTIMATE_BORDER_PX / scale;
  const sizes: number[] = [];
  let confident = 0;
  for (const d of dets) {
    if (d.cls !== 'RBC' || d.score < cfg.estimateMinScore) continue;
    confident++;
    if (touchesBorder(d.box, imageWidth, imageHeight, border)) continue;
    sizes.push(Math.sqrt(Math.max(0, d.box.x2 - d.box.x1) * Math.max(0, d.box.y2 - d.box.y1)) * scale);
  }
  if (confident < cfg.estimateMinCells) return null;
  const m = median(sizes);
  return m === null ? null : m / cfg.referenceRbcPx;
}

/** The scale (model px per image px) for pass 2, or null when pass 1 stands. */
export function secondPassScale(planScale: number, ratio: number | null, width: number, height: number, cfg: ScaleConfig): number | null {
  if (ratio === null || !(ratio > 0) || (ratio >= 1 / cfg.tolerance && ratio <= cfg.tolerance)) return null;
  let s = planScale / ratio;
  s = Math.min(s, Math.sqrt(cfg.maxPixels / (width * height)));
  return Math.max(cfg.minScale, Math.min(cfg.maxScale, s));
}

/** The largest scale a second pass reaches on a `width` x `height` image (or a small field's square read as
 * one): its input is capped at `maxPixels`, and the scale at `maxScale`. Over the plan scale, it is how far the
 * second pass can enlarge cells that look small: 2x for any 4:3 frame fitted into a 4:3 native size, more for a
 * square (2.31x) or a 16:9 frame, whose plan leaves part of the native size empty. */
export function reachableScale(width: number, height: number, cfg: ScaleConfig): number {
  return Math.max(cfg.minScale, Math.min(cfg.maxScale, Math.sqrt(cfg.maxPixels / (width * height))));
}

/** The scale (model px per image px) when the user fixes the magnification: `relative` times the plan
 * scale, held to the same limits as a second pass (none without the card's scale settings). */
export function fixedScale(planScale: number, relative: number, width: number, height: number, cfg: ScaleConfig | null): number {
  const s = planScale * relative;
  if (!cfg) return s;
  return Math.max(cfg.minScale, Math.min(cfg.maxScale, Math.min(s, Math.sqrt(cfg.maxPixels / (width * height)))));
}

/** The model input size for an image at `scale` (floored, as torchvision and planInput do). */
export function sizeAt(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

export interface ScaleInfo {
  /** Model pixels per image pixel of the pass whose detections were kept. */
  used: number;
  /** Relative to the plan scale: 1 = the model's reference magnification. */
  relative: number;
  /** Estimated RBC size / reference from pass 1 (null: not estimated, or fixed by the user). */
  estimated: number | null;
  passes: 1 | 2;
  fixed: boolean;
  /** The fixed scale asked for, before clamping to the model's range (fixed only). */
  requested?: number;
  /** The square about a small eyepiece field that was read instead of the whole image (image pixels): `used`
   * and `relative` are then of that square, and `relative` against the square's own plan. Absent: the whole
   * image was read. */
  region?: Region;
}

/**
 * Scores of a pass that enlarged the image by `relative` (> 1), calibrated: the stretched pixels of small
 * cells score lower than the same cells at the reference size, by about the same logit per doubling
 * (models/mirror.py enlarged_scores mirrors this). Any other pass is returned as it is.
 */
export function enlargedScores<T extends Detection>(raw: T[], relative: number, cfg: ScaleConfig | null): T[] {
  const shift = cfg?.enlargedLogitShift;
  if (!(relative > 1) || !shift || !Object.values(shift).some((b) => b)) return raw;
  const k = Math.log2(relative);
  return raw.map((d) => {
    const b = shift[d.cls];
    if (!b) return d;
    const p = Math.min(1 - 1e-7, Math.max(1e-7, d.score));
    return { ...d, score: 1 / (1 + Math.exp(-(Math.log(p / (1 - p)) + b * k))) };
  });
}

/** A part of the image, in its pixels: the square about a small eyepiece field that the detector reads instead
 * of the whole frame (core/quality/field fieldRegion). */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One pass: its detections in the pixels of the image (of `region`, where it ran on one), and the eyepiece
 * field the worker found on its input, in the same pixels (null: none; absent: not looked for). */
export interface Pass {
  raw: Detection[];
  field?: Circle | null;
}

/** Runs the model at a scale (on `region` alone, where given: `size` is then the region's) and returns its
 * detections in image pixels (the region's). */
export type RunAtScale = (scale: number, size: { width: number; height: number }, region?: Region) => Promise<Detection[] | Pass>;

const asPass = (p: Detection[] | Pass): Pass => (Array.isArray(p) ? { raw: p } : p);

/** The estimate and second pass on an image (or a region read as one) whose first pass ran at `plan`. */
async function estimateAndRescale(width: number, height: number, plan: { scale: number }, raw1: Detection[], cfg: ScaleConfig, run: (s: number, size: { width: number; height: number }) => Promise<Detection[]>) {
  const estimated = estimateRatio(raw1, width, height, plan.scale, cfg);
  const s2 = secondPassScale(plan.scale, estimated, width, height, cfg);
  if (s2 === null) return { raw: raw1, scale: { used: plan.scale, relative: 1, estimated, passes: 1 as const, fixed: false } };
  const raw2 = enlargedScores(await run(s2, sizeAt(width, height, s2)), s2 / plan.scale, cfg);
  return { raw: raw2, scale: { used: s2, relative: s2 / plan.scale, estimated, passes: 2 as const, fixed: false } };
}

/** Detections made on `region` alone, moved back into the whole image's pixels. */
export function outOfRegion<T extends { box: Box }>(dets: readonly T[], region: Pick<Region, 'x' | 'y'>): T[] {
  return dets.map((d) => ({ ...d, box: { x1: d.box.x1 + region.x, y1: d.box.y1 + region.y, x2: d.box.x2 + region.x, y2: d.box.y2 + region.y } }));
}

/**
 * The scale logic around one image. `fixedRelative` (the user's batch setting) skips the estimate:
 * the image runs once at plan scale x fixedRelative (a small field's square, where that pass found one, at its
 * own plan scale x fixedRelative).
 *
 * A phone held back from the eyepiece sees the field of view as a small disc in a black frame: fitted whole
 * into the model's input, its cells come out a few pixels wide, too small to find or even to estimate, and
 * the second pass's pixel cap (`maxPixels`, on the whole frame) holds them small. Where the first pass's
 * worker found such a disc (`fieldRegion`), the square about it is read as the image: planned, estimated and
 * rescaled on its own, the detections moved back into the frame's pixels, and the region kept in ScaleInfo.
 */
export async function detectWithScale(
  width: number,
  height: number,
  native: { width: number; height: number },
  cfg: ScaleConfig | null,
  run: RunAtScale,
  fixedRelative?: number | null,
): Promise<{ raw: Detection[]; scale: ScaleInfo }> {
  const plan = planInput(width, height, native);
  if (fixedRelative && fixedRelative > 0) {
    // The user's magnification, on the image or, where its pass found a small field of view, on the field's
    // square read as the image (relative to the square's own plan, as an estimated scale is): fitted whole, the
    // disc's cells were as small as without the setting. The square costs one more pass, on such images only.
    const s = fixedScale(plan.scale, fixedRelative, width, height, cfg);
    const whole = asPass(await run(s, sizeAt(width, height, s)));
    const region = cfg ? fieldRegion(whole.field ?? null, width, height) : null;
    if (!region) return { raw: enlargedScores(whole.raw, s / plan.scale, cfg), scale: { used: s, relative: s / plan.scale, estimated: null, passes: 1, fixed: true, requested: fixedRelative } };
    const rplan = planInput(region.width, region.height, native);
    const rs = fixedScale(rplan.scale, fixedRelative, region.width, region.height, cfg);
    const raw = enlargedScores(asPass(await run(rs, sizeAt(region.width, region.height, rs), region)).raw, rs / rplan.scale, cfg);
    return { raw: outOfRegion(raw, region), scale: { used: rs, relative: rs / rplan.scale, estimated: null, passes: 1, fixed: true, requested: fixedRelative, region } };
  }
  const first = asPass(await run(plan.scale, { width: plan.width, height: plan.height }));
  if (!cfg) return { raw: first.raw, scale: { used: plan.scale, relative: 1, estimated: null, passes: 1, fixed: false } };
  const region = fieldRegion(first.field ?? null, width, height);
  if (!region) return estimateAndRescale(width, height, plan, first.raw, cfg, async (s, size) => asPass(await run(s, size)).raw);
  const inRegion = async (s: number, size: { width: number; height: number }) => asPass(await run(s, size, region)).raw;
  const rplan = planInput(region.width, region.height, native);
  const raw1 = await inRegion(rplan.scale, { width: rplan.width, height: rplan.height });
  const read = await estimateAndRescale(region.width, region.height, rplan, raw1, cfg, inRegion);
  return { raw: outOfRegion(read.raw, region), scale: { ...read.scale, region } };
}
