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
import { chromium, type Browser, type Page } from '@playwright/test';
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

/** The live state at the start and the end of a window of `seconds`, once the previews run (2 s after the second). */
async function liveWindow(page: Page, seconds: number) {
  await page.waitForFunction(() => window.__smearcount.live().previews >= 2, null, { timeout: 300_000 });
  await page.waitForTimeout(2000);
  const a = await page.evaluate(() => ({ t: performance.now(), ...window.__smearcount.live() }));
  await page.waitForTimeout(seconds * 1000);
  const z = await page.evaluate(() => ({ t: performance.now(), ...window.__smearcount.live() }));
  return { a, z };
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
    const { a, z } = await liveWindow(page, seconds);
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

export interface PreviewProfile {
  field: string;
  previews: number;
  previewsPerSecond: number;
  /** per preview: from its frame to its boxes, and the detector passes it took */
  msPerPreview: number;
  passesPerPreview: number;
  load: number[];
}

/**
 * What one preview costs on a field that needs the batch's second pass (a 2x2 mosaic: cells half their size) or a
 * small field's square (the eyepiece's disc at 6% of the frame), against one that needs neither: the previews'
 * time from frame to boxes and their detector passes, over `seconds` of each. The plain and mosaic fields sway a
 * tenth of their width every half second (never captured, so the detector never rests); the small field is never
 * captured anyway. `npm run bench:live -- --profile`.
 */
export async function profilePreviews(base: string, opts: { seconds?: number; log?: (s: string) => void; only?: string } = {}): Promise<PreviewProfile[]> {
  const log = opts.log ?? console.log;
  const seconds = opts.seconds ?? 15;
  const dir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
  const images = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(dir, f)).slice(0, 5);
  const sway = (extra: object) => Array.from({ length: 10 }, (_, k) => ({ hold: 0.5, field: 0, shift: k % 2 ? 0.1 : 0, ...extra }));
  const cases: { field: string; file: string }[] = [
    { field: 'plain (one pass)', file: await buildFakeCamera('bench-sway', images.slice(0, 1), sway({})) },
    { field: 'mosaic 2x2 (second pass)', file: await buildFakeCamera('bench-sway-mosaic', images, sway({ mosaic: 2 })) },
    { field: 'eyepiece disc at 6% (small field square)', file: await buildFakeCamera('bench-small-field', images.slice(0, 1), [{ hold: 5, field: 0, fieldOfView: 0.06 }], CAMERA, { eyepiece: true }) },
    // held still: a swaying view's still periods are too short for more than one preview; out of focus, it is never
    // captured, and a sensor's grain makes each frame another
    { field: 'mosaic 2x2 held still, soft (second pass)', file: await buildFakeCamera('bench-mosaic-soft', images, [{ hold: 10, field: 0, mosaic: 2, blur: Number(process.env.MOSAIC_BLUR ?? 5), frameNoise: 4 }]) },
  ].filter((c) => !opts.only || c.field.includes(opts.only));
  const out: PreviewProfile[] = [];
  for (const c of cases) {
    const b = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...BASE_ARGS, ...fakeCameraArgs(c.file)] });
    try {
      const { page } = await livePage(b, base);
      const { a, z } = await liveWindow(page, seconds);
      const n = z.previews - a.previews;
      const res: PreviewProfile = {
        field: c.field,
        previews: n,
        previewsPerSecond: Number((n / ((z.t - a.t) / 1000)).toFixed(2)),
        msPerPreview: Math.round((z.previewMs - a.previewMs) / Math.max(1, n)),
        passesPerPreview: Number(((z.previewPasses - a.previewPasses) / Math.max(1, n)).toFixed(2)),
        load: load(),
      };
      log(`live preview, ${res.field}: ${res.previewsPerSecond} previews/s, ${res.msPerPreview} ms and ${res.passesPerPreview} passes each over ${n} (load ${res.load.join(' ')})`);
      out.push(res);
    } finally {
      await b.close();
    }
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PW_PORT ?? 4184);
  // `--profile --before DIR`: a kept build (dist/ copied away, or built with --outDir) and this one, alternated twice
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const before = process.argv.includes('--before') ? process.argv[process.argv.indexOf('--before') + 1] : null;
  if (before && process.argv.includes('--profile')) {
    const servers = await Promise.all([startPreview(port, before), startPreview(port + 1)]);
    try {
      for (let round = 0; round < 2; round++)
        for (const [i, name] of ['before', 'this build'].entries()) {
          console.log(`-- ${name}, round ${round + 1}`);
          await profilePreviews(servers[i].base, { only });
        }
    } finally {
      servers.forEach((s) => s.stop());
    }
    process.exit(0);
  }
  const { base, stop } = await startPreview(port);
  try {
    const res = process.argv.includes('--profile') ? await profilePreviews(base, { only }) : await benchLive(base);
    console.log(JSON.stringify(res, null, 2));
  } finally {
    stop();
  }
  process.exit(0);
}
