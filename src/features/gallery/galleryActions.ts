/**
 * What the gallery does to cells, for clicks, drags, keys and tests alike. Every change goes through the
 * pure commands of core/edits/gallery on each image's Edits, and is one step of the batch's one history
 * (the canvas's too) however many images it touched.
 */
import { bulkVerifiable, reclassifyCell, setCellNote, verifyCells, type GalleryGroup } from '../../core/edits/gallery';
import type { WbcType } from '../../core/differential/differential';
import type { Edits } from '../../core/edits/edits';
import { modelTypes, selectGalleryCells, type GalleryCell } from '../../store/selectors';
import type { AppStore } from '../../store/store';
import type { GalleryStore } from '../../store/galleryStore';
import type { ViewStore } from '../../store/viewStore';

/** The gallery's keys, as the key sheet (?) lists them and as ? in the gallery shows them: the sheet sits in the
 * page behind the gallery, which is inert while it is open. */
export const GALLERY_KEYS = 'arrows move between cells · V verifies · Shift+1…7 a type, Shift+8 smudge, Shift+9 other · Enter shows the cell on the canvas · Ctrl+Z undo · Esc closes';

export interface GalleryContext {
  store: AppStore;
  view: ViewStore;
  gallery: GalleryStore;
}

const split = (key: string) => {
  const i = key.indexOf('/');
  return { imageId: key.slice(0, i), detId: key.slice(i + 1) };
};

function byImage(keys: readonly string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const k of keys) {
    const { imageId, detId } = split(k);
    m.set(imageId, [...(m.get(imageId) ?? []), detId]);
  }
  return m;
}

/** Moves cells to a type or a manual category. */
export function moveCells({ store }: GalleryContext, keys: readonly string[], to: GalleryGroup, note?: string) {
  const changes = new Map<string, (e: Edits) => Edits>();
  for (const [imageId, ids] of byImage(keys)) changes.set(imageId, (e) => ids.reduce((acc, id) => reclassifyCell.perform(acc, { id, to, note }), e));
  store.getState().editMany('reclassify', changes);
}

/** Marks cells verified (or not), keeping each one's type as shown. */
export function verify({ store }: GalleryContext, keys: readonly string[], verified: boolean) {
  const s = store.getState();
  const cells = new Map(selectGalleryCells(s).map((c) => [c.key, c]));
  const changes = new Map<string, (e: Edits) => Edits>();
  for (const [imageId, ids] of byImage(keys)) {
    const types: Record<string, WbcType> = {};
    const model: Record<string, WbcType> = {};
    const modelType = s.images[imageId] ? modelTypes(s.images[imageId]) : () => undefined;
    for (const id of ids) {
      const t = cells.get(`${imageId}/${id}`)?.det.wbc?.type;
      if (t) types[id] = t;
      const m = modelType(id);
      if (m) model[id] = m;
    }
    // taken back, a type locked at verification that is the model's own is the model's again (core verifyCells)
    changes.set(imageId, (e) => verifyCells.perform(e, { ids, verified, types, modelTypes: model }));
  }
  // the audit trail's action says which way: a verification taken back is not logged as "verify"
  store.getState().editMany(verified ? verifyCells.name : 'unverify', changes);
}

/** "Verify all" of a group: every cell in it but the unsure ones (those are verified one by one). */
export function verifyAll(ctx: GalleryContext, cells: readonly GalleryCell[], lowConfidence: number) {
  const keys = cells.filter((c) => bulkVerifiable(c.det, lowConfidence)).map((c) => c.key);
  if (keys.length) verify(ctx, keys, true);
  return keys.length;
}

export function setNote({ store }: GalleryContext, key: string, note: string) {
  const { imageId, detId } = split(key);
  store.getState().edit(imageId, setCellNote, { id: detId, note });
}

/** Ctrl+Z in the gallery: the batch's one history, so never an older edit ahead of a later canvas one. */
export function undoGallery({ store }: GalleryContext) {
  return store.getState().undo();
}

/** Ctrl+Shift+Z or Ctrl+Y in the gallery, as on the canvas: the same history, forward. */
export function redoGallery({ store }: GalleryContext) {
  return store.getState().redo();
}

/** Closes the gallery and shows the cell on the canvas, selected and zoomed to. */
export function jumpToCell({ store, view, gallery }: GalleryContext, key: string) {
  const { imageId, detId } = split(key);
  gallery.getState().setOpen(false);
  store.getState().select(imageId);
  view.getState().setSelected(detId);
  view.getState().setFocus(detId);
}
