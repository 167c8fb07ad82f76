import type { OptimizedManifest } from '../worker/optimizedModel';

declare const __OPTIMIZED_MODELS__: OptimizedManifest | null | undefined;

/** The manifest that scripts/optimizeModel.ts wrote before this build (public/models/optimized.json),
 * baked into the bundle by vite.config.ts: the optimised copies' hashes are then as fixed as the model
 * card's, and a server cannot swap the manifest and a model together. Null where none was made. */
export const optimizedModels: OptimizedManifest | null = typeof __OPTIMIZED_MODELS__ === 'undefined' ? null : __OPTIMIZED_MODELS__;
