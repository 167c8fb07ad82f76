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
 * Runs before `npm run dev` and `npm run build` (predev/prebuild), so a retrained model is optimised on the
 * next build. Skips a model whose optimised copy already matches its source; without onnxruntime-node it
 * warns and writes nothing, and the app loads the original models as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { OptimizedEntry, OptimizedManifest } from '../src/worker/optimizedModel';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const SHIPPED = ['smearcount-frcnn.onnx', 'smearcount-wbc.onnx'].map((f) => join(REPO, 'models', f));

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

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(REPO, 'public', 'models') }, force: { type: 'boolean', default: false } } });
  const dir = resolve(values.out!);
  const manifestPath = join(dir, 'optimized.json');
  const old: OptimizedManifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { models: [] };
  mkdirSync(dir, { recursive: true });
  const models: OptimizedEntry[] = [];
  for (const src of SHIPPED) {
    const out = join(dir, basename(src).replace(/\.onnx$/, '.opt.onnx'));
    const srcSha = sha256(new Uint8Array(readFileSync(src)));
    const prev = old.models.find((m) => m.source.sha256 === srcSha && m.file === basename(out));
    if (!values.force && prev && existsSync(out) && sha256(new Uint8Array(readFileSync(out))) === prev.sha256) {
      models.push(prev);
      continue;
    }
    const t = performance.now();
    const e = await optimizeModel(src, out);
    models.push(e);
    console.log(`optimised ${e.source.file} -> ${e.file} (${(e.bytes / 1e6).toFixed(2)} MB, ${(performance.now() - t).toFixed(0)} ms)`);
  }
  writeFileSync(manifestPath, JSON.stringify({ models } satisfies OptimizedManifest, null, 2) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: Error) => {
    // Never fails the build: the app falls back to the original models (slower session creation).
    console.warn(`scripts/optimizeModel.ts: no optimised models written (${e.message}); the app loads the originals`);
  });
}
