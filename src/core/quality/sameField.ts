/**
 * One field dropped twice at different sizes (audit 2026-12-05): a copy resized or saved again, or the same
 * field photographed twice without moving the slide, is not caught by the file's hash, and its cells would be
 * counted twice. Two images show the same field when, in coordinates relative to each image (so at any
 * resolution), nearly all of their cells coincide: same class, centres within a fifth of the cell's size,
 * sizes within 35%. Neighbouring fields of one slide overlap in part, never in nearly all of their cells.
 */
import type { CellClass } from '../detection/classes';
import type { FieldCells } from './optics';

export interface SameFieldOptions {
  /** Cells each image needs before it is compared (a near-empty field proves nothing). */
  minCells: number;
  /** Share of the smaller image's cells that must coincide. */
  share: number;
  /** Centre tolerance as a share of the cell's size. */
  tolerance: number;
  /** Same size: the larger side of the two boxes within this ratio. */
  sizeRatio: number;
  /** Aspect ratios (width / height) within this ratio: a crop of a field is another picture. */
  aspect: number;
}

export const SAME_FIELD_DEFAULTS: SameFieldOptions = { minCells: 8, share: 0.8, tolerance: 0.2, sizeRatio: 1.35, aspect: 1.02 };

interface Rel {
  cls: CellClass;
  x: number;
  y: number;
  s: number;
}

/** The cells in units of the image's width (x, y, size), so that one field at two resolutions reads the same. */
function relative(f: FieldCells): Rel[] {
  return f.cells.map((c) => ({
    cls: c.cls,
    x: (c.box.x1 + c.box.x2) / 2 / f.width,
    y: (c.box.y1 + c.box.y2) / 2 / f.width,
    s: Math.max(c.box.x2 - c.box.x1, c.box.y2 - c.box.y1) / f.width,
  }));
}

/** How many cells of `a` have a cell of `b` at the same place, of the same class and size. */
function matches(a: readonly Rel[], b: readonly Rel[], o: SameFieldOptions): number {
  let n = 0;
  for (const c of a) {
    const tol = o.tolerance * c.s;
    if (b.some((d) => d.cls === c.cls && Math.max(c.s, d.s) / Math.min(c.s, d.s) <= o.sizeRatio && (c.x - d.x) ** 2 + (c.y - d.y) ** 2 <= tol * tol)) n++;
  }
  return n;
}

/** Pairs [i, j] (i < j, indices into `fields`) of images that show the same field. */
export function sameFields(fields: readonly FieldCells[], options: Partial<SameFieldOptions> = {}): [number, number][] {
  const o = { ...SAME_FIELD_DEFAULTS, ...options };
  const rel = fields.map(relative);
  const out: [number, number][] = [];
  for (let i = 0; i < fields.length; i++) {
    if (rel[i].length < o.minCells) continue;
    for (let j = i + 1; j < fields.length; j++) {
      if (rel[j].length < o.minCells) continue;
      const ai = fields[i].width / fields[i].height;
      const aj = fields[j].width / fields[j].height;
      if (Math.max(ai, aj) / Math.min(ai, aj) > o.aspect) continue;
      // cheap first: their numbers of cells must be close for nearly all of them to coincide
      const small = Math.min(rel[i].length, rel[j].length);
      if (small < o.share * Math.max(rel[i].length, rel[j].length)) continue;
      const [a, b] = rel[i].length <= rel[j].length ? [rel[i], rel[j]] : [rel[j], rel[i]];
      if (matches(a, b, o) >= o.share * small) out.push([i, j]);
    }
  }
  return out;
}
