import type { StateCreator } from 'zustand';
import type { Backend } from '../worker/protocol';
import type { AppState } from './store';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ModelSlice {
  model: {
    status: ModelStatus;
    loaded: number;
    total: number;
    backend?: Backend;
    threads?: number;
    loadMs?: number;
    fetchMs?: number;
    createMs?: number;
    warmupMs?: number;
    /** Init to ORT's WebAssembly started, when it started beside the model's download. */
    runtimeMs?: number;
    /** Page time (performance.now(), ms since navigation) when the model became ready. */
    readyAt?: number;
    /** The detector is the copy stored pre-optimised (scripts/optimizeModel.ts). */
    optimized?: boolean;
    note?: string;
    error?: string;
    /** The WBC classifier loaded (the differential is available). */
    classifier?: boolean;
  };
  setModel(patch: Partial<ModelSlice['model']>): void;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set) => ({
  model: { status: 'idle', loaded: 0, total: 0 },
  setModel(patch) {
    set((s) => ({ model: { ...s.model, ...patch } }));
  },
});
