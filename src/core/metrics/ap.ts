/**
 * Detection metrics, the same definitions as models/metrics.py (the model card's numbers):
 * - VOC all-point AP: greedy matching in descending score order, area under the monotone
 *   precision envelope;
 * - AP@[.5:.95]: all-point AP averaged over IoU 0.50:0.05:0.95. Not the COCO metric (which interpolates
 *   at 101 recall points and caps detections per image with maxDets); named for what it is;
 * - count accuracy: 1 - sum|pred - true| / sum(true).
 */
import { CLASS_NAMES, perClass, type CellClass, type PerClass } from '../detection/classes';
import { iou, type Box } from '../detection/geometry';

export interface Labeled {
  cls: CellClass;
  box: Box;
}
export interface Scored extends Labeled {
  score: number;
}
export interface EvalImage {
  gt: readonly Labeled[];
  dets: readonly Scored[];
}

export type Outcome = 'tp' | 'fp';

/** The ground-truth box overlapping `box` most (VOC rule: the best IoU, matched or not). */
function bestOverlap(box: Box, gt: readonly { box: Box }[], eligible: (j: number) => boolean = () => true): { index: number; iou: number } {
  let index = -1;
  let best = -Infinity;
  for (let j = 0; j < gt.length; j++) {
    if (!eligible(j)) continue;
    const v = iou(box, gt[j].box);
    if (v > best) {
      best = v;
      index = j;
    }
  }
  return { index, iou: best };
}

/** Greedy VOC matching for one class. Returns per-detection outcomes (in the input order of
 * dets across images) and the number of ground-truth boxes. */
function matchClass(images: readonly EvalImage[], cls: CellClass, iouThr: number) {
  const records: { score: number; img: number; box: Box; seq: number }[] = [];
  let nGt = 0;
  const gts = images.map((im) => im.gt.filter((g) => g.cls === cls));
  images.forEach((im, i) => {
    nGt += gts[i].length;
    for (const d of im.dets) if (d.cls === cls) records.push({ score: d.score, img: i, box: d.box, seq: records.length });
  });
  records.sort((a, b) => b.score - a.score || a.seq - b.seq);
  const used = gts.map((g) => new Uint8Array(g.length));
  const tp = new Uint8Array(records.length);
  records.forEach((r, rank) => {
    const { index, iou: v } = bestOverlap(r.box, gts[r.img]);
    if (index >= 0 && v >= iouThr && !used[r.img][index]) {
      used[r.img][index] = 1;
      tp[rank] = 1;
    }
  });
  return { tp, nGt, scores: records.map((r) => r.score) };
}

export function averagePrecision(images: readonly EvalImage[], cls: CellClass, iouThr = 0.5): number {
  const { tp, nGt } = matchClass(images, cls, iouThr);
  if (nGt === 0) return NaN;
  const n = tp.length;
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  let ctp = 0;
  for (let k = 0; k < n; k++) {
    ctp += tp[k];
    mrec[k + 1] = ctp / nGt;
    mpre[k + 1] = ctp / (k + 1);
  }
  mrec[n + 1] = 1;
  mpre[n + 1] = 0;
  for (let k = n; k >= 0; k--) mpre[k] = Math.max(mpre[k], mpre[k + 1]);
  let ap = 0;
  for (let k = 0; k <= n; k++) if (mrec[k + 1] !== mrec[k]) ap += (mrec[k + 1] - mrec[k]) * mpre[k + 1];
  return ap;
}

const mean = (xs: number[]) => {
  const v = xs.filter((x) => !Number.isNaN(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
};

export const COCO_IOUS = Array.from({ length: 10 }, (_, i) => 0.5 + 0.05 * i);

export interface DetectionMetrics {
  ap50: PerClass<number>;
  map50: number;
  ap5095: PerClass<number>;
  map5095: number;
}

export function evaluateDetections(images: readonly EvalImage[]): DetectionMetrics {
  const ap50 = perClass((c) => averagePrecision(images, c, 0.5));
  const ap5095 = perClass((c) => mean(COCO_IOUS.map((t) => averagePrecision(images, c, t))));
  return {
    ap50,
    map50: mean(CLASS_NAMES.map((c) => ap50[c])),
    ap5095,
    map5095: mean(CLASS_NAMES.map((c) => ap5095[c])),
  };
}

/** Precision and recall of a fixed set of detections (e.g. after the app's thresholds), IoU 0.5. */
export function precisionRecall(images: readonly EvalImage[], iouThr = 0.5): PerClass<{ precision: number; recall: number }> {
  return perClass((c) => {
    const { tp, nGt } = matchClass(images, c, iouThr);
    const hits = tp.reduce((a, b) => a + b, 0);
    return { precision: tp.length ? hits / tp.length : NaN, recall: nGt ? hits / nGt : NaN };
  });
}

export interface CountError {
  accuracy: number;
  mae: number;
  predicted: number;
  truth: number;
}

export function countErrors(images: readonly EvalImage[]): PerClass<CountError> {
  return perClass((c) => {
    let err = 0;
    let truth = 0;
    let predicted = 0;
    for (const im of images) {
      const t = im.gt.filter((g) => g.cls === c).length;
      const p = im.dets.filter((d) => d.cls === c).length;
      err += Math.abs(p - t);
      truth += t;
      predicted += p;
    }
    return { accuracy: truth ? 1 - err / truth : NaN, mae: images.length ? err / images.length : NaN, predicted, truth };
  });
}

/** Per-detection and per-ground-truth outcome in one image, for drawing TP / FP / missed. */
export function matchImage(
  gt: readonly Labeled[],
  dets: readonly Scored[],
  iouThr = 0.5,
): { detOutcome: Outcome[]; gtMatched: boolean[] } {
  const detOutcome: Outcome[] = dets.map(() => 'fp');
  const gtMatched = gt.map(() => false);
  const order = dets.map((_, i) => i).sort((a, b) => dets[b].score - dets[a].score || a - b);
  for (const i of order) {
    const { index, iou: v } = bestOverlap(dets[i].box, gt, (j) => gt[j].cls === dets[i].cls);
    if (index >= 0 && v >= iouThr && !gtMatched[index]) {
      gtMatched[index] = true;
      detOutcome[i] = 'tp';
    }
  }
  return { detOutcome, gtMatched };
}
