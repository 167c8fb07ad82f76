/**
 * npm run trace:batch [-- --batch 30 --port 4382 --query ?threads=1 --top 25]
 *
 * Where a batch's wall time goes (issue 24): bench.ts's batch (drop N images -> all counts shown) traced
 * with Chrome's tracing (devtools.timeline and V8's sampling CPU profiler, every thread of the page's
 * renderer). Prints per thread its busy time (the union of its tasks) within the batch; the top self and
 * inclusive functions of the main thread and of the detector worker; and the detector worker's idle
 * gaps between one task and the next (the time it waited: on two cores any of it is lost). The detector
 * is the worker whose samples spend most time in the function `detect`; the quality worker the one in
 * `assessBitmap`/`handle`. Build without minifying for readable names (`npx vite build --minify false`).
 * The trace goes to bench-results/trace-batch/batch.json for chrome://tracing or Perfetto. Timing: take
 * the CPU lock as for the bench.
 */
import { chromium } from '@playwright/test';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, requireData } from './dataRoot';
import { startPreview } from './preview';
import { dropAndCount, waitAppReady } from './appBatch';

const { values: opt } = parseArgs({
  options: { port: { type: 'string', default: '4382' }, query: { type: 'string', default: '' }, batch: { type: 'string', default: '30' }, top: { type: 'string', default: '20' } },
});
const N = Number(opt.batch);
const TOP = Number(opt.top);
const OUT = join(REPO_ROOT, 'bench-results', 'trace-batch');
mkdirSync(OUT, { recursive: true });
const imgDir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
const images = readdirSync(imgDir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(imgDir, f)).slice(0, N);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

interface TraceEvent { name: string; cat: string; ph: string; ts: number; dur?: number; pid: number; tid: number; id?: string; args?: Record<string, unknown> }
interface ProfileNode { id: number; parent?: number; callFrame: { functionName: string; url?: string; lineNumber?: number } }

const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'blink.user_timing', 'v8'];

const { base, stop } = await startPreview(Number(opt.port));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu'],
});
const ctx = await browser.newContext();
const page = await ctx.newPage();
await page.goto(`${base}/${opt.query}`);
await waitAppReady(page);
const loadStart = load();
await browser.startTracing(page, { categories });
await page.evaluate(() => performance.mark('trace:batch-start'));
const wallMs = await dropAndCount(page, images);
await page.evaluate(() => performance.mark('trace:batch-end'));
const ims = await page.evaluate(() => window.__smearcount.images());
const warmUp = await page.evaluate(() => window.__smearcount.runtimeCache?.() ?? 'absent');
const buf = await browser.stopTracing();
await browser.close();
stop();
writeFileSync(join(OUT, 'batch.json'), buf);

const events = (JSON.parse(buf.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
const sumInf = ims.reduce((a, i) => a + (i.inferenceMs ?? 0), 0);
const sumCls = ims.reduce((a, i) => a + (i.classifyMs ?? 0), 0);

// --- threads
const threadName = new Map<string, string>();
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, String((e.args as { name: string }).name));
// a worker is named by its script (detector.worker, quality.worker, sw.js); two detector workers: the
// app's and the first visit's warm-up of the runtime (runtimeCache.ts)
for (const e of events) {
  const d = (e.args as { data?: { url?: string; workerThreadId?: number } } | undefined)?.data;
  if (e.name === 'TracingSessionIdForWorker' && d?.url && d.workerThreadId) {
    const key = `${e.pid}:${d.workerThreadId}`;
    threadName.set(key, `${threadName.get(key) ?? 'worker'} ${d.url.replace(/^.*\//, '').replace(/-[\w-]{8}\.js$/, '.js')}`);
  }
}
const isTask = (e: TraceEvent) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');

// --- CPU profiles per thread (Profile + ProfileChunk, keyed by id)
interface Prof { pid: number; tid: number; startTime: number; nodes: Map<number, ProfileNode>; samples: number[]; deltas: number[] }
const profs = new Map<string, Prof>();
for (const e of events) {
  if (e.name === 'Profile') {
    const d = (e.args as { data: { startTime: number } }).data;
    profs.set(`${e.pid}:${e.id}`, { pid: e.pid, tid: e.tid, startTime: d.startTime, nodes: new Map(), samples: [], deltas: [] });
  } else if (e.name === 'ProfileChunk') {
    const p = profs.get(`${e.pid}:${e.id}`);
    if (!p) continue;
    const d = (e.args as { data: { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } }).data;
    for (const n of d.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
    p.samples.push(...(d.cpuProfile?.samples ?? []));
    p.deltas.push(...(d.timeDeltas ?? []));
  }
}

function fnName(n: ProfileNode) {
  const f = n.callFrame;
  const file = (f.url ?? '').replace(/^.*\//, '').replace(/-[\w-]{8}\.(js|mjs|wasm)$/, '.$1');
  return `${f.functionName || '(anonymous)'}${file ? ` ${file}` : ''}`;
}

/** Self and inclusive ms per function over the samples between from and to (trace us). */
function profileTable(p: Prof, from: number, to: number) {
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.deltas[i] ?? 0;
    const dt = (p.deltas[i + 1] ?? 0) / 1000;
    if (t < from || t > to || dt <= 0) continue;
    let n = p.nodes.get(p.samples[i]);
    if (!n) continue;
    const leaf = fnName(n);
    if (leaf.startsWith('(idle)')) {
      idle += dt;
      continue;
    }
    total += dt;
    self.set(leaf, (self.get(leaf) ?? 0) + dt);
    const seen = new Set<string>();
    while (n) {
      const nm = fnName(n);
      if (!seen.has(nm)) {
        seen.add(nm);
        incl.set(nm, (incl.get(nm) ?? 0) + dt);
      }
      n = n.parent !== undefined ? p.nodes.get(n.parent) : undefined;
    }
  }
  return { self, incl, total, idle };
}

/** Union of a thread's task intervals, clipped to [from, to] (us). */
function busy(pid: number, tid: number, from: number, to: number) {
  const iv = events.filter((e) => e.pid === pid && e.tid === tid && isTask(e)).map((e) => [Math.max(from, e.ts), Math.min(to, e.ts + (e.dur ?? 0))] as [number, number]).filter(([a, b]) => b > a).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of iv) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

// The batch's window on the trace clock: the marks the driver set on the page before the drop and once
// every count was seen (within its 50 ms polling).
const mark = (name: string) => events.find((e) => e.name === name && e.cat.includes('user_timing'));
const startMark = mark('trace:batch-start');
const endMark = mark('trace:batch-end');
if (!startMark || !endMark) throw new Error('the batch marks are not in the trace');
const from = startMark.ts;
const to = endMark.ts;
const mainKey = `${startMark.pid}:${startMark.tid}`;
const rows = [...profs.values()].map((p) => {
  const key = `${p.pid}:${p.tid}`;
  const tab = profileTable(p, from, to);
  const tasks = busy(p.pid, p.tid, from, to);
  return { key, name: threadName.get(key) ?? key, p, tab, tasks, busyMs: tasks.reduce((a, [x, y]) => a + (y - x), 0) / 1000 };
});
const score = (r: (typeof rows)[number], fn: string) => [...r.tab.incl].filter(([k]) => k.startsWith(`${fn} `) || k === fn).reduce((a, [, v]) => a + v, 0);
const detector = rows.filter((r) => r.name.includes('detector')).sort((a, b) => score(b, 'detect') - score(a, 'detect') || b.busyMs - a.busyMs)[0];

console.log(`batch of ${N}: ${(wallMs / 1000).toFixed(2)} s wall (trace window ${((to - from) / 1e6).toFixed(2)} s), sum of inferences ${(sumInf / 1000).toFixed(2)} s (+${(sumCls / 1000).toFixed(2)} s WBC typing): ${(wallMs / sumInf).toFixed(2)}x; load ${loadStart} at the start, ${load()} at the end`);
console.log(`the first visit's warm-up of the runtime (runtimeCache.ts) at the end: ${warmUp}`);
console.log('\nper thread, within the batch: busy (union of tasks) / CPU samples not idle');
for (const r of rows.sort((a, b) => b.busyMs - a.busyMs)) console.log(`  ${r.name.padEnd(28)} ${r === detector ? '(detector) ' : ''}busy ${(r.busyMs / 1000).toFixed(2)} s, sampled ${(r.tab.total / 1000).toFixed(2)} s`);

function printTop(title: string, r: (typeof rows)[number]) {
  const fmt = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, v]) => `    ${v.toFixed(0).padStart(6)} ms  ${k}`).join('\n');
  console.log(`\n${title}: top self\n${fmt(r.tab.self)}\n${title}: top inclusive\n${fmt(r.tab.incl)}`);
}
const main = rows.find((r) => r.key === mainKey);
if (main) printTop('main thread', main);
const quality = rows.filter((r) => r.name.includes('quality')).sort((a, b) => b.busyMs - a.busyMs)[0];
if (quality) printTop('quality worker', quality);
// the main thread's native work by trace event (paint, layout, image decode...): self time of the
// renderer's complete events within the window, by name
{
  const byName = new Map<string, number>();
  for (const e of events) {
    if (`${e.pid}:${e.tid}` !== mainKey || e.ph !== 'X' || e.ts < from || e.ts > to || !e.dur) continue;
    if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') continue;
    byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur / 1000);
  }
  console.log(`\nmain thread: trace events (inclusive, nested ones counted in each)\n${[...byName].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, v]) => `    ${v.toFixed(0).padStart(6)} ms  ${k}`).join('\n')}`);
}
if (detector) {
  printTop('detector worker', detector);
  // gaps between the detector's tasks from its first to its last task in the window
  const t = detector.tasks;
  const gaps = t.slice(1).map((iv, i) => ({ at: (t[i][1] - from) / 1000, ms: (iv[0] - t[i][1]) / 1000 })).filter((g) => g.ms > 1);
  const total = gaps.reduce((a, g) => a + g.ms, 0);
  const first = t.length ? (t[0][0] - from) / 1000 : 0;
  const last = t.length ? (to - t[t.length - 1][1]) / 1000 : 0;
  console.log(`\ndetector worker: first task ${first.toFixed(0)} ms after the drop, idle after its last task ${last.toFixed(0)} ms; idle between tasks ${total.toFixed(0)} ms in ${gaps.length} gaps > 1 ms (largest: ${[...gaps].sort((a, b) => b.ms - a.ms).slice(0, 10).map((g) => `${g.ms.toFixed(0)} ms at ${g.at.toFixed(0)}`).join(', ')})`);
  // before the detector's first task and after its last: what each thread did (the batch's fixed costs)
  const ends: [string, number, number][] = t.length ? [['before its first task', from, t[0][0]], ['after its last task', t[t.length - 1][1], to]] : [];
  for (const [what, a, b] of ends) {
    console.log(`\n${what} (${((b - a) / 1000).toFixed(0)} ms): busy ${rows.map((r) => ({ name: r.name, ms: r.tasks.reduce((acc, [x, y]) => acc + Math.max(0, Math.min(b, y) - Math.max(a, x)), 0) / 1000 })).filter((o) => o.ms > 1).map((o) => `${o.name} ${o.ms.toFixed(0)} ms`).join(', ') || 'nothing traced'}`);
    for (const r of rows) {
      const tab = profileTable(r.p, a, b);
      if (tab.total < 5) continue;
      console.log(`  ${r.name}, top inclusive: ${[...tab.incl].filter(([k]) => k !== '(root)').sort((x, y) => y[1] - x[1]).slice(0, 8).map(([k, v]) => `${k.replace(/ \S+\.js$/, '')} ${v.toFixed(0)}`).join(', ')}`);
    }
  }
  // what the other threads did while the detector waited (the gaps over 20 ms)
  for (const g of [...gaps].sort((x, y) => y.ms - x.ms).filter((x) => x.ms > 20).slice(0, 6)) {
    const a = from + g.at * 1000;
    const b = a + g.ms * 1000;
    const others = rows
      .filter((r) => r !== detector)
      .map((r) => ({ name: r.name, ms: r.tasks.reduce((acc, [x, y]) => acc + Math.max(0, Math.min(b, y) - Math.max(a, x)), 0) / 1000 }))
      .filter((o) => o.ms > 2);
    console.log(`  gap of ${g.ms.toFixed(0)} ms at ${g.at.toFixed(0)} ms: busy meanwhile ${others.map((o) => `${o.name} ${o.ms.toFixed(0)} ms`).join(', ') || 'nothing traced'}`);
    if (main) {
      const tab = profileTable(main.p, a, b);
      console.log(`    main thread, top inclusive: ${[...tab.incl].filter(([k]) => k !== '(root)').sort((x, y) => y[1] - x[1]).slice(0, 10).map(([k, v]) => `${k.replace(/ \S+\.js$/, '')} ${v.toFixed(0)}`).join(', ')}`);
    }
  }
}
