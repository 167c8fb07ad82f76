import { describe, expect, it } from 'vitest';
import type { GalleryCell } from '../../store/selectors';
import { cellSortKey, groupCells } from './layout';

const cell = (id: string, p: number, verified: boolean): GalleryCell => ({
  key: `a/${id}`,
  imageId: 'a',
  imageName: 'a.jpg',
  det: { id, cls: 'WBC', score: 0.9, box: { x1: 0, y1: 0, x2: 10, y2: 10 }, origin: 'model', wbc: { type: 'neutrophil', p, origin: 'model', verified } },
});
const order = (cells: GalleryCell[], frozen?: Map<string, number>) => groupCells(cells, 0.6, frozen).neutrophil.map((c) => c.key);

describe('gallery order', () => {
  it('puts unsure cells first, then unverified, then verified, least confident first', () => {
    expect(order([cell('v', 0.7, true), cell('u', 0.95, false), cell('x', 0.5, false)])).toEqual(['a/x', 'a/u', 'a/v']);
  });

  it('keeps the order the gallery opened with while cells are verified (tiles do not move under a finger)', () => {
    const before = [cell('u', 0.95, false), cell('v', 0.7, true)];
    const frozen = new Map(before.map((c) => [c.key, cellSortKey(c, 0.6)]));
    const after = [cell('u', 0.95, true), cell('v', 0.7, true)];
    expect(order(after)).toEqual(['a/v', 'a/u']); // sorted afresh, u would jump behind v
    expect(order(after, frozen)).toEqual(['a/u', 'a/v']);
    // a cell the gallery did not have when it opened sorts by its rank now
    expect(order([...after, cell('n', 0.3, false)], frozen)).toEqual(['a/n', 'a/u', 'a/v']);
  });

  it('keeps it too where verifying changes only the probability (a verified type reads p = 1)', () => {
    const before = [cell('a', 0.7, false), cell('b', 0.8, false)];
    const frozen = new Map(before.map((c) => [c.key, cellSortKey(c, 0.6)]));
    const after = [cell('a', 1, true), cell('b', 0.8, false)];
    expect(order(after)).toEqual(['a/b', 'a/a']); // sorted afresh, the verified tile goes behind
    expect(order(after, frozen)).toEqual(['a/a', 'a/b']);
  });
});
