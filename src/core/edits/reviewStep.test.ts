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
    expect(reviewStep(dets, p, 'far', ['a', 'b'], 'a', pending)).toEqual({ kind: 'finish-image', next: 'b' });
  });
  it('the next image is the first later one still to review, wrapping round, never the current one', () => {
    const todo = new Set(['a', 'd']);
    expect(nextUnreviewed(['a', 'b', 'c', 'd'], 'b', (id) => todo.has(id))).toBe('d');
    expect(nextUnreviewed(['a', 'b', 'c', 'd'], 'd', (id) => todo.has(id))).toBe('a');
    expect(nextUnreviewed(['a'], 'a', () => true)).toBeNull();
    expect(nextUnreviewed(['a', 'b'], 'a', () => false)).toBeNull();
  });
});
