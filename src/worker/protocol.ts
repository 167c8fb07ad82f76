import type { CropRule } from '../core/differential/crop';
/** The one message protocol between the page and the detector worker. Every message has an id;
 * a request's replies carry the same id. Statuses run loading -> progress -> ready; a detect
 * request ends in exactly one `result` or `error`. */

import type { ErrorCode } from '../core/errors';
import type { OptimizedManifest } from './optimizedModel';

export type BackendChoice = 'auto' | 'wasm' | 'webgpu';
export type Backend = 'webgpu' | 'wasm-threads' | 'wasm';

export interface InitRequest {
  type: 'init';
  id: number;
  modelUrl: string;
  sha256: string;
  bytes: number;
  backend: BackendChoice;
  /** Base URL of the self-hosted ORT .mjs/.wasm files (never a CDN). */
  wasmBase: string;
  /** 0 = as many as useful (cross-origin isolated pages only), 1 = single thread. */
  numThreads: number;
  /** The model's native input size, for the warm-up run that ranks backends. */
  warmupSize: { width: number; height: number };
  /** The models stored pre-optimised (scripts/optimizeModel.ts): the build's manifest and the URL of the
   * folder holding them. Used on WASM for a model the manifest says it was made from; else the original. */
  optimized?: { manifest: OptimizedManifest; base: string };
  /** The WBC type classifier (optional: without it there is no differential). */
  classifier?: { modelUrl: string; sha256: string; bytes: number; /** its embedding output, when the card names one */ embedding?: string };
  /** A typing worker: the classifier alone, on one WASM thread (no detector session; `detect` fails). The
   * page types WBCs there once it is ready, so that typing leaves the detector's thread (issue 24). */
  classifierOnly?: boolean;
}

export interface ClassifyRequest {
  type: 'classify';
  id: number;
  /** n crops, float32 [n,3,size,size]: normalised by the crop rule, or, with `rule`, RGB in [0, 1] that the
   * worker normalises by it (the restoration of a soft crop and the white balance run off the page's
   * thread); transferred. */
  crops: Float32Array;
  n: number;
  size: number;
  rule?: CropRule;
}

export interface DetectRequest {
  type: 'detect';
  id: number;
  /** Already scaled to the model's input size on the main side; transferred, not copied. */
  bitmap: ImageBitmap;
}

export type WorkerRequest = InitRequest | DetectRequest | ClassifyRequest;


export type WorkerResponse =
  | { type: 'status'; id: number; state: 'loading' }
  | { type: 'status'; id: number; state: 'progress'; loaded: number; total: number }
  | { type: 'status'; id: number; state: 'ready'; backend: Backend; threads: number; loadMs: number; fetchMs: number; createMs: number; warmupMs?: number; note?: string; classifier: boolean; /** from init to ORT's WebAssembly started (in parallel with the fetch), when started early */ runtimeMs?: number; /** the detector loaded is the pre-optimised copy */ optimized: boolean }
  | { type: 'result'; id: number; boxes: Float32Array; labels: Int32Array; scores: Float32Array; inferenceMs: number; width: number; height: number; /** the eyepiece's field of view found on the input, in its pixels (null: none) */ field?: { cx: number; cy: number; r: number } | null }
  | { type: 'classified'; id: number; logits: Float32Array; classes: number; ms: number; /** [n, dim] pooled features, when the model has them */ embedding?: Float32Array; dim?: number }
  | { type: 'error'; id: number; code: ErrorCode; message: string };
