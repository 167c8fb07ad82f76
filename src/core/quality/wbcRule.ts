/**
 * "A red cell is never a white cell": on unfamiliar stains the detector takes dark or bluish RBCs for
 * WBCs (issue 15). A white cell has a nucleus: a patch darker and bluer than anything inside the
 * image's own red cells, and it is larger than they are. So a "WBC" the size of the image's RBCs with
 * almost no pixel darker and bluer than the RBCs' darkest is taken to be a red cell. Colours are
 * compared with the RBCs of the same image only, so the rule holds under any stain or white balance.
 */
import type { Detection } from '../detection/detection';
import { iou, type Box } from '../detection/geometry';
import { median } from '../detection/scale';
import { boxPixels, quantile, type SmallImage } from './pixels';

export interface WbcRuleParams {
  /** RBCs scoring at least this are the image's reference red cells. */
  rbcMinScore: number;
  /** At least this many reference RBCs, or the rule does not run (no reference). */
  minRbcs: number;
  /** The median RBC must span at least this many pixels of the small copy, or a nucleus cannot be seen
   * at that resolution (a low-magnification field) and the rule does not run. */
  minRbcPx: number;
  /** Reference: this quantile of grey inside RBCs (dark end) and 1 - it of B-R (blue end). */
  refQuantile: number;
  /** A WBC candidate no larger than this x the median RBC size (sqrt of box area) may be a red cell... */
  maxSizeRatio: number;
  /** ...and is one when fewer than this fraction of its pixels are nucleus-like. */
  minNucleusFraction: number;
}

export interface RbcReference {
  /** median sqrt(area) of the reference RBCs, image px */
  size: number;
  /** grey level below which a pixel is darker than (almost) all RBC pixels */
  dark: number;
  /** B-R above which a pixel is bluer than (almost) all RBC pixels */
  blue: number;
}

const side = (b: Box) => Math.sqrt(Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1));

export function rbcReference(img: SmallImage, dets: readonly Detection[], p: WbcRuleParams): RbcReference | null {
  const rbcs = dets.filter((d) => d.cls === 'RBC' && d.score >= p.rbcMinScore);
  if (rbcs.length < p.minRbcs) return null;
  const size = median(rbcs.map((d) => side(d.box)))!;
  if (size * img.scale < p.minRbcPx) return null;
  const grey: number[] = [];
  const blue: number[] = [];
  for (const d of rbcs) {
    const px = boxPixels(img, d.box);
    for (const g of px.grey) grey.push(g);
    for (const b of px.blue) blue.push(b);
  }
  const dark = quantile(grey, p.refQuantile);
  const bl = quantile(blue, 1 - p.refQuantile);
  if (dark === null || bl === null) return null;
  return { size, dark, blue: bl };
}

export interface WbcEvidence {
  /** sqrt(area) / the reference RBC size */
  sizeRatio: number;
  /** fraction of the box's central pixels both darker and bluer than the reference RBCs' extremes */
  nucleusFraction: number;
}

export function wbcEvidence(img: SmallImage, box: Box, ref: RbcReference): WbcEvidence {
  const px = boxPixels(img, box);
  let k = 0;
  for (let i = 0; i < px.grey.length; i++) if (px.grey[i] < ref.dark && px.blue[i] > ref.blue) k++;
  return { sizeRatio: side(box) / ref.size, nucleusFraction: px.grey.length ? k / px.grey.length : 0 };
}

export function looksLikeRbc(e: WbcEvidence, p: WbcRuleParams): boolean {
  return e.sizeRatio <= p.maxSizeRatio && e.nucleusFraction < p.minNucleusFraction;
}

/**
 * Raw detections with the red-cell "WBCs" turned into RBCs: same box, same score, now judged by the RBC
 * threshold. Relabelled rather than dropped because on the validation data most of them sit where no
 * RBC was detected (the calibration script measures both), so dropping would lose a red cell.
 * Returns the input array itself when nothing changes.
 */
export function applyWbcRule(raw: Detection[], img: SmallImage, p: WbcRuleParams, minScore = 0): Detection[] {
  const ref = rbcReference(img, raw, p);
  if (!ref) return raw;
  let changed = false;
  const out = raw.map((d) => {
    if (d.cls !== 'WBC' || d.score < minScore || !looksLikeRbc(wbcEvidence(img, d.box, ref), p)) return d;
    changed = true;
    return { ...d, cls: 'RBC' as const };
  });
  return changed ? out : raw;
}

/** How much a WBC box overlaps the best RBC among `dets` (for measuring relabel against drop). */
export function rbcOverlap(box: Box, dets: readonly Detection[]): number {
  let best = 0;
  for (const d of dets) if (d.cls === 'RBC') best = Math.max(best, iou(box, d.box));
  return best;
}
