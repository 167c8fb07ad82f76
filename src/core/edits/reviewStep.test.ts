import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { nextUnreviewed, reviewStep } from './review';

const p = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const d = (id: string, score: number): Detection => ({ id, cls: 'RBC', score, box: { x1: 0, y1: 0, x2: 1, y2: 1 }, origin: 'model' });

describe('review advance', () => {
  it('selects detections closest to their threshold first, then finishes the image', () => {
    const dets = [d('far', 0.99), d('near', 0.52), d('mid', 0.7)];
    const pending = () => true;
    expect(reviewStep(dets, p, null, ['a', 'b'], 'a', pending)).toEqual({ kind: 'select', detectionId: 'near' });
    expect(reviewStep(dets, p, 'near', ['a', 'b'], 'a', pending)).toEqual({ kind: 'select', detectionId: 'mid' });
    expect(reviewStep(dets, p, 'mid', ['a', 'b'], 'a', pending)).toEqual({ kind: 'select', detectionId: 'far' });
    // U past the last box with none accepted: the image is not done, but the review goes on to the next image
    expect(reviewStep(dets, p, 'far', ['a', 'b'], 'a', pending)).toEqual({ kind: 'leave-image', next: 'b', count: 3 });
    // ... and back to the first skipped one only when no other image is left to review
    expect(reviewStep(dets, p, 'far', ['a'], 'a', pending)).toEqual({ kind: 'skipped', detectionId: 'near', count: 3 });
    expect(reviewStep(dets, p, 'far', ['a', 'b'], 'a', pending, { accepted: ['near', 'mid', 'far'] })).toEqual({ kind: 'finish-image', next: 'b' });
  });
  it('finishes the image only when every uncertain box is accepted or corrected', () => {
    const dets = [d('near', 0.52), d('mid', 0.7), d('far', 0.99)];
    const pending = () => true;
    // near and far accepted, U pressed on mid, the one box left: skipped, not finished, on to b
    expect(reviewStep(dets, p, 'mid', ['a', 'b'], 'a', pending, { accepted: ['near', 'far'] })).toEqual({ kind: 'leave-image', next: 'b', count: 1 });
    // A on far (accepted: the last of the order) with mid passed over earlier: on to b, not round to mid
    expect(reviewStep(dets, p, 'far', ['a', 'b'], 'a', pending, { accepted: ['near', 'far'] })).toEqual({ kind: 'leave-image', next: 'b', count: 1 });
    // the one image of the batch: round to mid
    expect(reviewStep(dets, p, 'far', ['a'], 'a', pending, { accepted: ['near', 'far'] })).toEqual({ kind: 'skipped', detectionId: 'mid', count: 1 });
    // corrected (relabelled: now a manual box) rather than accepted: resolved too
    const fixed = [d('near', 0.52), { ...d('mid', 0.7), origin: 'manual' as const }, d('far', 0.99)];
    expect(reviewStep(fixed, p, 'far', ['a', 'b'], 'a', pending, { accepted: ['near', 'far'] })).toEqual({ kind: 'finish-image', next: 'b' });
    // nothing uncertain at all (band 0.01 holds none): finished at once
    expect(reviewStep(dets, p, null, ['a', 'b'], 'a', pending, { band: 0.01 })).toEqual({ kind: 'finish-image', next: 'b' });
  });
  it('goes on from the box just resolved, not back to one passed over (audit 2026-12-05)', () => {
    const dets = [d('near', 0.52), d('mid', 0.7), d('far', 0.99)];
    const pending = () => true;
    // U passed over near; A on mid: on to far, not back to near
    expect(reviewStep(dets, p, 'mid', ['a'], 'a', pending, { accepted: ['mid'] })).toEqual({ kind: 'select', detectionId: 'far' });
    // mid deleted (gone from the detections): its place is read from the trail the last step saw
    const trail = ['near', 'mid', 'far'];
    const rest = [d('near', 0.52), d('far', 0.99)];
    expect(reviewStep(rest, p, 'mid', ['a'], 'a', pending, { trail })).toEqual({ kind: 'select', detectionId: 'far' });
    // without the trail the deleted box has no place: the first unresolved
    expect(reviewStep(rest, p, 'mid', ['a'], 'a', pending)).toEqual({ kind: 'select', detectionId: 'near' });
    // relabelled (a manual box now) at the end of the trail: round to the skipped one
    const fixed = [d('near', 0.52), d('mid', 0.7), { ...d('far', 0.99), origin: 'manual' as const }];
    expect(reviewStep(fixed, p, 'far', ['a'], 'a', pending, { trail, accepted: ['mid'] })).toEqual({ kind: 'skipped', detectionId: 'near', count: 1 });
    // a confident box that was never uncertain (a click): from the first unresolved
    expect(reviewStep([...dets, d('sure', 0.99)], p, 'sure', ['a'], 'a', pending, { band: 0.3 })).toEqual({ kind: 'select', detectionId: 'near' });
  });
  it('one pass through the batch in its order: an image left with skipped boxes is visited again only after the batch\'s end', () => {
    const dets = [d('near', 0.52), d('mid', 0.7)];
    // b still to review (a is the current one, unreviewed with boxes passed over): from b, past the end, back to a
    const todo = new Set(['a', 'b', 'c']);
    const pending = (id: string) => todo.has(id);
    expect(reviewStep(dets, p, 'mid', ['a', 'b', 'c'], 'b', pending)).toEqual({ kind: 'leave-image', next: 'c', count: 2 });
    expect(reviewStep(dets, p, 'mid', ['a', 'b', 'c'], 'c', pending)).toEqual({ kind: 'leave-image', next: 'a', count: 2 });
    // reviewed images are not visited again
    todo.delete('a');
    expect(reviewStep(dets, p, 'mid', ['a', 'b', 'c'], 'c', pending)).toEqual({ kind: 'leave-image', next: 'b', count: 2 });
  });
  it('the next image is the first later one still to review, wrapping round, never the current one', () => {
    const todo = new Set(['a', 'd']);
    expect(nextUnreviewed(['a', 'b', 'c', 'd'], 'b', (id) => todo.has(id))).toBe('d');
    expect(nextUnreviewed(['a', 'b', 'c', 'd'], 'd', (id) => todo.has(id))).toBe('a');
    expect(nextUnreviewed(['a'], 'a', () => true)).toBeNull();
    expect(nextUnreviewed(['a', 'b'], 'a', () => false)).toBeNull();
  });
});
