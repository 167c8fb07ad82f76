/**
 * The WBC gallery's edits, as pure commands on an image's Edits (so undo covers them like any other edit):
 * moving a cell to a type or to a manual category, and verifying cells. `applyReview` puts the result on
 * the shown detections.
 */
import type { Detection, ExtraCategory } from '../detection/detection';
import { typeUnsure, type WbcType } from '../differential/differential';
import type { Command } from './commands';
import type { Edits } from './edits';

/** Where a cell can go in the gallery: a classifier type or a manual category. */
export type GalleryGroup = WbcType | ExtraCategory;
export const EXTRA_CATEGORIES: readonly ExtraCategory[] = ['smudge', 'other'];
export const EXTRA_LABEL: Record<ExtraCategory, string> = { smudge: 'Smudge / damaged', other: 'Other / unidentified' };
export const isExtraCategory = (x: unknown): x is ExtraCategory => x === 'smudge' || x === 'other';

function without<T>(r: Readonly<Record<string, T>> | undefined, id: string): Record<string, T> {
  const { [id]: _, ...rest } = r ?? {};
  return rest;
}

/**
 * Moves one WBC to a type or a category (with its note). A moved cell counts as looked at, so verified. The
 * one rule wherever a person types a cell: the gallery (tap, drag, Shift+1…9) and the canvas (Shift+1…7, the
 * type list beside the box) both use it. A verified cell moved where it already is is no change (the same
 * object), so it takes no empty undo step.
 */
export const reclassifyCell: Command<{ id: string; to: GalleryGroup; note?: string }> = {
  name: 'reclassify',
  perform(e, { id, to, note }) {
    const was = e.verified?.includes(id);
    const verified = was ? e.verified : [...(e.verified ?? []), id];
    if (isExtraCategory(to)) {
      const x = e.excluded?.[id];
      if (was && x?.category === to && (note === undefined || note === x.note)) return e;
      return { ...e, excluded: { ...(e.excluded ?? {}), [id]: { category: to, note: note ?? e.excluded?.[id]?.note ?? '' } }, verified };
    }
    if (was && e.typed?.[id] === to && !e.excluded?.[id]) return e;
    return { ...e, typed: { ...(e.typed ?? {}), [id]: to }, excluded: without(e.excluded, id), verified };
  },
};

/** The free note of a cell in a manual category. */
export const setCellNote: Command<{ id: string; note: string }> = {
  name: 'note',
  perform(e, { id, note }) {
    const x = e.excluded?.[id];
    if (!x || x.note === note) return e;
    return { ...e, excluded: { ...e.excluded, [id]: { ...x, note } } };
  },
};

/**
 * Marks cells verified (or not). Verifying keeps each cell's current type (`types`, what the technician
 * saw) as a manual type, so a later model or adaptation change cannot move a verified cell. Taking the
 * verification back lets go of that lock where the type is the model's own (`modelTypes`): the cell is the
 * model's again, with its probability and unsure mark. It stayed "set by hand" (p 1): an unsure cell verified
 * and taken back was no longer unsure, so "Verify all" signed it off with its group, the report's kept-apart
 * line lost it from the unsure, and the boxes CSV said its type was set by hand. A type a technician chose
 * other than the model's stays.
 */
export const verifyCells: Command<{ ids: readonly string[]; verified: boolean; types?: Readonly<Record<string, WbcType>>; modelTypes?: Readonly<Record<string, WbcType>> }> = {
  name: 'verify',
  perform(e, { ids, verified, types, modelTypes }) {
    const cur = new Set(e.verified ?? []);
    const before = cur.size;
    for (const id of ids) if (verified) cur.add(id);
    else cur.delete(id);
    const lock = verified && types ? ids.filter((id) => types[id] && !e.excluded?.[id] && e.typed?.[id] !== types[id]) : [];
    const unlock = !verified && modelTypes ? ids.filter((id) => e.typed?.[id] !== undefined && e.typed[id] === modelTypes[id]) : [];
    const typed = lock.length
      ? { ...(e.typed ?? {}), ...Object.fromEntries(lock.map((id) => [id, types![id]])) }
      : unlock.length
        ? Object.fromEntries(Object.entries(e.typed ?? {}).filter(([id]) => !unlock.includes(id)))
        : e.typed;
    if (cur.size === before && typed === e.typed && ids.every((id) => cur.has(id) === verified)) return e;
    return { ...e, verified: [...cur], typed };
  },
};

/** Whether "Verify all" may verify a cell: one at a time only when the classifier is unsure of it (a
 * model type under `lowConfidence`), so a group's button never signs off a type nobody looked at. */
export function bulkVerifiable(d: Detection, lowConfidence: number): boolean {
  const w = d.wbc;
  return !!w && !w.verified && !typeUnsure(w, lowConfidence);
}

/** The gallery's state on the shown WBCs: verified, and a manual category with its note. */
export function applyReview(dets: readonly Detection[], e: Edits): Detection[] {
  if (!e.verified?.length && !Object.keys(e.excluded ?? {}).length) return dets as Detection[];
  const verified = new Set(e.verified);
  return dets.map((d) => {
    if (d.cls !== 'WBC' || !d.wbc) return d;
    const x = e.excluded?.[d.id];
    const v = verified.has(d.id);
    if (!x && !v) return d;
    return { ...d, wbc: { ...d.wbc, verified: v, ...(x ? { category: x.category, note: x.note } : {}) } };
  });
}
