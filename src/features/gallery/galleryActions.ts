/**
 * What the gallery does to cells, for clicks, drags, keys and tests alike. Every change goes through the
 * pure commands of core/edits/gallery on each image's Edits (so canvas undo sees it too), and is one step
 * of the gallery's own undo list however many images it touched.
 */
import { bulkVerifiable, reclassifyCell, setCellNote, verifyCells, type GalleryGroup } from '../../core/edits/gallery';
import type { WbcType } from '../../core/differential/differential';
import { selectGalleryCells, type GalleryCell } from '../../store/selectors';
import type { AppStore } from '../../store/store';
import type { GalleryStore } from '../../store/galleryStore';
import type { ViewStore } from '../../store/viewStore';

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
export function moveCells({ store, gallery }: GalleryContext, keys: readonly string[], to: GalleryGroup, note?: string) {
  const touched: string[] = [];
  for (const [imageId, ids] of byImage(keys)) {
    const before = store.getState().images[imageId]?.edits;
    // one history entry per image: apply the cells one after the other in a single edit
    store.getState().edit(imageId, { name: 'reclassify', perform: (e) => ids.reduce((acc, id) => reclassifyCell.perform(acc, { id, to, note }), e) }, undefined);
    if (store.getState().images[imageId]?.edits !== before) touched.push(imageId);
  }
  gallery.getState().pushStep(touched);
}

/** Marks cells verified (or not), keeping each one's type as shown. */
export function verify({ store, gallery }: GalleryContext, keys: readonly string[], verified: boolean) {
  const cells = new Map(selectGalleryCells(store.getState()).map((c) => [c.key, c]));
  const touched: string[] = [];
  for (const [imageId, ids] of byImage(keys)) {
    const types: Record<string, WbcType> = {};
    for (const id of ids) {
      const t = cells.get(`${imageId}/${id}`)?.det.wbc?.type;
      if (t) types[id] = t;
    }
    const before = store.getState().images[imageId]?.edits;
    store.getState().edit(imageId, verifyCells, { ids, verified, types });
    if (store.getState().images[imageId]?.edits !== before) touched.push(imageId);
  }
  gallery.getState().pushStep(touched);
}

/** "Verify all" of a group: every cell in it but the unsure ones (those are verified one by one). */
export function verifyAll(ctx: GalleryContext, cells: readonly GalleryCell[], lowConfidence: number) {
  const keys = cells.filter((c) => bulkVerifiable(c.det, lowConfidence)).map((c) => c.key);
  if (keys.length) verify(ctx, keys, true);
  return keys.length;
}

export function setNote({ store, gallery }: GalleryContext, key: string, note: string) {
  const { imageId, detId } = split(key);
  const before = store.getState().images[imageId]?.edits;
  store.getState().edit(imageId, setCellNote, { id: detId, note });
  if (store.getState().images[imageId]?.edits !== before) gallery.getState().pushStep([imageId]);
}

/** Undoes the gallery's last step (on every image it touched). */
export function undoGallery({ store, gallery }: GalleryContext) {
  const step = gallery.getState().popStep();
  for (const id of step ?? []) store.getState().undo(id);
  return !!step;
}

/** Closes the gallery and shows the cell on the canvas, selected and zoomed to. */
export function jumpToCell({ store, view, gallery }: GalleryContext, key: string) {
  const { imageId, detId } = split(key);
  gallery.getState().setOpen(false);
  store.getState().select(imageId);
  view.getState().setSelected(detId);
  view.getState().setFocus(detId);
}
