/**
 * Live mode's speed (issue 23), in Chromium with the fake camera playing CBC Testing fields:
 * - frames per second at the live input size on one detector thread: how often the current field's boxes
 *   are renewed (preview detections of the 640x480 camera frame fitted to the model's 512x384), and how
 *   many frames the capture rule judges per second on the page, with its cost per frame;
 * - the time from a still view to its field handed to the batch (it includes the rule's 1 s of stillness).
 * Run alone with `npm run bench:live` (after `npm run build`), or as a section of `npm run bench`.
 */
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { requireData } from './dataRoot';
import { buildFakeCamera, CAMERA, fakeCameraArgs, fieldTour } from './fakeCamera';
import { startPreview } from './preview';
import { readdirSync } from 'node:fs';

const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu'];
const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

export interface LiveBench {
  camera: string;
  detectorInput: string;
  threads: number;
  /** preview detections per second (the boxes' frame rate) */
  previewFps: number;
  /** frames the capture rule judged per second, and its cost per frame on the page */
  judgedFps: number;
  judgeMsPerFrame: number;
  /** still view to field in the batch, per captured field */
  stillToCapturedMs: { median: number; max: number; n: number };
  captured: number;
  load: { fps: number[]; capture: number[] };
}

async function livePage(browser: Browser, base: string) {
  const context = await browser.newContext({ baseURL: base, permissions: ['camera'], viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  await page.goto('/?backend=wasm&threads=1');
  await page.waitForFunction(() => window.__smearcount?.model().status === 'ready', null, { timeout: 300_000 });
  await page.getByTestId('live-start').click();
  await page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 60_000 });
  return { page, context };
}

export async function benchLive(base: string, opts: { seconds?: number; log?: (s: string) => void } = {}): Promise<LiveBench> {
  const log = opts.log ?? console.log;
  const seconds = opts.seconds ?? 20;
  const dir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
  const images = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(dir, f)).slice(0, 8);
  // one field, moved a tenth of its width and back every half second: never captured, so nothing else runs and
  // the previews have the detector (since 2026-12-06 a still view once captured is not detected again, which a
  // field held the whole time measured as no previews at all)
  const sway = Array.from({ length: 10 }, (_, k) => ({ hold: 0.5, field: 0, shift: k % 2 ? 0.1 : 0 }));
  const hold = await buildFakeCamera('bench-sway', images.slice(0, 1), sway);
  const tour = await buildFakeCamera('tour8', images, fieldTour(8));
  const launch = (file: string) => chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...BASE_ARGS, ...fakeCameraArgs(file)] });

  let b = await launch(hold);
  let fps: Pick<LiveBench, 'previewFps' | 'judgedFps' | 'judgeMsPerFrame' | 'threads'>;
  let fpsLoad: number[];
  try {
    const { page } = await livePage(b, base);
    await page.waitForFunction(() => window.__smearcount.live().previews >= 2, null, { timeout: 300_000 });
    await page.waitForTimeout(2000);
    const a = await page.evaluate(() => ({ t: performance.now(), ...window.__smearcount.live() }));
    await page.waitForTimeout(seconds * 1000);
    const z = await page.evaluate(() => ({ t: performance.now(), ...window.__smearcount.live() }));
    fpsLoad = load();
    const dt = (z.t - a.t) / 1000;
    const model = await page.evaluate(() => window.__smearcount.model());
    fps = {
      threads: model.threads ?? 1,
      previewFps: Number(((z.previews - a.previews) / dt).toFixed(2)),
      judgedFps: Number(((z.frames - a.frames) / dt).toFixed(2)),
      judgeMsPerFrame: Number(((z.judgeMs - a.judgeMs) / Math.max(1, z.frames - a.frames)).toFixed(2)),
    };
    log(`live: ${fps.previewFps} previews/s (boxes), ${fps.judgedFps} frames judged/s at ${fps.judgeMsPerFrame} ms each, ${fps.threads} detector thread, over ${dt.toFixed(1)} s (load ${fpsLoad.join(' ')})`);
  } finally {
    await b.close();
  }

  b = await launch(tour);
  try {
    const { page } = await livePage(b, base);
    // one pass of the slide (29 s) and a little more
    await page.waitForTimeout(32_000);
    const l = await page.evaluate(() => window.__smearcount.live());
    const capLoad = load();
    const res: LiveBench = {
      camera: `${l.size?.width}x${l.size?.height} at ${CAMERA.fps} fps (fake camera)`,
      detectorInput: '512x384 (the camera frame fitted to the model card)',
      ...fps,
      stillToCapturedMs: { median: Math.round(median(l.captureMs)), max: Math.round(Math.max(...l.captureMs)), n: l.captureMs.length },
      captured: l.captured.length,
      load: { fps: fpsLoad, capture: capLoad },
    };
    log(`live: still view to captured field median ${res.stillToCapturedMs.median} ms, max ${res.stillToCapturedMs.max} ms over ${res.stillToCapturedMs.n} fields (1000 ms of it is the stillness rule; load ${capLoad.join(' ')})`);
    return res;
  } finally {
    await b.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PW_PORT ?? 4184);
  const { base, stop } = await startPreview(port);
  try {
    const res = await benchLive(base);
    console.log(JSON.stringify(res, null, 2));
  } finally {
    stop();
  }
  process.exit(0);
}
