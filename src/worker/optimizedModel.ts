/**
 * Models stored after ORT's offline graph optimisation (scripts/optimizeModel.ts, run before every dev
 * server and build): the constant folding, fusions and shape work that session creation otherwise does on
 * every visit, in WebAssembly, are done once at build time, and the worker loads the result with graph
 * optimisation off. The manifest ties each optimised file to the exact model it was made from, so a new
 * model dropped into models/ without a rebuild is never paired with the optimised copy of the old one.
 */

export interface OptimizedEntry {
  /** File name beside the manifest. */
  file: string;
  sha256: string;
  bytes: number;
  /** The model it was optimised from (the card's sha256). */
  source: { file: string; sha256: string };
  /** Set when the file was made from the detector's int8 QDQ copy (scripts/quantizeModel.ts) rather than
   * from `source` itself: that copy's file and sha256. */
  quantised?: { file: string; sha256: string };
  /** ORT's level used offline ("extended": "all" would add x64-only NCHWc nodes that WASM cannot run). */
  level: 'basic' | 'extended';
  /** The onnxruntime-node version that wrote it. */
  ort: string;
}

export interface OptimizedManifest {
  models: OptimizedEntry[];
}

/** The model to load: the optimised copy of `sha256` with optimisation off, else the original with
 * ORT's full optimisation at load time. */
export interface ModelChoice {
  url: string;
  sha256: string;
  bytes: number;
  graphOptimizationLevel: 'disabled' | 'all';
}

export function chooseModel(manifest: OptimizedManifest | null, manifestUrl: string, original: Omit<ModelChoice, 'graphOptimizationLevel'>): ModelChoice {
  const e = manifest?.models?.find((m) => m?.source?.sha256 === original.sha256 && typeof m.file === 'string' && /^[0-9a-f]{64}$/.test(m.sha256));
  if (!e) return { ...original, graphOptimizationLevel: 'all' };
  return { url: new URL(e.file, manifestUrl).href, sha256: e.sha256, bytes: e.bytes, graphOptimizationLevel: 'disabled' };
}
