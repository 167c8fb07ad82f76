import { describe, expect, it } from 'vitest';
import type { GalleryCell } from '../../store/selectors';
import type { WbcType } from '../../core/differential/differential';
import { arrowTarget, cellSortKey, galleryLayout, groupCells, TILE } from './layout';

const cell = (id: string, p: number, verified: boolean): GalleryCell => ({
  key: `a/${id}`,
  imageId: 'a',
  imageName: 'a.jpg',
  minSide: 0,
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

describe('arrow keys in the gallery', () => {
  const typed = (id: string, type: WbcType): GalleryCell => ({ ...cell(id, 0.9, false), det: { ...cell(id, 0.9, false).det, wbc: { type, p: 0.9, origin: 'model' } } });
  // 4 tiles a row: neutrophils n0…n5 (two rows, the second of 2), eosinophils e0, e1 (one row), an IG g0
  const cells = [...[0, 1, 2, 3, 4, 5].map((i) => typed(`n${i}`, 'neutrophil')), typed('e0', 'eosinophil'), typed('e1', 'eosinophil'), typed('g0', 'immature_granulocyte')];
  const l = galleryLayout(groupCells(cells, 0.6), 16 + 4 * TILE.w);
  const go = (from: string | null, arrow: Parameters<typeof arrowTarget>[2]) => arrowTarget(l, from === null ? null : `a/${from}`, arrow)?.slice(2);

  it('up and down go to the row drawn above or below, in the same column or that row’s last tile', () => {
    expect(l.cols).toBe(4);
    expect(go('n1', 'ArrowDown')).toBe('n5'); // the neutrophils' second row holds n4, n5
    expect(go('n5', 'ArrowDown')).toBe('e1');
    // a step of a row's width through the list took n4 to the IG, over the eosinophils' row
    expect(go('n4', 'ArrowDown')).toBe('e0');
    expect(go('e1', 'ArrowDown')).toBe('g0');
    expect(go('g0', 'ArrowUp')).toBe('e0');
    expect(go('e1', 'ArrowUp')).toBe('n5');
    expect(go('n2', 'ArrowUp')).toBe('n2'); // the first row: stays
    expect(go('g0', 'ArrowDown')).toBe('g0'); // the last row: stays
  });

  it('left and right follow the reading order across groups; no selection starts at the first tile', () => {
    expect(go('n5', 'ArrowRight')).toBe('e0');
    expect(go('e0', 'ArrowLeft')).toBe('n5');
    expect(go('n0', 'ArrowLeft')).toBe('n0');
    expect(go(null, 'ArrowDown')).toBe('n0');
    expect(go('gone', 'ArrowRight')).toBe('n0');
    expect(arrowTarget(galleryLayout(groupCells([], 0.6), 400), null, 'ArrowRight')).toBeNull();
  });
});
