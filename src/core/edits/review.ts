/** Confidence triage: the detections the model is least sure of, first. */
import type { PostprocessParams } from '../detection/card';
import type { Detection } from '../detection/detection';

/** Model detections ordered by distance of their score from their class threshold (closest first). */
export function uncertaintyOrder(dets: readonly Detection[], p: PostprocessParams): Detection[] {
  return dets
    .filter((d) => d.origin === 'model')
    .map((d, i) => ({ d, i, m: Math.abs(d.score - p.scoreThresholds[d.cls]) }))
    .sort((a, b) => a.m - b.m || a.i - b.i)
    .map((x) => x.d);
}

/** The next detection to look at after `currentId` in uncertainty order, or null at the end. */
export function nextUncertain(dets: readonly Detection[], p: PostprocessParams, currentId: string | null): Detection | null {
  const order = uncertaintyOrder(dets, p);
  if (!order.length) return null;
  const i = currentId ? order.findIndex((d) => d.id === currentId) : -1;
  return order[i + 1] ?? null;
}
