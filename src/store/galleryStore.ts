import { create } from 'zustand';

/** UI state of the WBC gallery, beside the batch store: open and the selected tile. Its edits go into the
 * batch's one history (batchSlice undoLog). */
export interface GalleryState {
  open: boolean;
  /** imageId/detectionId */
  selected: string | null;
  setOpen(v: boolean): void;
  setSelected(key: string | null): void;
  reset(): void;
}

export const createGalleryStore = () =>
  create<GalleryState>()((set) => ({
    open: false,
    selected: null,
    setOpen: (open) => set({ open }),
    setSelected: (selected) => set({ selected }),
    reset: () => set({ open: false, selected: null }),
  }));

export type GalleryStore = ReturnType<typeof createGalleryStore>;
