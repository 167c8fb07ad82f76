import type { StateCreator } from 'zustand';
import type { AppState } from './store';
import type { ImageEntry } from './types';

/** Whether the batch on screen is committed to IndexedDB. The status does not say "Ready" while a
 * write is pending; a failed write is shown with what was not saved. */
export interface PersistSlice {
  save: { pending: boolean; error: string | null; unsaved: string[] };
  setSave(p: Partial<PersistSlice['save']>): void;
  /** Images of the saved batch whose picture never reached IndexedDB (the storage was full): their counts,
   * types and review were saved, and come back into the batch when the same file is dropped again (the same
   * bytes, the same id: batchSlice.addImage). Each is named among the refused files until then. */
  parked: Readonly<Record<string, ImageEntry>>;
}

export const createPersistSlice: StateCreator<AppState, [], [], PersistSlice> = (set) => ({
  save: { pending: false, error: null, unsaved: [] },
  parked: {},
  setSave(p) {
    set((s) => ({ save: { ...s.save, ...p } }));
  },
});
