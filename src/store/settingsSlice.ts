import type { StateCreator } from 'zustand';
import type { PostprocessParams } from '../core/detection/card';
import { perClass, type CellClass, type PerClass } from '../core/detection/classes';
import type { BackendChoice } from '../worker/protocol';
import type { AppState } from './store';

export interface SettingsSlice {
  postprocess: PostprocessParams;
  defaults: PostprocessParams;
  visible: PerClass<boolean>;
  backendChoice: BackendChoice;
  setThreshold(cls: CellClass, v: number): void;
  setNmsIou(v: number): void;
  setCrossClassNms(v: boolean): void;
  resetPostprocess(): void;
  toggleVisible(cls: CellClass): void;
  setBackendChoice(b: BackendChoice): void;
}

export const createSettingsSlice =
  (defaults: PostprocessParams): StateCreator<AppState, [], [], SettingsSlice> =>
  (set) => ({
    postprocess: defaults,
    defaults,
    visible: perClass(() => true),
    backendChoice: 'auto',
    setThreshold(cls, v) {
      set((s) => ({ postprocess: { ...s.postprocess, scoreThresholds: { ...s.postprocess.scoreThresholds, [cls]: v } } }));
    },
    setNmsIou(v) {
      set((s) => ({ postprocess: { ...s.postprocess, nmsIou: v } }));
    },
    setCrossClassNms(v) {
      set((s) => ({ postprocess: { ...s.postprocess, crossClassNms: v } }));
    },
    resetPostprocess() {
      set((s) => ({ postprocess: s.defaults }));
    },
    toggleVisible(cls) {
      set((s) => ({ visible: { ...s.visible, [cls]: !s.visible[cls] } }));
    },
    setBackendChoice(backendChoice) {
      set({ backendChoice });
    },
  });
