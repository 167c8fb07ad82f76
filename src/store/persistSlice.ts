import type { StateCreator } from 'zustand';
import type { AppState } from './store';

/** Whether the batch on screen is committed to IndexedDB. The status does not say "Ready" while a
 * write is pending; a failed write is shown with what was not saved. */
export interface PersistSlice {
  save: { pending: boolean; error: string | null; unsaved: string[] };
  setSave(p: Partial<PersistSlice['save']>): void;
}

export const createPersistSlice: StateCreator<AppState, [], [], PersistSlice> = (set) => ({
  save: { pending: false, error: null, unsaved: [] },
  setSave(p) {
    set((s) => ({ save: { ...s.save, ...p } }));
  },
});
