/**
 * npm run bench [-- --images 20 --seed-images 3 --batch 60 --no-seed --no-webgpu]
 *
 * Runs the built app (dist/, via `vite preview`) in headless Chromium and measures, per backend, through
 * the app's own worker: model fetch + integrity check, session creation, and warm per-image inference
 * p50/p95 over Testing images; the model shipped before magnification awareness (commit PREV_COMMIT,
 * read from git history at bench time, run at its own 640x480 native size) on the same images and
 * backend, as a ratio; the second pass's cost and how often it ran, on the zoom-out set; then the seed's
 * architecture (models/export_seed.py) the same way, and the end-to-end time of a batch in the UI
 * (drop -> all counts shown). Prints a table; writes bench-results/bench.json.
 */
import { chromium, type Browser } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { REPO_ROOT as REPO } from './dataRoot';
import { ensureScaleSets, requireData } from './dataRoot';
import { startPreview } from './preview';

/** The model shipped before this one (1.26 M params at 640x480), for the speed ratio. */
const PREV_COMMIT = 'ea5668b';

const { values: opt } = parseArgs({
  options: {
    images: { type: 'string', default: '20' },
    'seed-images': { type: 'string', default: '3' },
    batch: { type: 'string', default: '60' },
    'no-seed': { type: 'boolean', default: false },
    'no-webgpu': { type: 'boolean', default: false },
  },
});
const N_IMAGES = Number(opt.images);
const N_SEED = Number(opt['seed-images']);
const N_BATCH = Number(opt.batch);
const PORT = 4183;
const BASE = `http://127.0.0.1:${PORT}`;

let imgDir: string;
let zoomOut: string[];
try {
  imgDir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
  const z = join(ensureScaleSets()['zoom-out'], 'Images');
  zoomOut = readdirSync(z).filter((f) => f.endsWith('.png')).sort().map((f) => join(z, f));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const images = readdirSync(imgDir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(imgDir, f));

if (!existsSync(join(REPO, 'dist', 'index.html'))) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
const seedOnnx = join(REPO, 'models', 'seed', 'seed-resnet50-fpn.onnx');
const seedFacts = existsSync(seedOnnx) ? JSON.parse(readFileSync(seedOnnx.replace(/\.onnx$/, '.json'), 'utf8')) : null;
if (seedFacts && !opt['no-seed']) {
  mkdirSync(join(REPO, 'dist', 'bench-seed'), { recursive: true });
  copyFileSync(seedOnnx, join(REPO, 'dist', 'bench-seed', 'seed.onnx'));
}

// The previous model, from git history (never committed twice): served by the built app for the ratio.
let prevFacts: { sha256: string } | null = null;
try {
  const bytes = execFileSync('git', ['show', `${PREV_COMMIT}:models/smearcount-frcnn.onnx`], { cwd: REPO, maxBuffer: 64 << 20 });
  mkdirSync(join(REPO, 'dist', 'bench-prev'), { recursive: true });
  writeFileSync(join(REPO, 'dist', 'bench-prev', 'prev.onnx'), bytes);
  prevFacts = JSON.parse(execFileSync('git', ['show', `${PREV_COMMIT}:models/smearcount-frcnn.json`], { cwd: REPO }).toString());
} catch (e) {
  console.error(`previous model not available from git (${(e as Error).message.split('\n')[0]}); no ratio`);
}

const { stop } = await startPreview(PORT);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

interface Row {
  model: string;
  backend: string;
  images: number;
  fetchMs: number;
  createMs: number;
  p50: number;
  p95: number;
  mean: number;
  secondPass: number;
  classifyP50: number | null;
  classifyImages: number;
}

async function measure(browser: Browser, label: string, query: string, files: string[], timeoutMs = 600_000): Promise<Row | null> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/${query}`);
  const status = page.getByTestId('status');
  await status.waitFor();
  await page.waitForFunction(() => ['ready', 'error'].includes(document.querySelector('[data-testid=status]')!.getAttribute('data-state')!), null, { timeout: timeoutMs });
  const model = await page.evaluate(() => (window as any).__smearcount.model());
  if (model.status !== 'ready') {
    console.error(`${label}: ${model.error}`);
    await ctx.close();
    return null;
  }
  await page.getByTestId('file-input').setInputFiles(files);
  await page.waitForFunction(
    (n) => {
      const ims = (window as any).__smearcount.images();
      return ims.length === n && ims.every((i: any) => i.status === 'done' || i.status === 'error');
    },
    files.length,
    { timeout: timeoutMs, polling: 250 },
  );
  const ims: { inferenceMs: number; classifyMs?: number; classified: number; scale?: { passes: number } }[] = await page.evaluate(() => (window as any).__smearcount.images());
  const t = ims.map((i) => i.inferenceMs);
  // The classifier's cost per image with 1-2 WBC candidates (one batch through the worker).
  const c = ims.filter((i) => i.classifyMs !== undefined && i.classified >= 1 && i.classified <= 2).map((i) => i.classifyMs!);
  const second = ims.filter((i) => i.scale?.passes === 2).length;
  await ctx.close();
  const row = {
    model: label,
    backend: model.backend + (model.threads > 1 ? ` x${model.threads}` : ''),
    images: t.length,
    fetchMs: model.fetchMs,
    createMs: model.createMs,
    p50: pct(t, 50),
    p95: pct(t, 95),
    mean: t.reduce((a, b) => a + b, 0) / t.length,
    secondPass: second,
    classifyP50: c.length ? pct(c, 50) : null,
    classifyImages: c.length,
  };
  console.error(`  ${label} ${row.backend}: p50 ${row.p50.toFixed(1)} ms, p95 ${row.p95.toFixed(1)} ms, second pass on ${second}/${t.length}`);
  return row;
}

async function batchEndToEnd(browser: Browser, files: string[]): Promise<number> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/`);
  await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.getAttribute('data-state') === 'ready', null, { timeout: 300_000 });
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(files);
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=status]')?.getAttribute('data-state') === 'ready' && (window as any).__smearcount.images().filter((i: any) => i.status === 'done').length === n,
    files.length,
    { timeout: 600_000, polling: 50 },
  );
  const ms = Date.now() - t0;
  await ctx.close();
  return ms;
}

const launch = (webgpu: boolean) =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', ...(webgpu ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan'] : ['--disable-gpu'])],
  });

const rows: Row[] = [];
const browser = await launch(false);
const ours = images.slice(0, N_IMAGES);
console.error(`ours: ${ours.length} Testing images per backend`);
const ratios: string[] = [];
for (const [q, name] of [['?backend=wasm&threads=1', 'wasm 1 thread'], ['?backend=wasm&threads=2', 'wasm 2 threads']] as const) {
  // Interleaved: previous, new, previous, new, so that load drifts hit both alike.
  const runs: { prev: Row | null; cur: Row | null }[] = [];
  for (let k = 0; k < 2; k++) {
    const prev = prevFacts ? await measure(browser, `previous (${PREV_COMMIT})`, `${q}&model=/bench-prev/prev.onnx&sha256=${prevFacts.sha256}&native=640x480&scale=off`, ours) : null;
    const cur = await measure(browser, 'smearcount', q, ours);
    runs.push({ prev, cur });
  }
  const best = (k: 'prev' | 'cur') => runs.map((r) => r[k]).filter((r): r is Row => !!r).sort((a, b) => a.p50 - b.p50)[0];
  const cur = best('cur');
  const prev = best('prev');
  if (cur) rows.push(cur);
  else console.error(`  ${name}: unavailable`);
  if (prev) rows.push(prev);
  if (cur && prev) ratios.push(`${name}: new / previous p50 = ${(cur.p50 / prev.p50).toFixed(2)} (${cur.p50.toFixed(1)} / ${prev.p50.toFixed(1)} ms, best of 2 interleaved runs each)`);
}
console.error(`second pass: ${zoomOut.length} zoom-out mosaics (cells at 0.5x)`);
const zoomRow = await measure(browser, 'zoom-out set', '?backend=wasm&threads=2', zoomOut);
if (zoomRow) rows.push(zoomRow);
let seedRow: Row | null = null;
if (seedFacts && !opt['no-seed']) {
  console.error(`seed architecture (ResNet50-FPN, 800 px): ${N_SEED} images`);
  seedRow = await measure(browser, 'seed R50-FPN', `?backend=wasm&threads=2&model=/bench-seed/seed.onnx&sha256=${seedFacts.sha256}`, images.slice(0, N_SEED), 1_800_000);
  if (seedRow) rows.push(seedRow);
} else if (!seedFacts) console.error('seed model not exported: run /usr/bin/python3 -m models.export_seed to include it');
console.error(`end-to-end batch of ${N_BATCH} images (default backend)`);
const batchMs = await batchEndToEnd(browser, images.slice(0, N_BATCH));
await browser.close();

if (!opt['no-webgpu']) {
  const gpuBrowser = await launch(true);
  const ctx = await gpuBrowser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/`);
  const hasGpu = await page.evaluate(async () => !!(await (navigator as any).gpu?.requestAdapter()));
  await ctx.close();
  if (hasGpu) {
    // SwiftShader's software WebGPU here is very slow: a handful of images is enough to rank it.
    const r = await measure(gpuBrowser, 'smearcount', '?backend=webgpu', images.slice(0, 3), 1_800_000);
    if (r) rows.push(r);
  } else console.error('WebGPU: no adapter in this browser');
  await gpuBrowser.close();
}

const card = JSON.parse(readFileSync(join(REPO, 'models', 'smearcount-frcnn.json'), 'utf8'));
const f = (x: number) => x.toFixed(1).padStart(8);
console.log(`\nmachine: ${os.cpus()[0]?.model} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}, Chromium headless`);
console.log('model           backend          images  fetch ms  create ms   p50 ms   p95 ms  mean ms');
for (const r of rows) {
  console.log(`${r.model.padEnd(15)} ${r.backend.padEnd(16)} ${String(r.images).padStart(6)}  ${f(r.fetchMs)}  ${f(r.createMs)}  ${f(r.p50)} ${f(r.p95)} ${f(r.mean)}`);
}
for (const r of ratios) console.log(r);
const withTypes = rows.find((r) => r.model === 'smearcount' && r.backend.startsWith('wasm-threads') && r.classifyP50 !== null);
if (withTypes) console.log(`WBC classifier: p50 ${withTypes.classifyP50!.toFixed(1)} ms per image with 1-2 WBC candidates (${withTypes.classifyImages} images, ${withTypes.backend})`);
const native2 = rows.find((r) => r.model === 'smearcount' && r.backend.startsWith('wasm-threads'));
if (zoomRow && native2) {
  console.log(
    `second pass: ran on ${zoomRow.secondPass}/${zoomRow.images} zoom-out images (0/${native2.images} CBC Testing images); ` +
      `per image with both passes p50 ${zoomRow.p50.toFixed(1)} ms = ${(zoomRow.p50 / native2.p50).toFixed(2)}x one pass at native scale`,
  );
}
const ours2 = rows.find((r) => r.model === 'smearcount' && r.backend.startsWith('wasm-threads'));
if (seedRow && ours2) console.log(`\nseed / ours, same backend (${ours2.backend}), p50: ${(seedRow.p50 / ours2.p50).toFixed(1)}x`);
console.log(`ONNX size: ours ${(statSync(join(REPO, 'models', card.file)).size / 1e6).toFixed(2)} MB, ${card.parameters.toLocaleString()} parameters` + (seedFacts ? `; seed ${(seedFacts.bytes / 1e6).toFixed(1)} MB, ${seedFacts.parameters.toLocaleString()} parameters` : ''));
console.log(`end-to-end: ${N_BATCH} images dropped -> all counts shown in ${(batchMs / 1000).toFixed(2)} s`);
mkdirSync(join(REPO, 'bench-results'), { recursive: true });
writeFileSync(join(REPO, 'bench-results', 'bench.json'), JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, rows, ratios, batch: { images: N_BATCH, ms: batchMs } }, null, 2));
stop();
process.exit(0);
