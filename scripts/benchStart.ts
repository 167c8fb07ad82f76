/**
 * npm run bench:start -- [--before DIR] [--visits 6] [--port 4391]
 *
 * Issue 24, part 1: a repeat visit's start, this build against another one in the same sitting. Each build
 * gets its own browser profile: a first visit (the service worker installs and precaches; the first visit's
 * idle warm-up compiles the runtime for the next one), then repeat visits, the builds taking turns visit by
 * visit so that a shared machine's load falls on both alike. A visit: page load -> one CBC Testing image
 * dropped at once -> its count shown (the same visit as `npm run bench`'s cold start). Prints per build the
 * median over the visits of: the whole visit, when the worker began its init, when the detector was ready,
 * the first count's time after ready, and that time less the image's inference (the page's and the quality
 * and typing workers' share).
 *
 * `--before DIR`: a kept build (copy dist/ away before rebuilding); without it, only this build is measured.
 * Needs dist/ (`npm run build`). Timing: a quiet machine; the load is printed.
 */
import { chromium, type Page } from '@playwright/test';
import os from 'node:os';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requireData } from './dataRoot';
import { startPreview } from './preview';
import { dropAndWaitCount } from './visit';

const { values: opt } = parseArgs({ options: { before: { type: 'string' }, visits: { type: 'string', default: '6' }, port: { type: 'string', default: '4391' } } });
const imgDir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
const images = readdirSync(imgDir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(imgDir, f));
const VISITS = Number(opt.visits);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

const builds: { name: string; outDir?: string }[] = [{ name: 'this build' }];
if (opt.before) builds.unshift({ name: `before (${opt.before})`, outDir: opt.before });
const servers = await Promise.all(builds.map((b, i) => startPreview(Number(opt.port) + i, b.outDir)));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu'],
});

type Visit = { ms: number; workerInitAt: number; readyAt: number; afterReadyMs: number; inferenceMs: number; runtimeMs: number };
let k = 0;
async function visit(page: Page, base: string): Promise<Visit> {
  const file = images[k++ % images.length];
  const { ms, shownAt, name } = await dropAndWaitCount(page, `${base}/`, file);
  const m = await page.evaluate(() => window.__smearcount.model());
  const im = await page.evaluate((n) => window.__smearcount.images().find((i) => i.name === n), name);
  const readyAt = m.readyAt ?? NaN;
  return { ms, workerInitAt: readyAt - (m.loadMs ?? NaN), readyAt, afterReadyMs: shownAt - readyAt, inferenceMs: im?.inferenceMs ?? 0, runtimeMs: m.runtimeMs ?? NaN };
}

const pages: Page[] = [];
for (const [i, s] of servers.entries()) {
  const page = await (await browser.newContext()).newPage();
  await visit(page, s.base);
  await page.evaluate(() => navigator.serviceWorker?.ready.then(() => undefined));
  await page.waitForFunction(() => !['idle', 'waiting', 'running'].includes(window.__smearcount.runtimeCache?.() ?? 'skipped'), null, { timeout: 120_000, polling: 100 });
  console.log(`${builds[i].name}: first visit done, runtime warm-up ${await page.evaluate(() => window.__smearcount.runtimeCache?.() ?? 'absent')}`);
  pages.push(page);
}
console.log(`load at the start: ${load()}`);
const results: Visit[][] = builds.map(() => []);
for (let v = 0; v < VISITS; v++) {
  // the builds take turns, the first one alternating
  const order = v % 2 ? [...pages.keys()].reverse() : [...pages.keys()];
  for (const i of order) results[i].push(await visit(pages[i], servers[i].base));
}
console.log(`load at the end: ${load()}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [i, b] of builds.entries()) {
  const r = results[i];
  const f = (key: keyof Visit) => median(r.map((x) => x[key])).toFixed(0);
  console.log(
    `${b.name}: median of ${r.length} repeat visits ${f('ms')} ms; the worker's init at ${f('workerInitAt')} ms, runtime started ${f('runtimeMs')} ms after it, ready at ${f('readyAt')} ms; ` +
      `first count ${f('afterReadyMs')} ms after ready (inference ${f('inferenceMs')} ms; the rest, per visit, ${median(r.map((x) => x.afterReadyMs - x.inferenceMs)).toFixed(0)} ms)\n  visits (ms): ${r.map((x) => x.ms).join(' ')}; ready at: ${r.map((x) => Math.round(x.readyAt)).join(' ')}`,
  );
}
await browser.close();
for (const s of servers) s.stop();
