/** Confidence triage: the detections the model is least sure of, first. */
import type { PostprocessParams } from '../detection/card';
import type { Detection } from '../detection/detection';
import { postprocess } from '../detection/postprocess';
import { typeUnsure } from '../differential/differential';

/**
 * Model boxes in the band below their class threshold (score in [threshold − band, threshold)) that no
 * shown box already covers: what a threshold just too high leaves out. NMS runs as at the lowered
 * thresholds, so a near duplicate of a shown box is not proposed. `skip`: ids already decided (shown,
 * deleted, kept, accepted).
 */
export function belowThreshold(raw: readonly Detection[], p: PostprocessParams, band: number, skip: ReadonlySet<string>): Detection[] {
  if (!(band > 0) || !Number.isFinite(band)) return [];
  const lowered = Object.fromEntries(Object.entries(p.scoreThresholds).map(([c, t]) => [c, Math.max(0, t - band)])) as PostprocessParams['scoreThresholds'];
  return postprocess(raw, { ...p, scoreThresholds: lowered }).filter((d) => d.origin === 'model' && d.score < p.scoreThresholds[d.cls] && !skip.has(d.id));
}

/** WBCs whose type the classifier is unsure of (probability under `lowConfidence`), least sure first;
 * then model detections ordered by distance of their score from their class threshold (closest first). */
export function uncertaintyOrder(
  dets: readonly Detection[],
  p: PostprocessParams,
  lowConfidence = 0,
  /** Only detections whose score is within this of their class threshold (Infinity: all). */
  band = Infinity,
  /** Boxes a reviewer accepted: no longer uncertain. */
  accepted: readonly string[] = [],
  /** Model boxes in the band below the threshold (belowThreshold): visited in the same margin order. */
  below: readonly Detection[] = [],
): Detection[] {
  const ok = new Set(accepted);
  const unsureType = dets
    .filter((d) => !!d.wbc && typeUnsure(d.wbc, lowConfidence) && !ok.has(d.id))
    .sort((a, b) => a.wbc!.p - b.wbc!.p);
  const rest = [...dets, ...below]
    .filter((d) => d.origin === 'model' && !unsureType.includes(d) && !ok.has(d.id))
    .map((d, i) => ({ d, i, m: Math.abs(d.score - p.scoreThresholds[d.cls]) }))
    .filter((x) => x.m <= band)
    .sort((a, b) => a.m - b.m || a.i - b.i)
    .map((x) => x.d);
  return [...unsureType, ...rest];
}

/** The next detection to look at after `currentId` in uncertainty order, or null at the end. */
export function nextUncertain(
  dets: readonly Detection[],
  p: PostprocessParams,
  currentId: string | null,
  lowConfidence = 0,
  band = Infinity,
  accepted: readonly string[] = [],
  below: readonly Detection[] = [],
): Detection | null {
  const order = uncertaintyOrder(dets, p, lowConfidence, band, accepted, below);
  if (!order.length) return null;
  const i = currentId ? order.findIndex((d) => d.id === currentId) : -1;
  return order[i + 1] ?? null;
}

/** The image to review after `currentId`: the first later one (wrapping round) that is done and not
 * yet reviewed, or null when none is left. */
export function nextUnreviewed(
  order: readonly string[],
  currentId: string,
  isPending: (id: string) => boolean,
): string | null {
  const i = order.indexOf(currentId);
  const rest = [...order.slice(i + 1), ...order.slice(0, Math.max(0, i))];
  return rest.find((id) => id !== currentId && isPending(id)) ?? null;
}

export type ReviewStep =
  | { kind: 'select'; detectionId: string }
  /** Past the last uncertain box with `count` of them neither accepted nor corrected: back to the first. */
  | { kind: 'skipped'; detectionId: string; count: number }
  | { kind: 'finish-image'; next: string | null };

/** What the review key does: select the next uncertain detection of the image; past the last one, go
 * back to the first one still unresolved (a box passed over with U is neither accepted nor corrected, and
 * "Reviewed: yes" on the report would vouch for it); only when none is left, mark the image reviewed and
 * move to the next image that still needs review. */
export function reviewStep(
  dets: readonly Detection[],
  p: PostprocessParams,
  selectedId: string | null,
  order: readonly string[],
  currentId: string,
  isPending: (id: string) => boolean,
  lowConfidence = 0,
  band = Infinity,
  accepted: readonly string[] = [],
  below: readonly Detection[] = [],
): ReviewStep {
  const left = uncertaintyOrder(dets, p, lowConfidence, band, accepted, below);
  const i = selectedId ? left.findIndex((d) => d.id === selectedId) : -1;
  const next = left[i + 1];
  if (next) return { kind: 'select', detectionId: next.id };
  if (left.length) return { kind: 'skipped', detectionId: left[0].id, count: left.length };
  return { kind: 'finish-image', next: nextUnreviewed(order, currentId, isPending) };
}
