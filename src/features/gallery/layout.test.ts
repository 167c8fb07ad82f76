import { describe, expect, it } from 'vitest';
import type { GalleryCell } from '../../store/selectors';
import type { WbcType } from '../../core/differential/differential';
import { arrowTarget, cellSortKey, galleryLayout, groupCells, roomBelow, TILE } from './layout';

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

describe('room below a short list', () => {
  // 500 px of cells in a 700-px area; a cell selected, the bar above grows by 119 px: the area is 581 px and
  // scrolls by 119 so the cells stay where they are
  it('is as much as the scroll with the bar needs, and goes once the bar is back to its height', () => {
    expect(roomBelow(0, 119, 581, 500, true)).toBe(119);
    expect(roomBelow(119, 0, 700, 500, false)).toBe(0);
    // a list a little shorter than the area: only what it cannot scroll by itself
    expect(roomBelow(0, 119, 581, 650, true)).toBe(50);
    // a long list scrolls by itself: no room
    expect(roomBelow(0, 1419, 581, 2000, true)).toBe(0);
  });
  it('only shrinks while the bar keeps its height: the technician scrolling up, the list growing, never more blank', () => {
    expect(roomBelow(119, 79, 581, 500, false)).toBe(79);
    expect(roomBelow(119, 119, 581, 632, false)).toBe(68);
    // a row fewer (a cell moved to a group with room in its last row): no more room than there was
    expect(roomBelow(50, 119, 581, 518, false)).toBe(50);
    expect(roomBelow(0, 0, 581, 500, false)).toBe(0);
  });
});
