import type { StateCreator } from 'zustand';
import type { PostprocessParams } from '../core/detection/card';
import type { CountRule } from '../core/detection/postprocess';
import { perClass, type CellClass, type PerClass } from '../core/detection/classes';
import { restoredFactor } from '../core/counts/estimate';
import type { BackendChoice } from '../worker/protocol';

export type { BackendChoice };
import type { AppState } from './store';

export interface SettingsSlice {
  postprocess: PostprocessParams;
  defaults: PostprocessParams;
  visible: PerClass<boolean>;
  backendChoice: BackendChoice;
  setThreshold(cls: CellClass, v: number): void;
  setNmsIou(v: number): void;
  setCrossClassNms(v: boolean): void;
  setCountRule(v: CountRule): void;
  /** null: estimate each image's magnification; a number: the factor, fixed by the user, by which each
   * image is enlarged before detection (beyond fitting it to the model's native size). 2 means the cells
   * look half the model's reference size, so the image is counted at 2x. Applies to images detected after
   * the change. */
  fixedScale: number | null;
  setFixedScale(v: number | null): void;
  /** U visits model boxes whose score is within this of their class threshold. */
  reviewBand: number;
  setReviewBand(v: number): void;
  /** Smear estimates: cells per µL per cell counted per field, set by the user for their microscope
   * (null: off, the default). */
  estimateFactors: { WBC: number | null; Platelets: number | null };
  setEstimateFactor(cls: 'WBC' | 'Platelets', v: number | null): void;
  /** The lab's name, printed at the top of every page of the report. */
  labName: string;
  setLabName(v: string): void;
  /** The model card's thresholds and NMS; the count rule in force stays. */
  resetPostprocess(): void;
  toggleVisible(cls: CellClass): void;
  setBackendChoice(b: BackendChoice): void;
  /** A setting the user changed, as the call that made it (every setter of a saved setting calls this): while a
   * saved batch is being restored (holdSettings), it is kept to be made again over what the restore brings. */
  noteSetting(again: () => void): void;
  /** Runs `fn`, whose setting changes come from storage (a restore), not from the user: not kept. */
  fromStorage<T>(fn: () => T): T;
  /** The saved batch's restore begins: settings the user changes from now on win over the restored ones. */
  holdSettings(): void;
  /** Makes again, in order, every setting change the user made since holdSettings (the restore, applied since,
   * wrote over them); `end`: the restore is over, nothing more is kept. */
  reapplySettings(end?: boolean): void;
}

export const createSettingsSlice =
  (defaults: PostprocessParams): StateCreator<AppState, [], [], SettingsSlice> =>
  (set, get) => {
    // A setting changed while the saved batch was read (seconds, for a large batch on a slow phone) was
    // overwritten when the restore applied the saved one, without a word: the technician set it last.
    let held: (() => void)[] | null = null;
    let quiet = 0;
    const note = (again: () => void) => {
      if (held && !quiet) held.push(again);
    };
    const fromStorage = <T>(fn: () => T): T => {
      quiet++;
      try {
        return fn();
      } finally {
        quiet--;
      }
    };
    return {
      postprocess: defaults,
      defaults,
      visible: perClass(() => true),
      backendChoice: 'auto',
      setThreshold(cls, v) {
        note(() => get().setThreshold(cls, v));
        set((s) => ({ postprocess: { ...s.postprocess, scoreThresholds: { ...s.postprocess.scoreThresholds, [cls]: v } } }));
      },
      setNmsIou(v) {
        note(() => get().setNmsIou(v));
        set((s) => ({ postprocess: { ...s.postprocess, nmsIou: v } }));
      },
      setCrossClassNms(v) {
        note(() => get().setCrossClassNms(v));
        set((s) => ({ postprocess: { ...s.postprocess, crossClassNms: v } }));
      },
      setCountRule(v) {
        note(() => get().setCountRule(v));
        set((s) => ({ postprocess: { ...s.postprocess, countRule: v } }));
      },
      estimateFactors: { WBC: null, Platelets: null },
      setEstimateFactor(cls, v) {
        note(() => get().setEstimateFactor(cls, v));
        // the checks of a typed or restored factor (at most MAX_FACTOR too): off where it fails them
        const r = restoredFactor(v);
        set((s) => ({ estimateFactors: { ...s.estimateFactors, [cls]: 'factor' in r ? r.factor : null } }));
      },
      reviewBand: 0.15,
      setReviewBand(v) {
        note(() => get().setReviewBand(v));
        set({ reviewBand: Math.max(0.01, Math.min(1, v)) });
      },
      fixedScale: null,
      setFixedScale(v) {
        note(() => get().setFixedScale(v));
        set({ fixedScale: v !== null && Number.isFinite(v) && v > 0 ? v : null });
      },
      labName: '',
      setLabName(labName) {
        note(() => get().setLabName(labName));
        const was = get().labName;
        if (labName === was) return;
        set({ labName });
        // the lab heads every page of the signed report: renamed after the release, the paper named a lab the
        // verifier never signed for under "Released"; withdrawn, as for a change to the sample record
        if (get().sample.verifiedAt && labName.trim() !== was.trim()) get().withdrawRelease(`lab name changed (${was.trim() || 'none'} → ${labName.trim() || 'none'})`);
      },
      resetPostprocess() {
        note(() => get().resetPostprocess());
        // the count rule is the lab's (the microscope profile's), not the model's: a reset of the thresholds
        // changed it, and the stored profile with it, without a word
        set((s) => ({ postprocess: s.postprocess.countRule === s.defaults.countRule ? s.defaults : { ...s.defaults, countRule: s.postprocess.countRule } }));
      },
      toggleVisible(cls) {
        // made again as the state it left, not as a toggle: over a restored "hidden" a second toggle showed it
        const shown = !get().visible[cls];
        note(() => set((s) => ({ visible: { ...s.visible, [cls]: shown } })));
        set((s) => ({ visible: { ...s.visible, [cls]: shown } }));
      },
      setBackendChoice(backendChoice) {
        set({ backendChoice });
      },
      noteSetting: note,
      fromStorage,
      holdSettings() {
        held = [];
      },
      reapplySettings(end = false) {
        const again = held ?? [];
        if (end) held = null;
        quiet++;
        try {
          for (const f of again) f();
        } finally {
          quiet--;
        }
      },
    };
  };
