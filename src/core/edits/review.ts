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
  /** Past the last uncertain box with `count` of them neither accepted nor corrected, and no other image left
   * to review: back to the first of them (the one place the review stays on an image it has been through). */
  | { kind: 'skipped'; detectionId: string; count: number }
  /** Past the last uncertain box with `count` of them passed over: the image stays unreviewed, and the review
   * goes on to `next`, the next image still to review in batch order (wrapping to the start only after the
   * batch's end). */
  | { kind: 'leave-image'; next: string; count: number }
  | { kind: 'finish-image'; next: string | null };

export interface ReviewOptions {
  lowConfidence?: number;
  band?: number;
  accepted?: readonly string[];
  below?: readonly Detection[];
  /** The image's review order as the last step saw it (ids, accepted ones included): where a box that has
   * left the order since (deleted, or relabelled into a manual box) stood, so the next step goes on from
   * its place. */
  trail?: readonly string[];
}

/** The image's review order with the accepted boxes kept in their places (uncertaintyOrder without
 * `accepted`): where each box stands, resolved or not. */
export function reviewTrail(dets: readonly Detection[], p: PostprocessParams, o: ReviewOptions = {}): string[] {
  return uncertaintyOrder(dets, p, o.lowConfidence, o.band, [], o.below).map((d) => d.id);
}

/** What the review keys do (U, and A, Delete or 1/2/3 then U): select the next box still unresolved
 * after `anchorId` (the box just looked at, accepted, relabelled or deleted) in review order, so a box
 * resolved in the middle never sends the technician back to one passed over. Past the last one, with none
 * left unresolved, mark the image reviewed and move to the next image that still needs review. With some
 * passed over, the image is not reviewed (a box passed over with U is neither accepted nor corrected, and
 * "Reviewed: yes" on the report would vouch for it), but the review still moves on: one pass through the
 * batch in its order, wrapping to the start only after the batch's end, so a box skipped on purpose does not
 * hold the technician on its image. Only when no other image is left does it go back to the first box passed
 * over. Without an anchor in the order: the first unresolved. */
export function reviewStep(
  dets: readonly Detection[],
  p: PostprocessParams,
  anchorId: string | null,
  order: readonly string[],
  currentId: string,
  isPending: (id: string) => boolean,
  o: ReviewOptions = {},
): ReviewStep {
  const left = uncertaintyOrder(dets, p, o.lowConfidence, o.band, o.accepted, o.below);
  const now = reviewTrail(dets, p, o);
  // the box's place: in the order as it is, else (deleted, relabelled) where the last step saw it
  const seq = anchorId === null ? null : now.includes(anchorId) ? now : o.trail?.includes(anchorId) ? o.trail : null;
  const open = new Set(left.map((d) => d.id));
  const next = seq ? seq.slice(seq.indexOf(anchorId!) + 1).find((id) => open.has(id)) : left[0]?.id;
  if (next) return { kind: 'select', detectionId: next };
  const after = nextUnreviewed(order, currentId, isPending);
  if (left.length) return after ? { kind: 'leave-image', next: after, count: left.length } : { kind: 'skipped', detectionId: left[0].id, count: left.length };
  return { kind: 'finish-image', next: after };
}
