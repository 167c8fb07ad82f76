/** The gallery's grouping and virtual layout: groups in clinical order, rows of fixed height, and which
 * rows a scroll position shows (only those are rendered, so 500 tiles open as fast as 20). */
import { EXTRA_CATEGORIES, type GalleryGroup } from '../../core/edits/gallery';
import { typeUnsure, WBC_TYPES } from '../../core/differential/differential';
import type { GalleryCell } from '../../store/selectors';

export const GROUPS: readonly GalleryGroup[] = [...WBC_TYPES, ...EXTRA_CATEGORIES];
/** A tile's width, its row's height and its crop's side (px). */
export interface TileSize {
  w: number;
  rowH: number;
  img: number;
}
export const TILE: TileSize = { w: 104, rowH: 132, img: 88 };
/** A projector or a wide screen (useIsWide): crops a third larger, read from across a room. */
export const TILE_WIDE: TileSize = { w: 136, rowH: 168, img: 120 };
export const TILE_W = TILE.w;
export const ROW_H = TILE.rowH;
/** 48: a finger-high (40 px on a touch screen) "Verify all" sits inside the row with a margin, not on its bottom line. */
export const HEADER_H = 48;

/** Where a cell sorts within its group: unsure cells first, then the other unverified ones, then verified ones. */
export const cellRank = (c: GalleryCell, lowConfidence: number) => (c.det.wbc!.verified ? 2 : typeUnsure(c.det.wbc!, lowConfidence) ? 0 : 1);

/** Where a cell sorts within its group: by rank (cellRank), then least confident first. */
export const cellSortKey = (c: GalleryCell, lowConfidence: number) => cellRank(c, lowConfidence) + 0.5 * c.det.wbc!.p;

/** Each cell in its group (manual category, else its type); within a group by `cellSortKey`. `frozen`: the
 * keys the cells had when the gallery opened, so that verifying cells does not move the tiles under the
 * technician's finger: verifying changes the rank and the probability (a verified type reads p = 1), and
 * either would move a tile. A cell not in it sorts by its key now. */
export function groupCells(cells: readonly GalleryCell[], lowConfidence: number, frozen?: ReadonlyMap<string, number>): Record<GalleryGroup, GalleryCell[]> {
  const out = Object.fromEntries(GROUPS.map((g) => [g, [] as GalleryCell[]])) as Record<GalleryGroup, GalleryCell[]>;
  for (const c of cells) out[c.det.wbc!.category ?? c.det.wbc!.type].push(c);
  const key = (c: GalleryCell) => frozen?.get(c.key) ?? cellSortKey(c, lowConfidence);
  for (const g of GROUPS) out[g].sort((a, b) => key(a) - key(b));
  return out;
}

export type Row = { kind: 'header'; group: GalleryGroup; top: number } | { kind: 'tiles'; group: GalleryGroup; index: number; top: number; cells: GalleryCell[] };

export interface Layout {
  rows: Row[];
  height: number;
  cols: number;
  /** Each row of tiles' height. */
  rowH: number;
  /** Top of the row holding each tile, by key. */
  tileTop: Map<string, number>;
}

export function galleryLayout(groups: Record<GalleryGroup, GalleryCell[]>, width: number, tile: TileSize = TILE): Layout {
  const cols = Math.max(1, Math.floor((width - 16) / tile.w));
  const rows: Row[] = [];
  const tileTop = new Map<string, number>();
  let y = 0;
  for (const g of GROUPS) {
    rows.push({ kind: 'header', group: g, top: y });
    y += HEADER_H;
    const cells = groups[g];
    for (let i = 0; i < cells.length; i += cols) {
      const slice = cells.slice(i, i + cols);
      rows.push({ kind: 'tiles', group: g, index: i / cols, top: y, cells: slice });
      for (const c of slice) tileTop.set(c.key, y);
      y += tile.rowH;
    }
  }
  return { rows, height: y, cols, rowH: tile.rowH, tileTop };
}

/** The rows that intersect [from, to] (pixels from the top). */
export function visibleRows(l: Layout, from: number, to: number): Row[] {
  return l.rows.filter((r) => r.top + (r.kind === 'header' ? HEADER_H : l.rowH) >= from && r.top <= to);
}

/**
 * The room below the list's end that keeps the scroll at `to` (px scrolled) with `view` px of the cells' area
 * shown and `height` px of cells: how far `to` is past the furthest the list alone scrolls. The gallery scrolls
 * with the cells' area's top so that the cells stay under the finger when the bar above them grows, and a short
 * list gets this room to scroll by (`grown`: the area's top has just moved down). Otherwise the room only shrinks,
 * to what the scroll still needs: none once the bar is back to its height, less as the list grows or the
 * technician scrolls up out of it. Kept, it let the page scroll into blank space below the list.
 */
export function roomBelow(room: number, to: number, view: number, height: number, grown: boolean): number {
  const needed = Math.max(0, to - Math.max(0, height - view));
  return grown ? needed : Math.min(room, needed);
}

export type Arrow = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

/** The tile an arrow key moves the selection to. Left and right go along the tiles in reading order (across
 * groups); up and down go to the row drawn above or below, in the same column, or that row's last tile where it
 * is shorter. Each group starts a row of its own, so a step of one row's width through the list went past a
 * short group (down from the first neutrophil to the immature granulocytes, over the eosinophils' row) or
 * landed in another column. No tile selected (or one no longer there): the first. */
export function arrowTarget(l: Layout, key: string | null, arrow: Arrow): string | null {
  const rows = l.rows.filter((r): r is Extract<Row, { kind: 'tiles' }> => r.kind === 'tiles');
  if (!rows.length) return null;
  const r = key === null ? -1 : rows.findIndex((x) => x.cells.some((c) => c.key === key));
  if (r < 0) return rows[0].cells[0].key;
  const col = rows[r].cells.findIndex((c) => c.key === key);
  if (arrow === 'ArrowUp' || arrow === 'ArrowDown') {
    const to = rows[arrow === 'ArrowDown' ? Math.min(rows.length - 1, r + 1) : Math.max(0, r - 1)];
    return to.cells[Math.min(col, to.cells.length - 1)].key;
  }
  const flat = rows.flatMap((x) => x.cells);
  const i = flat.findIndex((c) => c.key === key);
  return flat[Math.max(0, Math.min(flat.length - 1, i + (arrow === 'ArrowRight' ? 1 : -1)))].key;
}
