/**
 * npm run bench [-- --images 20 --rounds 3 --seed-images 3 --batch 60 --port 4183 --no-prev --no-seed --no-webgpu]
 *
 * Browser against native, in one run: onnxruntime-node and ORT-web (the app's own /ort/ runtime, in a
 * worker of the built app's origin) on the same tensors with the same threads (1 and 2), interleaved
 * image by image so that the load of a shared machine hits both alike; the browser/native ratios, the
 * 2-thread speed-ups, and ORT's per-op profile for both. Then, through the app itself:
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
import { decodeImage } from './evaluation/decode';
import { DEFAULT_MODEL } from './evaluation/detector';
import { opTable, NativeSession, type Input, type OpRow } from './nativeRuntime';
import { prepareHarness, WebSession } from './webHarness';
import { cpuDelta, processTree, threadTicks } from './threadCpu';
import { parseModelCard } from '../src/core/detection/card';
import { resizeToCHW } from '../src/core/detection/resize';
import { ensureScaleSets, requireData } from './dataRoot';
import { startPreview } from './preview';
import { dropAndCount, waitAppReady } from './appBatch';
import { benchLive } from './benchLive';
import { dropAndWaitCount } from './visit';

/** The model shipped before this one (1.26 M params at 640x480), for the speed ratio. */
const PREV_COMMIT = 'ea5668b';

const { values: opt } = parseArgs({
  options: {
    images: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    port: { type: 'string', default: process.env.PW_PORT ?? '4183' },
    /** the detector for the browser-vs-native comparison (default: the shipped one) */
    model: { type: 'string', default: DEFAULT_MODEL },
    'no-prev': { type: 'boolean', default: false },
    /** V8 flags for Chromium, for experiments (e.g. --no-liftoff: compile the wasm with TurboFan up front) */
    'js-flags': { type: 'string' },
    'seed-images': { type: 'string', default: '3' },
    batch: { type: 'string', default: '60' },
    'no-seed': { type: 'boolean', default: false },
    'no-webgpu': { type: 'boolean', default: false },
    'no-live': { type: 'boolean', default: false },
  },
});
const N_IMAGES = Number(opt.images);
const N_SEED = Number(opt['seed-images']);
const N_BATCH = Number(opt.batch);
const N_ROUNDS = Number(opt.rounds);
const PORT = Number(opt.port);
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
  const model = await page.evaluate(() => window.__smearcount.model());
  if (model.status !== 'ready') {
    console.error(`${label}: ${model.error}`);
    await ctx.close();
    return null;
  }
  await page.getByTestId('file-input').setInputFiles(files);
  await page.waitForFunction(
    (n) => {
      const ims = window.__smearcount.images();
      return ims.length === n && ims.every((i) => i.status === 'done' || i.status === 'error');
    },
    files.length,
    { timeout: timeoutMs, polling: 250 },
  );
  const ims = await page.evaluate(() => window.__smearcount.images());
  const t = ims.map((i) => i.inferenceMs ?? 0);
  // The classifier's cost per image with 1-2 WBC candidates (one batch through the worker).
  const c = ims.filter((i) => i.classifyMs !== undefined && i.classified >= 1 && i.classified <= 2).map((i) => i.classifyMs!);
  const second = ims.filter((i) => i.scale?.passes === 2).length;
  await ctx.close();
  const row = {
    model: label,
    backend: model.backend + ((model.threads ?? 1) > 1 ? ` x${model.threads}` : ''),
    images: t.length,
    fetchMs: model.fetchMs ?? 0,
    createMs: model.createMs ?? 0,
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

/** Drop -> all counts shown, and the sum of the inferences inside it (the batch's floor). */
async function batchEndToEnd(browser: Browser, files: string[], query = '', waitTypist = false): Promise<{ ms: number; sumInferenceMs: number; sumClassifyMs: number; threads: number; typist: string }> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/${query}`);
  await waitAppReady(page);
  // The typing worker (services/typist.ts) starts in idle time after "ready"; a technician's first drop
  // usually comes later than the bench's, which drops at once (the batch's figure) unless asked to wait.
  if (waitTypist) await page.waitForFunction(() => !['off', 'starting'].includes(window.__smearcount.typist()), null, { timeout: 60_000 });
  const typist = await page.evaluate(() => window.__smearcount.typist());
  const ms = await dropAndCount(page, files);
  const ims = await page.evaluate(() => window.__smearcount.images());
  const threads = (await page.evaluate(() => window.__smearcount.model().threads)) ?? 1;
  await ctx.close();
  return { ms, sumInferenceMs: ims.reduce((a, i) => a + (i.inferenceMs ?? 0), 0), sumClassifyMs: ims.reduce((a, i) => a + (i.classifyMs ?? 0), 0), threads, typist };
}

/** Page load -> first count shown, for one image dropped as soon as the page can take it: on a first
 * visit (empty caches), then on a second one in the same profile (service worker and HTTP caches warm),
 * then on a third after the second stayed open 5 s. Chrome keeps the WebAssembly's optimised code beside
 * the cached response it was compiled from once V8 has tiered enough of it up; the first visit's copy came
 * from the network and the second's from the service worker's cache, so only the third finds it there. */
async function coldStart(browser: Browser, first: string, second: string, third: string, query = '') {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const visit = async (file: string) => {
    const { ms, shownAt, name } = await dropAndWaitCount(page, `${BASE}/${query}`, file);
    const model = await page.evaluate(() => window.__smearcount.model());
    const im = (await page.evaluate((n) => window.__smearcount.images().find((i) => i.name === n), name))!;
    // The parts, on the page's clock (ms since navigation): the worker's init starts at readyAt - loadMs;
    // inside it the runtime's start (runtimeMs) overlaps the models' fetch (fetchMs); then the detector's
    // session (createMs) and the classifier's; after readyAt, the first image's detection (inferenceMs) and
    // what the page does around it.
    return {
      ms,
      fetchMs: model.fetchMs as number,
      createMs: model.createMs as number,
      warmupMs: model.warmupMs as number | undefined,
      loadMs: model.loadMs as number,
      runtimeMs: model.runtimeMs,
      readyAt: model.readyAt as number,
      shownAt,
      optimized: model.optimized,
      inferenceMs: im.inferenceMs as number,
      backend: model.backend as string,
    };
  };
  const firstVisit = await visit(first);
  // The service worker's install precaches the app, the runtime and the model.
  await page.evaluate(() => navigator.serviceWorker?.ready.then(() => undefined));
  // Then, idle, the first visit compiles the precached runtime for the next one (services/runtimeCache.ts):
  // a technician's first visit outlasts that by far, so the bench lets it finish and reports how long it took.
  const w0 = Date.now();
  await page.waitForFunction(() => !['idle', 'waiting', 'running'].includes(window.__smearcount.runtimeCache?.() ?? 'skipped'), null, { timeout: 120_000, polling: 100 });
  const runtimeCache = { state: await page.evaluate(() => window.__smearcount.runtimeCache?.() ?? 'skipped'), waitedMs: Date.now() - w0 };
  const warm = await visit(second);
  await page.waitForTimeout(5000);
  const later = await visit(third);
  await ctx.close();
  return { firstVisit, runtimeCache, warm, later };
}

const launch = (webgpu: boolean) =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', ...(opt['js-flags'] ? [`--js-flags=${opt['js-flags']}`] : []), ...(webgpu ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan'] : ['--disable-gpu'])],
  });

const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
const median = (xs: number[]) => pct(xs, 50);
const modelCard = parseModelCard(JSON.parse(readFileSync(join(REPO, 'models', 'smearcount-frcnn.json'), 'utf8')));

/** ORT names its fused kernels per platform (x86 NCHWc Conv with the activation inside; FusedConv in
 * WASM): one row per ONNX op, so that the two runtimes line up. */
const opName = (op: string) => ({ FusedConv: 'Conv', FusedGemm: 'Gemm', FusedMatMul: 'MatMul' })[op] ?? op;
function mergeOps(native: OpRow[], web: OpRow[]) {
  const m = new Map<string, { op: string; nativeMs: number; webMs: number }>();
  for (const [k, rows] of [['nativeMs', native], ['webMs', web]] as const) {
    for (const r of rows) {
      const e = m.get(opName(r.op)) ?? { op: opName(r.op), nativeMs: 0, webMs: 0 };
      e[k] += r.ms;
      m.set(e.op, e);
    }
  }
  return [...m.values()].sort((a, b) => b.webMs - a.webMs);
}

/** Native and browser on the same tensors and threads, interleaved image by image; then one profiled
 * pass of each. */
async function compareRuntimes(browser: Browser) {
  const { width, height } = modelCard.nativeSize;
  const inputs: Input[] = [];
  for (const f of images.slice(0, N_IMAGES)) {
    const im = await decodeImage(f);
    inputs.push({ data: resizeToCHW(im.data, im.width, im.height, width, height), width, height });
  }
  const h = prepareHarness(opt.model, inputs);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${BASE}${h.page}`);
  await page.waitForFunction(() => 'harness' in window);
  const loadBefore = load();
  type S = { run(k: number): Promise<number>; close(): Promise<unknown>; createMs: number };
  const sessions: [string, S][] = [];
  for (const t of [1, 2]) {
    sessions.push([`native ${t}`, await NativeSession.open(opt.model, inputs, t)]);
    const w = await WebSession.open(page, h, t);
    if (t > 1 && !w.isolated) throw new Error('the harness page is not cross-origin isolated: ORT-web would run one thread');
    sessions.push([`web ${t}`, w]);
  }
  const times = new Map<string, number[]>(sessions.map(([n]) => [n, []]));
  for (let r = 0; r < N_ROUNDS; r++) {
    for (let k = 0; k < inputs.length; k++) {
      // A different runtime goes first on each image.
      for (let j = 0; j < sessions.length; j++) {
        const [name, s] = sessions[(j + k + r) % sessions.length];
        times.get(name)!.push(await s.run(k));
      }
    }
  }
  // Where the CPU went: each session alone over the images, with the CPU time of every thread of this
  // process (onnxruntime-node's pool) or of Chromium's (the harness's workers and ORT's pthreads).
  // Twice: what the second pass no longer spends on other threads (V8 compiling the wasm's hot
  // functions with TurboFan in the background) was start-up, not inference.
  // In Chromium the harness worker and ORT's pthreads are all "DedicatedWorker" threads: their CPU is
  // the inference's; the rest (V8's compile and GC threads, the renderer) is overhead beside it.
  type Cpu = { wallMs: number; cpuMs: number; inferenceCpuMs: number; perImageCpuMs: number; threads: { name: string; ms: number }[] };
  const cpu: Record<string, Cpu[]> = {};
  for (let pass = 0; pass < 2; pass++) {
    for (const [name, s] of sessions) {
      const native = name.startsWith('native');
      const pids = processTree(process.pid).filter((p) => (native ? p === process.pid : p !== process.pid));
      const before = threadTicks(pids);
      const t0 = performance.now();
      for (let k = 0; k < inputs.length; k++) await s.run(k);
      const wallMs = performance.now() - t0;
      const d = cpuDelta(before, threadTicks(pids));
      const inferenceCpuMs = d.filter((t) => native || t.name.startsWith('DedicatedWorker')).reduce((a, t) => a + t.ms, 0);
      (cpu[name] ??= []).push({
        wallMs,
        cpuMs: d.reduce((a, t) => a + t.ms, 0),
        inferenceCpuMs,
        perImageCpuMs: inferenceCpuMs / inputs.length,
        threads: d.slice(0, 5).map(({ name: n, ms }) => ({ name: n, ms })),
      });
    }
  }
  const create = Object.fromEntries(sessions.map(([n, s]) => [n, s.createMs]));
  for (const [, s] of sessions) await s.close();
  const loadAfter = load();
  const stat = (n: string) => ({ p50: median(times.get(n)!), p95: pct(times.get(n)!, 95), runs: times.get(n)!.length, createMs: create[n] });
  const runtimes = { 'native 1': stat('native 1'), 'native 2': stat('native 2'), 'web 1': stat('web 1'), 'web 2': stat('web 2') };
  // Per-op profiles: one pass over the images per runtime and thread count, interleaved too.
  const profiles: Record<string, { native: ReturnType<typeof opTable>; web: ReturnType<typeof opTable>; ops: ReturnType<typeof mergeOps> }> = {};
  for (const t of [1, 2]) {
    const n = await NativeSession.open(opt.model, inputs, t, { profile: true });
    const w = await WebSession.open(page, h, t, { profile: true });
    for (let k = 0; k < inputs.length; k++) {
      await n.run(k);
      await w.run(k);
    }
    const native = opTable(await n.close(), 2);
    const web = opTable(await w.close(), 2);
    profiles[`${t}`] = { native, web, ops: mergeOps(native.rows, web.rows) };
  }
  await ctx.close();
  return { model: opt.model, images: inputs.length, rounds: N_ROUNDS, size: `${width}x${height}`, runtimes, cpu, profiles, load: { before: loadBefore, after: loadAfter, end: load() } };
}

const rows: Row[] = [];
const browser = await launch(false);
console.error(`native vs browser: ${Math.min(N_IMAGES, images.length)} Testing images x ${N_ROUNDS} rounds, 1 and 2 threads (load ${load().join(' ')})`);
const cmp = await compareRuntimes(browser);
// A long run on a busy machine may be cut short: what is measured so far is kept as it comes.
const partial = (more: object) => {
  mkdirSync(join(REPO, 'bench-results'), { recursive: true });
  writeFileSync(join(REPO, 'bench-results', 'bench.partial.json'), JSON.stringify({ date: new Date().toISOString(), runtimes: cmp, ...more }, null, 2));
};
partial({});
console.error(`cold start (load ${load().join(' ')})`);
const cold = await coldStart(browser, images[0], images[1], images[2]);
const coldLoad = load();
// The same, with the original models (optimised by ORT at every session creation): the start-up work
// the build now does, measured beside it.
const coldOriginal = await coldStart(browser, images[0], images[1], images[2], '?optimized=off');
partial({ coldStart: { ...cold, load: coldLoad } });
const ours = images.slice(0, N_IMAGES);
console.error(`in the app: ${ours.length} Testing images per backend (load ${load().join(' ')})`);
const appLoad = load();
const ratios: string[] = [];
for (const [q, name] of [['?backend=wasm&threads=1', 'wasm 1 thread'], ['?backend=wasm&threads=2', 'wasm 2 threads']] as const) {
  // Interleaved: previous, new, previous, new, so that load drifts hit both alike.
  const runs: { prev: Row | null; cur: Row | null }[] = [];
  for (let k = 0; k < 2; k++) {
    const prev = prevFacts && !opt['no-prev'] ? await measure(browser, `previous (${PREV_COMMIT})`, `${q}&model=/bench-prev/prev.onnx&sha256=${prevFacts.sha256}&native=640x480&scale=off`, ours) : null;
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
partial({ coldStart: { ...cold, load: coldLoad }, rows, ratios });
console.error(`second pass: ${zoomOut.length} zoom-out mosaics (cells at 0.5x)`);
const zoomRow = await measure(browser, 'zoom-out set', '?backend=wasm&threads=2', zoomOut);
if (zoomRow) rows.push(zoomRow);
let seedRow: Row | null = null;
if (seedFacts && !opt['no-seed']) {
  console.error(`seed architecture (ResNet50-FPN, 800 px): ${N_SEED} images`);
  seedRow = await measure(browser, 'seed R50-FPN', `?backend=wasm&threads=2&model=/bench-seed/seed.onnx&sha256=${seedFacts.sha256}`, images.slice(0, N_SEED), 1_800_000);
  if (seedRow) rows.push(seedRow);
} else if (!seedFacts) console.error('seed model not exported: run /usr/bin/python3 -m models.export_seed to include it');
console.error(`end-to-end batch of ${N_BATCH} images (default backend, load ${load().join(' ')})`);
const batchLoad = load();
const batch = await batchEndToEnd(browser, images.slice(0, N_BATCH));
const batchMs = batch.ms;
// The same batch on one detector thread: the other core is then left to the page (decoding, crops,
// WBC typing, drawing), against two threads sharing both cores with it.
const batch1Load = load();
const batch1 = await batchEndToEnd(browser, images.slice(0, N_BATCH), '?threads=1');
// The same batch dropped once the typing worker is ready (the default engine).
const batchTLoad = load();
const batchT = await batchEndToEnd(browser, images.slice(0, N_BATCH), '', true);
await browser.close();

if (!opt['no-webgpu']) {
  const gpuBrowser = await launch(true);
  const ctx = await gpuBrowser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/`);
  const hasGpu = await page.evaluate(async () => !!(await (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()));
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

// Browser against native: ratios within this run (absolute times on a shared machine are not comparable
// between runs; ratios measured side by side are).
const rt = cmp.runtimes;
const r2 = (x: number) => Number(x.toFixed(2));
const speed = {
  browserOverNative1: r2(rt['web 1'].p50 / rt['native 1'].p50),
  browserOverNative2: r2(rt['web 2'].p50 / rt['native 2'].p50),
  browserTwoThreadSpeedup: r2(rt['web 1'].p50 / rt['web 2'].p50),
  nativeTwoThreadSpeedup: r2(rt['native 1'].p50 / rt['native 2'].p50),
};
console.log(`\nbrowser vs native, same ${cmp.size} tensors (${cmp.images} images x ${cmp.rounds} rounds, interleaved; load ${cmp.load.before.join(' ')} -> ${cmp.load.after.join(' ')}):`);
console.log('runtime          threads   p50 ms   p95 ms  create ms');
for (const [k, v] of Object.entries(rt)) {
  const [who, t] = k.split(' ');
  console.log(`${(who === 'web' ? 'ORT-web (WASM)' : 'onnxruntime-node').padEnd(16)} ${t.padStart(7)} ${f(v.p50)} ${f(v.p95)} ${f(v.createMs)}`);
}
console.log('CPU while each ran alone over the images, two passes (/proc, 10 ms ticks; cores busy = CPU time / wall time):');
for (const [k, passes] of Object.entries(cmp.cpu)) {
  for (const [i, v] of passes.entries()) {
    console.log(
      `  ${k.padEnd(9)} pass ${i + 1}: wall ${v.wallMs.toFixed(0).padStart(6)} ms, CPU ${v.cpuMs.toFixed(0).padStart(6)} ms = ${(v.cpuMs / v.wallMs).toFixed(2)} cores; ` +
        `inference threads ${v.perImageCpuMs.toFixed(1)} ms CPU per image; ${v.threads.map((t) => `${t.name} ${t.ms}`).join(', ')}`,
    );
  }
}
// CPU time is what a loaded machine cannot inflate (waiting for a core costs wall time, not CPU time).
const cpuImg = (k: string) => cmp.cpu[k][1].perImageCpuMs;
const cpuRatios = {
  browserOverNative1: r2(cpuImg('web 1') / cpuImg('native 1')),
  browserOverNative2: r2(cpuImg('web 2') / cpuImg('native 2')),
  browserTwoThreadCpuCost: r2(cpuImg('web 2') / cpuImg('web 1')),
  nativeTwoThreadCpuCost: r2(cpuImg('native 2') / cpuImg('native 1')),
};
console.log(
  `CPU per image on the inference threads (second pass), browser / native: ${cpuRatios.browserOverNative1}x on 1 thread, ${cpuRatios.browserOverNative2}x on 2; ` +
    `2 threads spend ${cpuRatios.browserTwoThreadCpuCost}x the CPU of 1 in the browser, ${cpuRatios.nativeTwoThreadCpuCost}x natively`,
);
console.log(`browser / native p50: ${speed.browserOverNative1}x on 1 thread, ${speed.browserOverNative2}x on 2 threads`);
console.log(`2 threads over 1: browser ${speed.browserTwoThreadSpeedup}x, native ${speed.nativeTwoThreadSpeedup}x`);
const app1 = rows.find((r) => r.model === 'smearcount' && r.backend === 'wasm');
const app2 = rows.find((r) => r.model === 'smearcount' && r.backend.startsWith('wasm-threads'));
// The app's own figure, measured later in the run: its 2-over-1 ratio includes the page's work on the
// batch competing for the same cores (no native figure was taken beside it, so no ratio to native).
const inApp = app1 && app2 ? { twoThreadSpeedup: r2(app1.p50 / app2.p50), load: appLoad } : null;
if (inApp) console.log(`in the app's worker (the page busy with the rest of the batch; load ${appLoad.join(' ')}): 2 threads over 1: ${inApp.twoThreadSpeedup}x`);
for (const [t, p] of Object.entries(cmp.profiles)) {
  console.log(`\nper-op kernel time, ms per image, ${t} thread${t === '1' ? '' : 's'} (ORT profiler; model_run native ${p.native.runMs.toFixed(1)} ms, web ${p.web.runMs.toFixed(1)} ms):`);
  console.log('op                    native ms   web ms   web/native  web share');
  const total = p.web.kernelMs;
  for (const o of p.ops.slice(0, 14)) {
    console.log(`${o.op.padEnd(20)} ${f(o.nativeMs)}  ${f(o.webMs)}  ${(o.nativeMs > 0 ? (o.webMs / o.nativeMs).toFixed(1) + 'x' : '-').padStart(9)}  ${((100 * o.webMs) / total).toFixed(1).padStart(8)}%`);
  }
  const rest = p.ops.slice(14);
  const sum = (k: 'nativeMs' | 'webMs') => rest.reduce((a, o) => a + o[k], 0);
  console.log(`${`${rest.length} other ops`.padEnd(20)} ${f(sum('nativeMs'))}  ${f(sum('webMs'))}`);
  console.log(`${'all kernels'.padEnd(20)} ${f(p.native.kernelMs)}  ${f(p.web.kernelMs)}  ${(p.web.kernelMs / p.native.kernelMs).toFixed(1).padStart(8)}x`);
}
// One inference on the backend the repeat visit ran on (the app's default: 1 thread on 2 cores).
const oneInference = (cold.warm.backend === 'wasm' ? app1 : app2)?.p50 ?? rt['web 1'].p50;
const coldRatio = r2(cold.warm.ms / oneInference);
const parts = (v: typeof cold.warm) =>
  `page until the worker's init ${(v.readyAt - v.loadMs).toFixed(0)} ms; in the worker: runtime started ${v.runtimeMs === undefined ? '-' : `${v.runtimeMs.toFixed(0)} ms`} ` +
  `beside models fetched and checked ${v.fetchMs.toFixed(0)} ms, detector session ${v.createMs.toFixed(0)} ms${v.optimized ? ' (pre-optimised)' : ' (optimised at load)'}, ready at ${v.loadMs.toFixed(0)} ms; ` +
  `first count at ${v.shownAt.toFixed(0)} ms: ${(v.shownAt - v.readyAt).toFixed(0)} ms after ready, of it inference ${v.inferenceMs.toFixed(0)} ms; ` +
  `before the page's clock starts (navigation) ${(v.ms - v.shownAt).toFixed(0)} ms`;
console.log(
  `\nrepeat visit, page load -> ready + first count: ${(cold.warm.ms / 1000).toFixed(2)} s = ${coldRatio}x one inference (${oneInference.toFixed(1)} ms; load ${coldLoad.join(' ')})\n  ${parts(cold.warm)}` +
    `\n  the first visit's compiled runtime for it: ${cold.runtimeCache.state}, ${(cold.runtimeCache.waitedMs / 1000).toFixed(1)} s after the service worker was ready` +
    `\n  a third visit, after the second stayed open 5 s: ${(cold.later.ms / 1000).toFixed(2)} s = ${r2(cold.later.ms / oneInference)}x; ${parts(cold.later)}` +
    `\n  with the original models (?optimized=off), same run: ${(coldOriginal.warm.ms / 1000).toFixed(2)} s = ${r2(coldOriginal.warm.ms / oneInference)}x; ${parts(coldOriginal.warm)}`,
);
console.log(
  `\ncold start, page load -> first count (load ${coldLoad.join(' ')}): first visit ${(cold.firstVisit.ms / 1000).toFixed(2)} s; ` +
    `second visit (warm caches) ${(cold.warm.ms / 1000).toFixed(2)} s = ${coldRatio}x one inference (${oneInference.toFixed(1)} ms); ` +
    `of it model fetch ${cold.warm.fetchMs.toFixed(0)} ms, session ${cold.warm.createMs.toFixed(0)} ms, warm-up ${cold.warm.warmupMs === undefined ? 'none' : `${cold.warm.warmupMs.toFixed(0)} ms (second run)`}, first image ${cold.warm.inferenceMs.toFixed(0)} ms`,
);
const batchRatio = r2(batch.ms / batch.sumInferenceMs);
console.log(`batch on 1 detector thread: ${(batch1.ms / 1000).toFixed(2)} s (${r2(batch1.ms / batch1.sumInferenceMs)}x its sum of inferences) against ${(batch.ms / 1000).toFixed(2)} s on ${batch.threads} (load ${batch1Load.join(' ')})`);
console.log(`batch dropped once the typing worker was ${batchT.typist}: ${(batchT.ms / 1000).toFixed(2)} s (${r2(batchT.ms / batchT.sumInferenceMs)}x its sum of inferences, +${(batchT.sumClassifyMs / 1000).toFixed(2)} s WBC typing; load ${batchTLoad.join(' ')})`);
console.log(`batch: ${N_BATCH} images in ${(batch.ms / 1000).toFixed(2)} s against ${(batch.sumInferenceMs / 1000).toFixed(2)} s of inference (+${(batch.sumClassifyMs / 1000).toFixed(2)} s WBC typing; typing worker ${batch.typist} at the drop): ${batchRatio}x the sum (load ${batchLoad.join(' ')})`);

// live mode (issue 23): its own module and browsers (the fake camera is a launch flag)
const live = opt['no-live'] ? null : await benchLive(BASE);

mkdirSync(join(REPO, 'bench-results'), { recursive: true });
writeFileSync(
  join(REPO, 'bench-results', 'bench.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      runtimes: { ...cmp, speed, cpuRatios, inApp },
      coldStart: { ...cold, oneInferenceMs: oneInference, warmOverOneInference: coldRatio, laterOverOneInference: r2(cold.later.ms / oneInference), load: coldLoad, originalModels: { ...coldOriginal, warmOverOneInference: r2(coldOriginal.warm.ms / oneInference) } },
      rows,
      ratios,
      batch: { images: N_BATCH, ...batch, batchOverSum: batchRatio, load: batchLoad, oneThread: { ...batch1, batchOverSum: r2(batch1.ms / batch1.sumInferenceMs), load: batch1Load }, typistReady: { ...batchT, batchOverSum: r2(batchT.ms / batchT.sumInferenceMs), load: batchTLoad } },
      live,
    },
    null,
    2,
  ),
);
stop();
process.exit(0);
