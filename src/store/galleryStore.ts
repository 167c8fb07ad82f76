import { create } from 'zustand';

/** UI state of the WBC gallery, beside the batch store: open, the selected tile, and its own undo list
 * (each step names the images it edited, so one Ctrl+Z undoes a whole group verification). */
export interface GalleryState {
  open: boolean;
  /** imageId/detectionId */
  selected: string | null;
  steps: string[][];
  setOpen(v: boolean): void;
  setSelected(key: string | null): void;
  pushStep(imageIds: string[]): void;
  popStep(): string[] | undefined;
  reset(): void;
}

export const createGalleryStore = () =>
  create<GalleryState>()((set, get) => ({
    open: false,
    selected: null,
    steps: [],
    setOpen: (open) => set({ open }),
    setSelected: (selected) => set({ selected }),
    pushStep: (ids) => ids.length && set((s) => ({ steps: [...s.steps.slice(-199), ids] })),
    popStep() {
      const last = get().steps.at(-1);
      if (last) set((s) => ({ steps: s.steps.slice(0, -1) }));
      return last;
    },
    reset: () => set({ open: false, selected: null, steps: [] }),
  }));

export type GalleryStore = ReturnType<typeof createGalleryStore>;
