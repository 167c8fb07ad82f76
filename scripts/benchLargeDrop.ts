/**
 * npm run bench:large-drop [-- --images 8 --port 4391 --dist dist --trace --files DIR]
 *
 * Phone photos on the page's thread (audit M3): generates N photos of 4032×3024 (CBC Testing images
 * upscaled in the browser, with a little noise so that they are as heavy to decode as a camera's JPEG)
 * into a temporary folder, deleted after; then, in the built app after a 640×480 warm-up image, drops one
 * photo alone and then N others at once. For each drop it prints the time until every image is counted, the
 * page's long tasks (PerformanceObserver 'longtask': count, longest, total), the longest gap between two
 * animation frames, and, during the N-photo drop, how long a click on a thumbnail took to go through (the
 * driver's round trip, and the longest Event Timing entry). `--trace` also traces the N-photo drop with
 * Chrome's tracing and prints what the main thread's long tasks were made of: trace events by self time
 * (image decode, paint, scripts) and the JS functions sampled inside them; the trace goes to
 * bench-results/large-drop/trace.json. `--dist` serves another build (a kept "before" build), `--files`
 * drops the photos of a folder instead of generated ones. Figures, not a test: take the CPU lock as for the
 * bench (`flock /work/bench.lock npm run bench:large-drop`).
 */
import { chromium, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, requireData } from './dataRoot';
import { startPreview } from './preview';
import { waitAppReady } from './appBatch';

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string', default: '4391' },
    images: { type: 'string', default: '8' },
    dist: { type: 'string' },
    files: { type: 'string' },
    trace: { type: 'boolean', default: false },
    top: { type: 'string', default: '15' },
  },
});
const N = Number(opt.images);
const TOP = Number(opt.top);
const W = 4032;
const H = 3024;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const cbc = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
const sources = readdirSync(cbc).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(cbc, f));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

/** N + 1 photos of W×H made in the browser from CBC images: upscaled, ±6 of noise, JPEG quality 0.92. */
async function makePhotos(dir: string): Promise<string[]> {
  const page = await browser.newPage();
  const out: string[] = [];
  for (let i = 0; i <= N; i++) {
    const src = readFileSync(sources[(i * 7) % sources.length]).toString('base64');
    const b64 = await page.evaluate(
      async ({ src, W, H, seed }) => {
        const bytes = Uint8Array.from(atob(src), (c) => c.charCodeAt(0));
        const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
        const c = new OffscreenCanvas(W, H);
        const ctx = c.getContext('2d')!;
        ctx.imageSmoothingQuality = 'high';
        ctx.drawImage(bmp, 0, 0, W, H);
        const im = ctx.getImageData(0, 0, W, H);
        let s = seed;
        for (let k = 0; k < im.data.length; k++) {
          if ((k & 3) === 3) continue;
          s = (s * 1103515245 + 12345) >>> 0;
          im.data[k] += ((s >>> 24) % 13) - 6;
        }
        ctx.putImageData(im, 0, 0);
        const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
        const buf = new Uint8Array(await blob.arrayBuffer());
        let bin = '';
        for (let k = 0; k < buf.length; k += 0x8000) bin += String.fromCharCode(...buf.subarray(k, k + 0x8000));
        return btoa(bin);
      },
      { src, W, H, seed: i + 1 },
    );
    const f = join(dir, `photo${String(i + 1).padStart(2, '0')}_${W}x${H}.jpg`);
    writeFileSync(f, Buffer.from(b64, 'base64'));
    out.push(f);
  }
  await page.close();
  return out;
}

declare global {
  interface Window {
    __drop?: { long: [number, number][]; maxGap: number; last: number; events: number[] };
  }
}

/** Drops the files and waits until all `total` images of the page are counted; the wall ms. */
async function drop(page: Page, files: string[], total: number): Promise<number> {
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(files);
  await page.waitForFunction((n) => window.__smearcount.images().filter((m) => m.status === 'done' || m.status === 'error').length === n && window.__smearcount.idle(), total, { timeout: 600_000, polling: 50 });
  return Date.now() - t0;
}

/** Selects the image, then moves the pointer from box centre to box centre (up to 40 boxes) and back
 * out, 60 ms apart: the long tasks and frame gaps of a technician's hovering. */
async function reviewMoves(page: Page, name: string) {
  await page.getByTestId('thumb').filter({ hasText: name }).click();
  await page.waitForFunction((n) => window.__smearcount.current()?.name === n && window.__smearcount.idle(), name, { timeout: 60_000 });
  await page.waitForTimeout(1500); // its first draw and decode are the drop's, not the review's
  const cur = (await page.evaluate(() => window.__smearcount.current()))!;
  const stage = (await page.locator('.konvajs-content').first().boundingBox())!;
  // the image is fitted into the stage, centred
  const k = Math.min(stage.width / cur.width!, stage.height / cur.height!);
  const ox = stage.x + (stage.width - cur.width! * k) / 2;
  const oy = stage.y + (stage.height - cur.height! * k) / 2;
  const points = cur.detections.slice(0, 40).flatMap((d) => [
    { x: ox + ((d.box.x1 + d.box.x2) / 2) * k, y: oy + ((d.box.y1 + d.box.y2) / 2) * k },
    { x: ox + 2, y: oy + 2 },
  ]);
  await reset(page);
  const t0 = Date.now();
  for (const p of points) {
    await page.mouse.move(p.x, p.y);
    await page.waitForTimeout(60);
  }
  const ms = Date.now() - t0;
  return { moves: points.length, ms, ...(await readDrop(page)) };
}

/** Long tasks, frame gaps and slow input events since the last reset. */
async function reset(page: Page) {
  await page.evaluate(() => Object.assign(window.__drop!, { long: [], maxGap: 0, last: performance.now(), events: [] }));
}
async function readDrop(page: Page) {
  const a = await page.evaluate(() => window.__drop!);
  return { count: a.long.length, longest: Math.max(0, ...a.long.map((x) => x[1])), total: a.long.reduce((s, x) => s + x[1], 0), maxFrameGap: Math.round(a.maxGap), slowestEvent: Math.max(0, ...a.events) };
}

const tmp = mkdtempSync(join(tmpdir(), 'smearcount-large-'));
const OUT = join(REPO_ROOT, 'bench-results', 'large-drop');
try {
  const photos = opt.files ? readdirSync(opt.files).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().slice(0, N + 1).map((f) => resolve(opt.files!, f)) : await makePhotos(tmp);
  // the one dropped alone is not one of the N: the app refuses a file it already has
  const alone = photos.pop()!;
  if (photos.length !== N) throw new Error(`${N + 1} photos needed, ${photos.length + 1} found`);
  const { base, stop } = await startPreview(Number(opt.port), opt.dist ? resolve(opt.dist) : undefined);
  try {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    page.on('crash', () => console.error('the page crashed'));
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    // A string, not a function: tsx would wrap its named functions in a helper the page does not have.
    await page.addInitScript(`
      window.__drop = { long: [], maxGap: 0, last: performance.now(), events: [] };
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__drop.long.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ entryTypes: ['longtask'] });
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'click' || e.name === 'pointerdown') window.__drop.events.push(Math.round(e.duration)); }).observe({ type: 'event', durationThreshold: 16 });
      const tick = () => { const d = window.__drop, n = performance.now(); d.maxGap = Math.max(d.maxGap, n - d.last); d.last = n; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    `);
    await page.goto(`${base}/`);
    await waitAppReady(page);
    console.error('app ready');
    await drop(page, [sources[0]], 1); // the model's first inference and the workers' start
    const loadStart = load();

    await reset(page);
    const oneMs = await drop(page, [alone], 2);
    console.error(`one photo: ${oneMs} ms`);
    const one = await readDrop(page);

    await reset(page);
    if (opt.trace) {
      await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'blink.user_timing'] });
      await page.evaluate(() => performance.mark('large-drop:start'));
    }
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(photos);
    const clicks: number[] = [];
    for (let i = 0; ; i++) {
      const done = await page.evaluate((n) => window.__smearcount.images().filter((m) => m.status === 'done' || m.status === 'error').length === n && window.__smearcount.idle(), N + 2);
      if (done) break;
      if (Date.now() - t0 > 300_000) throw new Error(`the drop did not finish in 5 minutes: ${JSON.stringify(await page.evaluate(() => window.__smearcount.images().map((m) => m.status)))}`);
      const thumbs = page.getByTestId('thumb');
      const c0 = Date.now();
      if ((await thumbs.count()) > 1) {
        await thumbs.nth(i % 2).click({ timeout: 20_000 });
        clicks.push(Date.now() - c0);
      }
      await page.waitForTimeout(300);
    }
    const allMs = Date.now() - t0;
    const many = await readDrop(page);
    const counts = await page.evaluate(() => window.__smearcount.images().map((m) => `${m.name}: ${m.status} ${JSON.stringify(m.count ?? null)}`));
    console.log(`photos: ${N} of ${W}x${H}${opt.files ? ` from ${opt.files}` : ' generated'}; build ${opt.dist ?? 'dist'}; load ${loadStart} at the start, ${load()} at the end`);
    console.log(`one photo: done in ${(oneMs / 1000).toFixed(2)} s; long tasks ${one.count}, longest ${one.longest} ms, total ${one.total} ms; longest frame gap ${one.maxFrameGap} ms`);
    console.log(`${N} photos at once: all done in ${(allMs / 1000).toFixed(2)} s; long tasks ${many.count}, longest ${many.longest} ms, total ${many.total} ms; longest frame gap ${many.maxFrameGap} ms`);
    console.log(`  clicks on a thumbnail meanwhile: ${clicks.length}, round trip median ${[...clicks].sort((a, b) => a - b)[clicks.length >> 1] ?? '-'} ms, max ${Math.max(0, ...clicks)} ms; slowest click event (Event Timing) ${many.slowestEvent} ms`);
    console.log(counts.map((c) => `  ${c}`).join('\n'));
    // Review: the photo dropped alone on the canvas, the pointer moved over it (each move that enters or
    // leaves a box redraws the canvas: the hover outline and its label)
    const review = await reviewMoves(page, basename(alone));
    console.log(`review of one photo: ${review.moves} pointer moves over its boxes in ${(review.ms / 1000).toFixed(2)} s; long tasks ${review.count}, longest ${review.longest} ms, total ${review.total} ms; longest frame gap ${review.maxFrameGap} ms`);
    if (opt.trace) {
      await page.evaluate(() => performance.mark('large-drop:end'));
      const buf = await browser.stopTracing();
      mkdirSync(OUT, { recursive: true });
      writeFileSync(join(OUT, 'trace.json'), buf);
      printLongTaskParts(JSON.parse(buf.toString()).traceEvents);
    }
    await ctx.close();
  } finally {
    stop();
  }
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}

interface TraceEvent { name: string; cat: string; ph: string; ts: number; dur?: number; pid: number; tid: number; id?: string; args?: Record<string, unknown> }
interface ProfileNode { id: number; parent?: number; callFrame: { functionName: string; url?: string } }

/** The main thread's tasks over 50 ms: their trace events by self time, and the JS sampled in them. */
function printLongTaskParts(events: TraceEvent[]) {
  const start = events.find((e) => e.name === 'large-drop:start');
  const end = events.find((e) => e.name === 'large-drop:end');
  if (!start || !end) throw new Error('the marks are not in the trace');
  const onMain = events.filter((e) => e.pid === start.pid && e.tid === start.tid && e.ph === 'X' && e.dur !== undefined && e.ts >= start.ts && e.ts <= end.ts).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const isTask = (e: TraceEvent) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask';
  const long = onMain.filter((e) => isTask(e) && e.dur! > 50_000);
  const inLong = (t: number) => long.some((l) => t >= l.ts && t < l.ts + l.dur!);
  // self time per event name (a nested event's time is taken from its parent's), inside long tasks only
  const self = new Map<string, number>();
  const stack: { e: TraceEvent; child: number }[] = [];
  const close = (upTo: number) => {
    while (stack.length && stack[stack.length - 1].e.ts + stack[stack.length - 1].e.dur! <= upTo) {
      const { e, child } = stack.pop()!;
      if (!isTask(e) && inLong(e.ts)) self.set(e.name, (self.get(e.name) ?? 0) + (e.dur! - child) / 1000);
      if (stack.length) stack[stack.length - 1].child += e.dur!;
    }
  };
  for (const e of onMain) {
    close(e.ts);
    stack.push({ e, child: 0 });
  }
  close(Infinity);
  const sum = long.reduce((a, e) => a + e.dur! / 1000, 0);
  console.log(`\ntrace: ${long.length} main-thread tasks over 50 ms, ${sum.toFixed(0)} ms in all (longest ${Math.max(0, ...long.map((e) => e.dur! / 1000)).toFixed(0)} ms); inside them, by self time:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${v.toFixed(0).padStart(6)} ms  ${k}`);
  // the CPU profile of the main thread, sampled inside the long tasks
  const nodes = new Map<number, ProfileNode>();
  const samples: number[] = [];
  const deltas: number[] = [];
  const prof = events.find((e) => e.name === 'Profile' && e.pid === start.pid && e.tid === start.tid);
  if (!prof) return;
  let t = (prof.args as { data: { startTime: number } }).data.startTime;
  for (const e of events) {
    if (e.name !== 'ProfileChunk' || e.pid !== prof.pid || e.id !== prof.id) continue;
    const d = (e.args as { data: { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } }).data;
    for (const n of d.cpuProfile?.nodes ?? []) nodes.set(n.id, n);
    samples.push(...(d.cpuProfile?.samples ?? []));
    deltas.push(...(d.timeDeltas ?? []));
  }
  const fn = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    const dt = (deltas[i + 1] ?? 0) / 1000;
    const n = nodes.get(samples[i]);
    if (!n || dt <= 0 || !inLong(t)) continue;
    const name = `${n.callFrame.functionName || '(anonymous)'} ${(n.callFrame.url ?? '').replace(/^.*\//, '')}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + dt);
  }
  console.log('  sampled inside them, by self time:');
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${v.toFixed(0).padStart(6)} ms  ${k}`);
}
