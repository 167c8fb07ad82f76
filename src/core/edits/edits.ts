/**
 * Manual corrections as data, applied on top of the post-processed model output. Model boxes are
 * referred to by their stable raw id, so changing a threshold never loses an edit: a deleted box
 * stays deleted if it reappears, and a relabel or move sticks to the same model output.
 */
import type { CellClass } from '../detection/classes';
import type { Detection } from '../detection/detection';
import type { ImageBox } from '../detection/geometry';

export interface Edits {
  deleted: readonly string[];
  relabeled: Readonly<Record<string, CellClass>>;
  moved: Readonly<Record<string, ImageBox>>;
  added: readonly Detection[];
}

export const NO_EDITS: Edits = Object.freeze({ deleted: [], relabeled: {}, moved: {}, added: [] });

export function isEdited(e: Edits): boolean {
  return e.deleted.length > 0 || e.added.length > 0 || Object.keys(e.relabeled).length > 0 || Object.keys(e.moved).length > 0;
}

/** A shown detection: edited or added ones are marked manual. */
export function applyEdits(dets: readonly Detection[], e: Edits): Detection[] {
  if (e === NO_EDITS) return dets as Detection[];
  const deleted = new Set(e.deleted);
  const out: Detection[] = [];
  for (const d of dets) {
    if (deleted.has(d.id)) continue;
    const cls = e.relabeled[d.id];
    const box = e.moved[d.id];
    out.push(cls || box ? { ...d, cls: cls ?? d.cls, box: box ?? d.box, origin: 'manual' } : d);
  }
  for (const d of e.added) if (!deleted.has(d.id)) out.push(d);
  return out;
}
