// Copies onnxruntime-web's WASM runtime into public/ort so that the app serves it itself:
// ORT's default is a CDN, which breaks offline use and would send requests off-origin.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dist = join(dirname(require.resolve('onnxruntime-web/wasm')), '.');
const out = new URL('../public/ort/', import.meta.url);
mkdirSync(out, { recursive: true });
const files = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];
for (const f of files) copyFileSync(join(dist, f), new URL(f, out));
console.log(`copied ${files.length} ORT runtime files to public/ort/`);
