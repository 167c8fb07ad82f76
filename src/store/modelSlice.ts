import type { StateCreator } from 'zustand';
import type { Backend } from '../worker/protocol';
import type { AppState } from './store';
import type { ModelCard } from '../core/detection/card';
import type { ClassifierCard } from '../core/differential/card';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

/**
 * The model files this page runs, as the report's Method names them: the detector, and the WBC classifier with
 * the bar under which its types are unsure (the card's lowConfidence: the report's "kept apart: n unsure", the
 * images flagged wbc-type-unsure). Fixed for the page's life; an update of the app may bring others.
 */
export interface ModelsInUse {
  detector: { name: string; sha256: string };
  /** codes: each WBC type's code in the card, in WBC_TYPES order, as the report's differential and the exports
   * print them (an update whose card recoded a type, the model file the same, printed other codes under a release) */
  classifier: { name: string; sha256: string; lowConfidence: number; codes: string[] } | null;
}

/** The models in use as a release records them, from the cards loaded (null: no classifier, ?differential=off). */
export function modelsInUse(card: Pick<ModelCard, 'name' | 'sha256'>, classifier: ClassifierCard | null): ModelsInUse {
  return { detector: { name: card.name, sha256: card.sha256 }, classifier: classifier ? { name: classifier.name, sha256: classifier.sha256, lowConfidence: classifier.lowConfidence, codes: classifier.classes.map((c) => c.code) } : null };
}

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
  /** null until the services name them (a store made without them: tests). */
  models: ModelsInUse | null;
  setModels(m: ModelsInUse): void;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set) => ({
  model: { status: 'idle', loaded: 0, total: 0 },
  setModel(patch) {
    set((s) => ({ model: { ...s.model, ...patch } }));
  },
  models: null,
  setModels(models) {
    set({ models });
  },
});
