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

/** Runs the model at a scale and returns its detections in image pixels. */
export type RunAtScale = (scale: number, size: { width: number; height: number }) => Promise<Detection[]>;

/**
 * The scale logic around one image. `fixedRelative` (the user's batch setting) skips the estimate:
 * the image runs once at plan scale x fixedRelative.
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
    const s = fixedScale(plan.scale, fixedRelative, width, height, cfg);
    const raw = enlargedScores(await run(s, sizeAt(width, height, s)), s / plan.scale, cfg);
    return { raw, scale: { used: s, relative: s / plan.scale, estimated: null, passes: 1, fixed: true, requested: fixedRelative } };
  }
  const raw1 = await run(plan.scale, { width: plan.width, height: plan.height });
  if (!cfg) return { raw: raw1, scale: { used: plan.scale, relative: 1, estimated: null, passes: 1, fixed: false } };
  const estimated = estimateRatio(raw1, width, height, plan.scale, cfg);
  const s2 = secondPassScale(plan.scale, estimated, width, height, cfg);
  if (s2 === null) return { raw: raw1, scale: { used: plan.scale, relative: 1, estimated, passes: 1, fixed: false } };
  const raw2 = enlargedScores(await run(s2, sizeAt(width, height, s2)), s2 / plan.scale, cfg);
  return { raw: raw2, scale: { used: s2, relative: s2 / plan.scale, estimated, passes: 2, fixed: false } };
}
