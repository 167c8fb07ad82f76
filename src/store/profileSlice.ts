import type { StateCreator } from 'zustand';
import type { Head } from '../core/adapt/adapt';
import type { AppState } from './store';

/** The microscope profile's live state: how many verified cells it learnt from, and the fitted head. The
 * profile itself (cells, scale override, count rule) lives in IndexedDB (services/profile.ts). */
export interface ProfileSlice {
  adaptation: {
    /** Verified cells in the profile (this sample's and earlier ones'). */
    cells: number;
    head: Head | null;
    /** Fit time of the last head, ms. */
    fitMs: number | null;
    /** The classifier exposes no embedding: nothing to adapt. */
    unavailable: boolean;
    /** The profile's name, as loaded, imported or typed (shown in the panel). */
    name: string;
    /** False while the profile service reads the stored profile (a reload): until then nothing here is the
     * microscope's, and a release's revision takes the adaptation line it was released with (store/release).
     * True where no profile is read at all (a classifier without an embedding). */
    loaded: boolean;
  };
  setAdaptation(patch: Partial<ProfileSlice['adaptation']>): void;
}

export const createProfileSlice: StateCreator<AppState, [], [], ProfileSlice> = (set) => ({
  adaptation: { cells: 0, head: null, fitMs: null, unavailable: false, name: '', loaded: true },
  setAdaptation(patch) {
    set((s) => ({ adaptation: { ...s.adaptation, ...patch } }));
  },
});
