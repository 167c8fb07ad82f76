/**
 * npm run trace:start [-- --port 4381 --query ?threads=1]
 *
 * Where a repeat visit's start goes, in V8's own terms: bench.ts's three visits (first; repeat, once the
 * service worker is ready and the first visit's idle warm-up of the runtime has ended; third, after the
 * repeat stayed open 5 s), the last two traced with Chrome's tracing (devtools.timeline, v8.wasm). Per
 * visit: whether the WebAssembly came with cached optimised code (wasm.Deserialize), how long the worker
 * spent compiling functions lazily on their first call before and after "ready", and the CPU that
 * TurboFan's background recompilation took. Traces go to bench-results/trace-start/ for
 * chrome://tracing or Perfetto. Timing: take the CPU lock as for the bench.
 */
import { chromium } from '@playwright/test';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, requireData } from './dataRoot';
import { startPreview } from './preview';
import { dropAndWaitCount } from './visit';

const { values: opt } = parseArgs({ options: { port: { type: 'string', default: '4381' }, query: { type: 'string', default: '' } } });
const OUT = join(REPO_ROOT, 'bench-results', 'trace-start');
mkdirSync(OUT, { recursive: true });
const imgDir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
const images = readdirSync(imgDir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(imgDir, f));

interface TraceEvent { name: string; ph: string; ts: number; dur?: number }

/** The figures of one visit's trace, on the page's clock (ms since navigation). */
function summarise(events: TraceEvent[], readyAt: number, shownAt: number) {
  const nav = events.find((e) => e.name === 'navigationStart');
  if (!nav) return null;
  const at = (e: TraceEvent) => (e.ts - nav.ts) / 1000;
  const ms = (name: string, from: number, to: number) =>
    Math.round(events.filter((e) => e.ph === 'X' && e.name === name && at(e) >= from && at(e) <= to).reduce((a, e) => a + (e.dur ?? 0) / 1000, 0));
  return {
    cachedCode: events.some((e) => e.name === 'wasm.Deserialize'),
    lazyCompileBeforeReadyMs: ms('wasm.CompileLazy', 0, readyAt),
    lazyCompileAfterReadyMs: ms('wasm.CompileLazy', readyAt, shownAt),
    turbofanCpuMs: ms('wasm.TopTierCompilation', 0, shownAt),
    turbofanCpuAfterReadyMs: ms('wasm.TopTierCompilation', readyAt, shownAt),
    backgroundLiftoffCpuMs: ms('wasm.BaselineCompilation', 0, shownAt),
  };
}

const categories = ['devtools.timeline', 'v8', 'v8.wasm', 'disabled-by-default-v8.wasm.detailed', 'blink.user_timing', 'loading'];
const { base, stop } = await startPreview(Number(opt.port));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu'],
});
const page = await (await browser.newContext()).newPage();
const visit = async (n: number, trace: boolean) => {
  const name = images[n - 1].replace(/^.*\//, '');
  if (trace) await browser.startTracing(page, { categories });
  const { ms, shownAt } = await dropAndWaitCount(page, `${base}/${opt.query}`, images[n - 1]);
  const model = await page.evaluate(() => window.__smearcount.model());
  const inferenceMs = await page.evaluate((nm) => window.__smearcount.images().find((i) => i.name === nm)?.inferenceMs, name);
  const readyAt = model.readyAt ?? 0;
  let v8 = null;
  if (trace) {
    const buf = await browser.stopTracing();
    writeFileSync(join(OUT, `visit${n}.json`), buf);
    v8 = summarise((JSON.parse(buf.toString()) as { traceEvents: TraceEvent[] }).traceEvents, readyAt, shownAt);
  }
  const r = { visit: n, ms, readyAt: Math.round(readyAt), afterReadyMs: Math.round(shownAt - readyAt), inferenceMs: Math.round(inferenceMs ?? 0), v8 };
  console.log(JSON.stringify(r));
};
await visit(1, false);
await page.evaluate(() => navigator.serviceWorker?.ready.then(() => undefined));
await page.waitForFunction(() => !['idle', 'waiting', 'running'].includes(window.__smearcount.runtimeCache?.() ?? 'skipped'), null, { timeout: 120_000, polling: 100 });
console.log(`first visit's warm-up of the runtime: ${await page.evaluate(() => window.__smearcount.runtimeCache?.() ?? 'absent')}`);
await visit(2, true);
await page.waitForTimeout(5000);
await visit(3, true);
await browser.close();
stop();
