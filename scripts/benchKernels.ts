/**
 * tsx scripts/benchKernels.ts [--images 12] [--rounds 2] [--port 4500] [--int8 models/runs/int8] [--only a,b]
 *
 * Issue 24, part 4: which detector file and which ORT-web session options run fastest in the browser.
 * The same harness as `npm run bench` (scripts/webHarness.ts: each session in its own module worker of
 * the built app's origin, fed the tensors onnxruntime-node gets), one thread, every variant open at
 * once and run interleaved image by image, so that a shared machine's load hits them alike: only the
 * ratios to "fp32-opt" (the float model pre-optimised, loaded with optimisation off: the app before
 * int8) are meaningful; "shipped" is the detector file the build's manifest names now. Then one profiled pass of the fp32 and int8 files, to show which kernels ran (QLinearConv
 * when ORT-web fused the QDQ groups) and where the time went. Native onnxruntime-node runs beside them
 * for the browser/native ratio. Prints a table; writes bench-results/kernels.json.
 *
 * Needs dist/ (`npm run build`); the int8 candidates of `tsx scripts/quantizeModel.ts` join in where built.
 */
import { chromium } from '@playwright/test';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT as REPO, requireData } from './dataRoot';
import { decodeImage } from './evaluation/decode';
import { DEFAULT_MODEL, loadCard } from './evaluation/detector';
import { NativeSession, opTable, type Input } from './nativeRuntime';
import { optimizeModel } from './optimizeModel';
import { startPreview } from './preview';
import type { OptimizedManifest } from '../src/worker/optimizedModel';
import { addHarnessModel, prepareHarness, WebSession } from './webHarness';

const { values: o } = parseArgs({
  options: {
    images: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '2' },
    port: { type: 'string', default: process.env.PW_PORT ?? '4500' },
    int8: { type: 'string', default: join(REPO, 'models', 'runs', 'int8') },
    only: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
  },
});

const card = loadCard();
const { width, height } = card.nativeSize;
// The float model as the app loaded it before the int8 copy shipped: optimised offline, loaded with
// optimisation off. Made here, since the build now optimises the int8 copy instead.
mkdirSync(o.int8!, { recursive: true });
const fp32Opt = join(o.int8!, 'fp32.opt.onnx');
await optimizeModel(DEFAULT_MODEL, fp32Opt);
const int8 = join(o.int8!, 'int8.onnx');
const int8Opt = join(o.int8!, 'int8.opt.onnx');
const int8Rpn = join(o.int8!, 'int8rpn.opt.onnx');
const manifest = JSON.parse(readFileSync(join(REPO, 'public', 'models', 'optimized.json'), 'utf8')) as OptimizedManifest;
const shipped = manifest.models.find((m) => m.source.file === 'smearcount-frcnn.onnx');
if (!existsSync(join(REPO, 'dist', 'index.html'))) throw new Error('dist/ missing: npm run build');

const fixed = { freeDimensionOverrides: { height, width } };
/** name -> file and session options. "fp32-opt" is what the app loaded before int8; "shipped" what it loads now. */
const VARIANTS: Record<string, { file: string; options: object }> = {
  'fp32-opt': { file: fp32Opt, options: { graphOptimizationLevel: 'disabled' } },
  'fp32-original': { file: DEFAULT_MODEL, options: { graphOptimizationLevel: 'all' } },
  'fp32-opt no-arena': { file: fp32Opt, options: { graphOptimizationLevel: 'disabled', enableCpuMemArena: false } },
  'fp32-opt no-mempattern': { file: fp32Opt, options: { graphOptimizationLevel: 'disabled', enableMemPattern: false } },
  'fp32-opt parallel': { file: fp32Opt, options: { graphOptimizationLevel: 'disabled', executionMode: 'parallel' } },
  'fp32-opt fixed-dims': { file: fp32Opt, options: { graphOptimizationLevel: 'disabled', ...fixed } },
  'fp32-opt all': { file: fp32Opt, options: { graphOptimizationLevel: 'all' } },
};
// the candidates of `tsx scripts/quantizeModel.ts` (and `--rpn --name int8rpn`), where built
if (existsSync(int8)) VARIANTS['int8-qdq all'] = { file: int8, options: { graphOptimizationLevel: 'all' } };
if (existsSync(int8Opt)) {
  VARIANTS['int8-opt'] = { file: int8Opt, options: { graphOptimizationLevel: 'disabled' } };
  VARIANTS['int8-opt all'] = { file: int8Opt, options: { graphOptimizationLevel: 'all' } };
  VARIANTS['int8-opt fixed-dims'] = { file: int8Opt, options: { graphOptimizationLevel: 'disabled', ...fixed } };
}
if (existsSync(int8Rpn)) VARIANTS['int8rpn-opt'] = { file: int8Rpn, options: { graphOptimizationLevel: 'disabled' } };
if (shipped) {
  const file = join(REPO, 'public', 'models', shipped.file);
  VARIANTS.shipped = { file, options: { graphOptimizationLevel: 'disabled' } };
  VARIANTS['shipped all'] = { file, options: { graphOptimizationLevel: 'all' } };
  VARIANTS['shipped no-mempattern'] = { file, options: { graphOptimizationLevel: 'disabled', enableMemPattern: false } };
  VARIANTS['shipped fixed-dims'] = { file, options: { graphOptimizationLevel: 'disabled', ...fixed } };
}
const names = Object.keys(VARIANTS).filter((n) => !o.only || o.only.split(',').includes(n));

const imgDir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
const inputs: Input[] = [];
for (const f of readdirSync(imgDir).filter((f) => f.endsWith('.jpg')).sort().slice(0, Number(o.images))) {
  const im = await decodeImage(join(imgDir, f));
  const { resizeToCHW } = await import('../src/core/detection/resize');
  inputs.push({ data: resizeToCHW(im.data, im.width, im.height, width, height), width, height });
}
const h0 = prepareHarness(fp32Opt, inputs);
const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const { stop } = await startPreview(Number(o.port));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
const page = await (await browser.newContext()).newPage();
await page.goto(`http://127.0.0.1:${o.port}${h0.page}`);
await page.waitForFunction(() => 'harness' in window);
const loadBefore = load();
console.error(`load ${loadBefore.join(' ')}; ${inputs.length} images x ${o.rounds} rounds, 1 thread, ${names.length} web variants + native fp32/int8`);

type S = { run(k: number): Promise<number>; close(): Promise<unknown>; createMs: number };
const sessions: [string, S][] = [];
for (const [k, n] of names.entries()) {
  const v = VARIANTS[n];
  const h = addHarnessModel(h0, v.file, `m${k}`);
  try {
    sessions.push([n, await WebSession.open(page, h, 1, { options: v.options })]);
  } catch (e) {
    console.error(`${n}: ${(e as Error).message}`);
  }
}
sessions.push(['native fp32', await NativeSession.open(DEFAULT_MODEL, inputs, 1)]);
const int8Src = shipped?.quantised ? join(REPO, 'models', shipped.quantised.file) : existsSync(int8) ? int8 : null;
if (int8Src) sessions.push(['native int8', await NativeSession.open(int8Src, inputs, 1)]);
const times = new Map<string, number[]>(sessions.map(([n]) => [n, []]));
for (let r = 0; r < Number(o.rounds); r++) {
  for (let k = 0; k < inputs.length; k++) {
    for (let j = 0; j < sessions.length; j++) {
      const [n, s] = sessions[(j + k + r) % sessions.length];
      times.get(n)!.push(await s.run(k));
    }
  }
}
const loadAfter = load();
for (const [, s] of sessions) await s.close();

const base = pct(times.get('fp32-opt') ?? [NaN], 50);
const nat = pct(times.get('native fp32')!, 50);
const rows = sessions.map(([n, s]) => {
  const t = times.get(n)!;
  return { variant: n, p50: pct(t, 50), p95: pct(t, 95), runs: t.length, createMs: s.createMs, overFp32Opt: pct(t, 50) / base, overNativeFp32: pct(t, 50) / nat };
});
console.log(`\nmachine: ${os.cpus()[0]?.model} x${os.cpus().length}; load ${loadBefore.join(' ')} -> ${loadAfter.join(' ')}; ${inputs.length} CBC Testing images at ${width}x${height} x ${o.rounds} rounds, interleaved, 1 thread`);
console.log('variant                    p50 ms   p95 ms  create ms   / fp32-opt   / native fp32');
for (const r of rows) {
  console.log(`${r.variant.padEnd(24)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)} ${r.createMs.toFixed(0).padStart(10)} ${r.overFp32Opt.toFixed(3).padStart(12)} ${r.overNativeFp32.toFixed(3).padStart(15)}`);
}

// Which kernels ran, and where the time went: one profiled pass each, interleaved.
const profiles: Record<string, ReturnType<typeof opTable>> = {};
if (!o['no-profile']) {
  const prof = ['fp32-opt', shipped ? 'shipped' : 'int8-opt'].filter((n) => names.includes(n));
  const ps: [string, WebSession][] = [];
  for (const n of prof) ps.push([n, await WebSession.open(page, addHarnessModel(h0, VARIANTS[n].file, `p-${n}`), 1, { options: VARIANTS[n].options, profile: true })]);
  for (let k = 0; k < inputs.length; k++) for (const [, s] of ps) await s.run(k);
  for (const [n, s] of ps) profiles[n] = opTable(await s.close(), 2);
  for (const [n, p] of Object.entries(profiles)) {
    console.log(`\n${n}: kernel time per image ${p.kernelMs.toFixed(1)} ms (model_run ${p.runMs.toFixed(1)} ms), top ops:`);
    for (const r of p.rows.slice(0, 10)) console.log(`  ${r.op.padEnd(20)} ${r.ms.toFixed(1).padStart(7)} ms  ${((100 * r.ms) / p.kernelMs).toFixed(1).padStart(5)}%`);
  }
}
await browser.close();
stop();
mkdirSync(join(REPO, 'bench-results'), { recursive: true });
writeFileSync(join(REPO, 'bench-results', 'kernels.json'), JSON.stringify({ date: new Date().toISOString(), load: { before: loadBefore, after: loadAfter, end: load() }, images: inputs.length, rounds: Number(o.rounds), size: `${width}x${height}`, variants: VARIANTS, rows, profiles }, null, 2));
process.exit(0);
