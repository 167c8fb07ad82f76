/**
 * tsx scripts/optimizeModel.ts [--out public/models] [--force]
 *
 * Writes each shipped ONNX model (models/smearcount-frcnn.onnx, models/smearcount-wbc.onnx) as ORT saves
 * it after its own offline graph optimisation at level "extended" (constant folding, which also expands the
 * int8-stored weights to float once; Conv+activation and other fusions; shape inference), plus
 * optimized.json naming the source file's sha256. The app's worker loads these with graph optimisation
 * off, which takes session creation's graph work out of every visit (src/worker/optimizedModel.ts).
 * "extended", not "all": on x64 "all" inserts NCHWc layout nodes that the WASM build cannot run.
 *
 * The detector: when models/ also holds its int8 copy (smearcount-frcnn.int8.onnx, written by
 * scripts/quantizeModel.ts, chosen by issue 24's rule: faster in the browser and within 0.005 of the float
 * model on validation) and that copy's card names the float model now in models/ as its source, the
 * optimised file is made from the int8 copy instead (QDQ fused into QLinearConv here, once). The manifest
 * still keys it by the float model's sha256, which is what the app's card names; the worker uses the
 * manifest on WASM only, so WebGPU and `?optimized=off` keep the float model. A retrained float model
 * without a new int8 copy ships float again, with a warning.
 *
 * Runs before `npm run dev` and `npm run build` (predev/prebuild), so a retrained model is optimised on the
 * next build. Skips a model whose optimised copy already matches its source; without onnxruntime-node it
 * warns and writes nothing, and the app loads the original models as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { OptimizedEntry, OptimizedManifest } from '../src/worker/optimizedModel';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const SHIPPED = ['smearcount-frcnn.onnx', 'smearcount-wbc.onnx'].map((f) => join(REPO, 'models', f));
/** The int8 QDQ copy of the detector, with its card beside it (`quantisation.from` names the float model). */
export const INT8 = join(REPO, 'models', 'smearcount-frcnn.int8.onnx');

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Optimises `src` into `out` with onnxruntime-node and returns the manifest entry. */
export async function optimizeModel(src: string, out: string, level: OptimizedEntry['level'] = 'extended'): Promise<OptimizedEntry> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(src, { graphOptimizationLevel: level, optimizedModelFilePath: out, executionProviders: ['cpu'] });
  await session.release();
  const bytes = new Uint8Array(readFileSync(out));
  const version = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
  return { file: basename(out), sha256: sha256(bytes), bytes: bytes.length, source: { file: basename(src), sha256: sha256(new Uint8Array(readFileSync(src))) }, level, ort: version };
}

/** The int8 copy to optimise in place of `src`, when there is one made from exactly this `src`. */
export function int8Copy(src: string, srcSha: string): string | null {
  if (basename(src) !== 'smearcount-frcnn.onnx' || !existsSync(INT8)) return null;
  const card = JSON.parse(readFileSync(INT8.replace(/\.onnx$/, '.json'), 'utf8')) as { quantisation?: { from?: { sha256?: string } } };
  if (card.quantisation?.from?.sha256 === srcSha) return INT8;
  console.warn(`scripts/optimizeModel.ts: ${basename(INT8)} was made from another detector; shipping the float one (rerun scripts/quantizeModel.ts)`);
  return null;
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(REPO, 'public', 'models') }, force: { type: 'boolean', default: false } } });
  const dir = resolve(values.out!);
  const manifestPath = join(dir, 'optimized.json');
  const old: OptimizedManifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { models: [] };
  mkdirSync(dir, { recursive: true });
  const models: OptimizedEntry[] = [];
  for (const src of SHIPPED) {
    let out = join(dir, basename(src).replace(/\.onnx$/, '.opt.onnx'));
    const srcSha = sha256(new Uint8Array(readFileSync(src)));
    const int8 = int8Copy(src, srcSha);
    if (int8) out = join(dir, basename(int8).replace(/\.onnx$/, '.opt.onnx'));
    const int8Sha = int8 ? sha256(new Uint8Array(readFileSync(int8))) : undefined;
    const prev = old.models.find((m) => m.source.sha256 === srcSha && m.file === basename(out) && m.quantised?.sha256 === int8Sha);
    if (!values.force && prev && existsSync(out) && sha256(new Uint8Array(readFileSync(out))) === prev.sha256) {
      models.push(prev);
      continue;
    }
    const t = performance.now();
    const e = await optimizeModel(int8 ?? src, out);
    if (int8) {
      e.quantised = e.source;
      e.source = { file: basename(src), sha256: srcSha };
    }
    models.push(e);
    console.log(`optimised ${(e.quantised ?? e.source).file} -> ${e.file} (${(e.bytes / 1e6).toFixed(2)} MB, ${(performance.now() - t).toFixed(0)} ms)`);
  }
  writeFileSync(manifestPath, JSON.stringify({ models } satisfies OptimizedManifest, null, 2) + '\n');
  // an optimised file the manifest no longer names (the float detector's, once its int8 copy ships) would
  // only be copied into dist/ and precached
  for (const f of readdirSync(dir)) if (f.endsWith('.opt.onnx') && !models.some((m) => m.file === f)) unlinkSync(join(dir, f));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: Error) => {
    // Never fails the build: the app falls back to the original models (slower session creation).
    console.warn(`scripts/optimizeModel.ts: no optimised models written (${e.message}); the app loads the originals`);
  });
}
