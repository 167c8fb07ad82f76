import react from '@vitejs/plugin-react';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const ortDist = fileURLToPath(new URL('./node_modules/onnxruntime-web/dist/', import.meta.url));

// The app's version, printed on reports and in every export beside the models: package.json's version and
// the commit it was built from (none outside a git checkout).
const appVersion = (() => {
  const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return sha ? `${version}+${sha}` : version;
  } catch {
    return version;
  }
})();

// The pre-optimised models' manifest (scripts/optimizeModel.ts, run by predev/prebuild), built into the
// bundle so that its hashes are pinned like the model card's (src/services/optimizedModels.ts).
const optimizedModels = (() => {
  try {
    return JSON.parse(readFileSync(new URL('./public/models/optimized.json', import.meta.url), 'utf8'));
  } catch {
    return null;
  }
})();

// Cross-origin isolation gives ORT SharedArrayBuffer, hence WASM threads. Hosting must send the
// same two headers (see README); without them the app still works on one thread.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Only our own origin. 'wasm-unsafe-eval' lets ORT compile its WebAssembly; blob: covers object URLs of
// dropped images and exports. Build-only: the dev server's React refresh needs an inline script.
const csp = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

const cspPlugin = {
  name: 'smearcount-csp',
  apply: 'build' as const,
  transformIndexHtml: () => [
    { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: csp }, injectTo: 'head-prepend' as const },
  ],
};

export default defineConfig({
  // Relative: one dist/ works wherever it is served, at a host's root or at a sub-path such as
  // https://intranet.example/smearcount/ (the page's files, the manifest, the service worker and its scope
  // follow the page's folder). With '/', a sub-path got a blank page (index.html asked for /assets/…).
  base: './',
  plugins: [
    react(),
    cspPlugin,
    VitePWA({
      registerType: 'prompt',
      injectRegister: null,
      includeAssets: ['icon.svg'],
      manifest: {
        // No id: the app's identity for the browser is then its start_url, the folder it is served from. An id
        // resolves against the start's origin only, so id '/' made an app at https://intranet.example/smearcount/
        // the host's root app, and two copies on one host (a test and a live one) one app. At a host's root the
        // identity is the same as with id '/', which the installs already made have. Keep start_url '.': a
        // changed start_url would make another app beside the installed one.
        name: 'Smearcount — blood-smear cell counter',
        short_name: 'Smearcount',
        description: 'Counts RBC, WBC and platelets in blood-smear photos, entirely on this device.',
        theme_color: '#1b1f24',
        background_color: '#1b1f24',
        display: 'standalone',
        start_url: '.',
        categories: ['medical', 'productivity'],
        // scripts/make_icons.py draws the PNGs; the maskable ones keep the cells inside the launcher's safe zone
        // (Android cut the 'any' icon's edges to a circle, or showed it small on a white plate)
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icon-maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
        // "Open with Smearcount" for the images the app counts (services/launchFiles.ts takes them); the open
        // window of the app gets them, which owns the batch (a new window would have to ask for it first)
        file_handlers: [
          {
            action: '.',
            accept: {
              'image/jpeg': ['.jpg', '.jpeg'],
              'image/png': ['.png'],
              'image/tiff': ['.tif', '.tiff'],
              'image/webp': ['.webp'],
              'image/bmp': ['.bmp'],
            },
          },
        ],
        launch_handler: { client_mode: ['focus-existing', 'auto'] },
      },
      workbox: {
        // The app, the ORT runtime (.mjs + .wasm, ~14 MB and ~27 MB) and the model are all precached,
        // so that after one visit the app starts and detects with no network at all.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,mjs,wasm,onnx,json}'],
        maximumFileSizeToCacheInBytes: 40 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
        // Each model's SRI hash in the precache manifest. Workbox then checks the bytes it stores on install, and
        // a model missing from the precache (the browser cleared part of it) is taken from the network and kept
        // again, not fetched afresh on every visit and missing offline. A damaged stored copy is removed by the
        // detector worker when it fails its check (worker/session.ts fetchVerifiedModel), and so comes back the
        // same way.
        manifestTransforms: [
          async (entries) => ({
            manifest: entries.map((e) =>
              /\.onnx$/.test(e.url) ? { ...e, integrity: `sha384-${createHash('sha384').update(readFileSync(fileURLToPath(new URL(`./dist/${e.url}`, import.meta.url)))).digest('base64')}` } : e,
            ),
          }),
        ],
      },
    }),
  ],
  resolve: {
    alias: {
      // The non-bundled builds load their runtime from env.wasm.wasmPaths, which we point at the
      // copies we serve from /ort/ (scripts/copy-ort.mjs). One copy of each file, same origin.
      'onnxruntime-web/wasm': `${ortDist}ort.wasm.min.mjs`,
      'onnxruntime-web/webgpu': `${ortDist}ort.webgpu.min.mjs`,
    },
  },
  define: { __OPTIMIZED_MODELS__: JSON.stringify(optimizedModels), __APP_VERSION__: JSON.stringify(appVersion) },
  assetsInclude: ['**/*.onnx'],
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { headers: isolation },
  preview: { headers: isolation },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
  },
} as any);
