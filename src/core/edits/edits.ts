/**
 * Manual corrections as data, applied on top of the post-processed model output. Model boxes are
 * referred to by their stable raw id, so changing a threshold never loses an edit: a deleted box
 * stays deleted if it reappears, and a relabel or move sticks to the same model output.
 */
import type { CellClass } from '../detection/classes';
import type { Detection, ExtraCategory } from '../detection/detection';
import type { ImageBox } from '../detection/geometry';
import type { WbcType } from '../differential/differential';
import { minWbcSide } from '../differential/crop';

/** A WBC box whose longer side is under this share of the image's median RBC is no white cell (none is
 * smaller than a red one; a platelet is about 0.4 of one): its model type is marked unsure. */
export const SMALL_WBC = 0.6;

export interface Edits {
  deleted: readonly string[];
  relabeled: Readonly<Record<string, CellClass>>;
  moved: Readonly<Record<string, ImageBox>>;
  added: readonly Detection[];
  /** WBC types set by hand, by detection id (absent in batches saved before the differential). */
  typed?: Readonly<Record<string, WbcType>>;
  /** Manual ids handed out so far (u0 … u{nextId-1}). It never goes back, not even on undo: WBC types,
   * hand-set types and acceptances are keyed by id, so a reused id would give a new box an old box's.
   * Absent in batches saved before it: the added boxes' ids stand in. */
  nextId?: number;
  /** WBCs a technician verified in the gallery (their type is then kept in `typed`). */
  verified?: readonly string[];
  /** WBCs put in a manual category (smudge / damaged, other / unidentified) with a free note. */
  excluded?: Readonly<Record<string, { category: ExtraCategory; note: string }>>;
  /** Model boxes scored under their class threshold that a reviewer kept (U visits the band below the
   * threshold too): counted like any shown box, whatever the threshold. */
  kept?: readonly string[];
}

export const NO_EDITS: Edits = Object.freeze({ deleted: [], relabeled: {}, moved: {}, added: [], typed: {} });

/**
 * Whether the image's result differs from the model's: a box added, deleted, moved or relabelled, a WBC put
 * in a manual category, or a type set to something other than the model's (`modelType`, by detection id).
 * Verifying is review, not an edit: it locks the shown type into `typed`, which then equals the model's.
 */
export function isEdited(e: Edits, modelType: (id: string) => WbcType | undefined = () => undefined): boolean {
  if (e.deleted.length > 0 || e.added.length > 0 || Object.keys(e.relabeled).length > 0 || Object.keys(e.moved).length > 0 || Object.keys(e.excluded ?? {}).length > 0 || (e.kept?.length ?? 0) > 0) return true;
  return Object.entries(e.typed ?? {}).some(([id, t]) => t !== modelType(id));
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

/**
 * WBC types on shown detections: a type set by hand wins; else the classifier's most probable type
 * (`probs` by detection id, in the card's class order), marked `small` on a box under SMALL_WBC of the
 * image's RBCs, and `grey` on every WBC of an image without colour (`opts.grey`: a monochrome camera; the
 * classifier reads the stain's colours). Non-WBCs carry no type.
 */
export function applyTypes(
  dets: readonly Detection[],
  typed: Readonly<Record<string, WbcType>> | undefined,
  probs: Readonly<Record<string, readonly number[]>> | undefined,
  types: readonly WbcType[],
  opts: { grey?: boolean } = {},
): Detection[] {
  if (!typed && !probs) return dets as Detection[];
  const floor = SMALL_WBC * minWbcSide(dets);
  return dets.map((d) => {
    if (d.cls !== 'WBC') return d.wbc ? { ...d, wbc: undefined } : d;
    const manual = typed?.[d.id];
    if (manual) return { ...d, wbc: { type: manual, p: 1, origin: 'manual' } };
    const p = probs?.[d.id];
    if (!p) return d;
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    const small = Math.max(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1) < floor;
    return { ...d, wbc: { type: types[best], p: p[best], origin: 'model', ...(small ? { small } : {}), ...(opts.grey ? { grey: true } : {}) } };
  });
}
