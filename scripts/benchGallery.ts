/**
 * npm run bench:gallery -- [--cells 500] [--images 10] [--port 4186]
 *
 * The WBC gallery with a large sample, in the built app in headless Chromium: a few CBC Testing images are
 * counted, then WBC boxes are drawn on them by hand (through the test hook, as a technician would; each is
 * typed at once) until the sample holds --cells white cells. Then it measures
 *   - open: click on "Gallery" to the first tile painted (in the page, performance.now and rAF);
 *   - scroll: the whole list scrolled from top to bottom in 40 steps, 50 ms apart, with a long-task
 *     observer (tasks over 50 ms, the browser's own definition) running;
 * and prints the figures (bench-results/gallery.json). Timings, not a test: quote them with the load.
 */
import { chromium } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { testingImages } from '../e2e/data';
import { REPO_ROOT } from './dataRoot';
import { startPreview } from './preview';

const { values: o } = parseArgs({
  options: { cells: { type: 'string', default: '500' }, images: { type: 'string', default: '10' }, port: { type: 'string', default: '4186' } },
});
const cells = Number(o.cells);
const files = testingImages(Number(o.images));
const { base, stop } = await startPreview(Number(o.port));
try {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/?backend=wasm`);
  await page.getByTestId('file-input').setInputFiles(files);
  const idle = () => page.waitForFunction(() => window.__smearcount?.idle() && window.__smearcount.images().every((i) => i.status === 'done' || i.status === 'error'), null, { timeout: 600_000, polling: 200 });
  await idle();
  console.error(`${files.length} images counted`);
  const ids = (await page.evaluate(() => window.__smearcount.images())).filter((i) => i.status === 'done').map((i) => i.id);
  const have = (await page.evaluate(() => window.__smearcount.differential())).typed;
  // a grid of 40x40 px boxes over each image, shared out to reach the target
  const perImage = Math.ceil(Math.max(0, cells - have) / ids.length);
  for (const id of ids) {
    const boxes = Array.from({ length: perImage }, (_, k) => {
      const x = 10 + (k % 14) * 44;
      const y = 10 + Math.floor(k / 14) * 44;
      return { x1: x, y1: y, x2: x + 40, y2: y + 40 };
    });
    const added = await page.evaluate(([id, boxes]) => window.__smearcount.addWbcBoxes(id, boxes), [id, boxes] as const);
    if (added !== boxes.length) throw new Error(`${added} of ${boxes.length} boxes drawn on ${id}`);
  }
  console.error(`${have} WBCs found; drawing ${perImage} more on each image`);
  for (let t = 0; ; t++) {
    const d = await page.evaluate(() => window.__smearcount.differential());
    if (d.typed >= cells) break;
    if (t % 20 === 0) console.error(`  ${d.typed} typed; ${(await page.evaluate(() => window.__smearcount.images().map((i) => `${i.count}/${i.classified}`))).join(' ')}`);
    if (t > 1200) throw new Error(`only ${d.typed} of ${cells} cells were typed`);
    await page.waitForTimeout(500);
  }
  const typed = (await page.evaluate(() => window.__smearcount.differential())).typed;

  // In-page code as strings: tsx would wrap named inner functions in a helper the page does not have.
  const openMs = (await page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    document.querySelector('[data-testid=open-gallery]').click();
    const tick = () => (document.querySelector('[data-testid=wbc-tile]') ? requestAnimationFrame(() => resolve(performance.now() - t0)) : requestAnimationFrame(tick));
    tick();
  })`)) as number;
  const rendered = await page.getByTestId('wbc-tile').count();
  const scroll = (await page.evaluate(`new Promise((resolve) => {
    const longTasks = [];
    const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)));
    obs.observe({ type: 'longtask' });
    const el = document.querySelector('[data-testid=gallery-scroll]');
    const t0 = performance.now();
    let step = 0;
    const next = () => {
      el.scrollTop = ((el.scrollHeight - el.clientHeight) * ++step) / 40;
      if (step < 40) setTimeout(next, 50);
      else setTimeout(() => { obs.disconnect(); resolve({ longTasks, ms: performance.now() - t0, height: el.scrollHeight }); }, 300);
    };
    next();
  })`)) as { longTasks: number[]; ms: number; height: number };
  // the microscope profile's head, fitted in this browser on 100 and 500 of these cells' real embeddings
  // (cycled; median of 5): moved here from the profile e2e spec, which printed it without a bound
  const adaptation = await page.evaluate(() => [100, 500].map((n) => window.__smearcount.timeAdaptation(n)));
  await browser.close();
  const out = {
    date: new Date().toISOString(),
    load: loadavg().map((x) => Number(x.toFixed(2))),
    cells: typed,
    images: ids.length,
    openMs: Number(openMs.toFixed(1)),
    tilesInPageAtOpen: rendered,
    scroll: { steps: 40, listHeightPx: scroll.height, longTasksOver50ms: scroll.longTasks.map((d) => Math.round(d)), maxLongTaskMs: Math.round(Math.max(0, ...scroll.longTasks)) },
    adaptationFitMs: Object.fromEntries(adaptation.flatMap((a) => (a ? [[a.cells, Number(a.ms.toFixed(1))]] : []))),
  };
  console.log(`gallery with ${typed} cells on ${ids.length} images (load ${out.load.join(' ')}):`);
  console.log(`  open: ${out.openMs} ms to the first tile; ${rendered} tiles in the page`);
  console.log(`  scroll top to bottom (40 steps): long tasks ${JSON.stringify(out.scroll.longTasksOver50ms)} (max ${out.scroll.maxLongTaskMs} ms)`);
  console.log(`  microscope profile fit (median of 5): ${Object.entries(out.adaptationFitMs).map(([n, ms]) => `${n} cells ${ms} ms`).join(', ') || 'no embeddings'}`);
  mkdirSync(join(REPO_ROOT, 'bench-results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench-results', 'gallery.json'), JSON.stringify(out, null, 2) + '\n');
} finally {
  stop();
}
