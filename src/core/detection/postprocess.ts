import type { PostprocessParams } from './card';
import type { Detection } from './detection';
import { iou } from './geometry';

/**
 * Greedy NMS. Returns the kept detections in descending score order (ties keep input order).
 * A detection is dropped when a kept, higher-ranked one of the same group overlaps it with IoU > iouThr.
 * Mirrors models/postprocess.py, which tunes the card's defaults.
 */
export function nms<T extends Detection>(dets: readonly T[], iouThr: number, sameGroup?: (a: T, b: T) => boolean): T[] {
  const order = dets.map((_, i) => i).sort((a, b) => dets[b].score - dets[a].score || a - b);
  const suppressed = new Uint8Array(dets.length);
  const keep: T[] = [];
  for (let ia = 0; ia < order.length; ia++) {
    const a = dets[order[ia]];
    if (suppressed[ia]) continue;
    keep.push(a);
    for (let ib = ia + 1; ib < order.length; ib++) {
      if (suppressed[ib]) continue;
      const b = dets[order[ib]];
      if ((!sameGroup || sameGroup(a, b)) && iou(a.box, b.box) > iouThr) suppressed[ib] = 1;
    }
  }
  return keep;
}

/** Per-class score threshold, then NMS within each class, then optionally NMS across classes
 * (one cell labelled twice keeps its most confident label). Pure: sliders re-run only this. */
export function postprocess<T extends Detection>(raw: readonly T[], p: PostprocessParams): T[] {
  const passed = raw.filter((d) => d.score >= p.scoreThresholds[d.cls]);
  let kept = nms(passed, p.nmsIou, (a, b) => a.cls === b.cls);
  if (p.crossClassNms) kept = nms(kept, p.nmsIou);
  return kept;
}
