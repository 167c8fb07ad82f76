/**
 * Live at the eyepiece (issue 23), with Chromium's fake camera playing a slide built at test time from
 * CBC Testing fields (e2e/fakeCamera.ts): fields held still, slides between them, a dark tail, and the
 * loop that brings the first field back. Each describe launches its own browser with its own video.
 */
import AxeBuilder from '@axe-core/playwright';
import { chromium, expect, test as base, type Browser, type Page } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages, truthCounts } from './data';
import { buildFakeCamera, EYEPIECE_RADIUS, fakeCameraArgs, fieldTour, scriptSeconds, type Step } from '../scripts/fakeCamera';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import config from '../playwright.config';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { nonSmearPictures, toPng } from '../scripts/nonSmear';
import { readCsv } from './csv';

const baseArgs = config.use?.launchOptions?.args ?? [];
const videoPath = (name: string) => join(tmpdir(), 'smearcount-fake-camera', `${name}.y4m`);
const live = (page: Page) => page.evaluate(() => window.__smearcount.live());

/** From the page's start, every text the element `testId` shows, in order (checked at every frame; a repeat of the
 * last left out); `recorded` reads them. */
async function recordTexts(page: Page, testId: string): Promise<void> {
  await page.addInitScript((id) => {
    const w = window as unknown as { recorded?: Record<string, string[]> };
    const list: string[] = [];
    (w.recorded ??= {})[id] = list;
    const watch = () => {
      const text = document.querySelector(`[data-testid="${id}"]`)?.textContent;
      if (text && list[list.length - 1] !== text) list.push(text);
      requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  }, testId);
}
const recorded = (page: Page, testId: string) => page.evaluate((id) => (window as unknown as { recorded: Record<string, string[]> }).recorded[id], testId);

/** From the page's start, the field's figures as the view showed them, each with the status line beside it (a
 * change of either recorded, at every frame); `shownFigures` reads them. */
async function recordFigures(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { shown: [string, string][] };
    w.shown = [];
    const watch = () => {
      const figures = document.querySelector('[data-testid="live-field-count"]')?.textContent ?? '';
      const status = document.querySelector('[data-testid="live-status"]')?.textContent ?? '';
      const last = w.shown[w.shown.length - 1];
      if (figures && (!last || last[0] !== status || last[1] !== figures)) w.shown.push([status, figures]);
      requestAnimationFrame(watch);
    };
    requestAnimationFrame(watch);
  });
}
const shownFigures = (page: Page) => page.evaluate(() => (window as unknown as { shown: [string, string][] }).shown);
/** "… 212 RBC, 3 WBC, 14 PLT" as numbers (null: no figures). */
const figuresOf = (text: string) => {
  const m = /(\d+) RBC, (\d+) WBC, (\d+) PLT$/.exec(text);
  return m ? { RBC: Number(m[1]), WBC: Number(m[2]), PLT: Number(m[3]) } : null;
};

/**
 * A page in a browser of its own whose camera plays the video `name`: the camera flags are launch flags,
 * and Playwright allows launch options per file only, while each test here needs its own video. The
 * context gets the config's settings, and the `camera` permission unless the prompt is to be refused.
 */
const test = base.extend<{ cameraPage: (name: string, opts?: { refuse?: boolean; viewport?: { width: number; height: number }; touch?: boolean }) => Promise<Page> }>({
  // eslint-disable-next-line no-empty-pattern
  cameraPage: async ({}, use) => {
    const browsers: Browser[] = [];
    await use(async (name, opts = {}) => {
      const browser = await chromium.launch({ ...config.use?.launchOptions, args: [...baseArgs, ...fakeCameraArgs(videoPath(name), !opts.refuse)] });
      browsers.push(browser);
      // a phone's browser grants a screen wake lock unasked; Playwright's permission list denies what it leaves out
      const context = await browser.newContext({
        baseURL: config.use?.baseURL,
        viewport: opts.viewport ?? config.use?.viewport,
        permissions: opts.refuse ? [] : ['camera', 'screen-wake-lock'],
        ...(opts.touch ? { hasTouch: true, isMobile: true } : {}),
      });
      return context.newPage();
    });
    for (const b of browsers) await b.close();
  },
});

/** The page hidden (another app, the screen locked) or shown again, as the browser tells it. */
async function setVisibility(page: Page, state: 'hidden' | 'visible') {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { value, configurable: true });
    Object.defineProperty(document, 'hidden', { value: value === 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

async function startLive(app: AppPage) {
  await app.open('?backend=wasm');
  await app.waitReady();
  await app.page.getByTestId('live-start').click();
  await expect(app.page.getByTestId('live-view')).toBeVisible();
  await app.page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
}

/** Stops live mode and waits until every captured field is in the batch and counted. */
async function stopAndSettle(app: AppPage) {
  await app.page.getByTestId('live-stop').click();
  await expect(app.page.getByTestId('live-view')).toHaveCount(0);
  await app.page.waitForFunction(() => window.__smearcount.live().pending === 0, null, { timeout: 30_000 });
  await app.waitReady(300_000);
}

const FIELDS = 8;
const tour = fieldTour(FIELDS);

test.describe('the loop: 8 fields, slides, a dark tail, then the first field again', () => {
  test.beforeAll(async () => {
    await buildFakeCamera('tour8', testingImages(FIELDS), tour);
  });

  test('after 40 s live-stop leaves exactly 8 images, counted like dropped ones', async ({ cameraPage }) => {
    test.setTimeout(420_000);
    const page = await cameraPage('tour8');
    const app = new AppPage(page);
    await startLive(app);
    const started = Date.now();
    // the view shows boxes of the current field and the running count
    await page.waitForFunction(() => window.__smearcount.live().boxes > 0, null, { timeout: 120_000 });
    await expect(page.getByTestId('live-count')).toContainText('/ 100 WBC');
    // while the slide moves, the last field's boxes (an earlier frame's) fade instead of sitting beside their cells
    await page.waitForFunction(
      () => {
        const boxes = document.querySelector('[data-testid="live-boxes"]');
        // the figures beside them are named as the last field's (the count of a view no longer there)
        const said = document.querySelector('[data-testid="live-field-count"]')?.textContent ?? '';
        return window.__smearcount.live().state === 'moving' && !!boxes && Number(getComputedStyle(boxes).opacity) < 0.5 && said.startsWith('last field: ');
      },
      null,
      { timeout: 30_000, polling: 50 },
    );
    // and are shown again once the view is still
    await page.waitForFunction(() => window.__smearcount.live().state === 'settling' && Number(getComputedStyle(document.querySelector('[data-testid="live-boxes"]')!).opacity) === 1, null, { timeout: 30_000, polling: 50 });
    // one pass of the slide is 29 s: then the first fields come back, and are seen, not captured (a fixed 40 s
    // before: the same frames, and more on an idle machine)
    expect(scriptSeconds(tour)).toBeLessThan(36);
    await page.waitForFunction((n) => window.__smearcount.live().captured.length === n && window.__smearcount.live().repeats >= 2, FIELDS, { timeout: 120_000 });
    const seen = await live(page);
    await expect(page.getByTestId('live-howto')).toHaveCount(0); // fields captured: the how-to has done its job
    await page.screenshot({ path: test.info().outputPath('live.png') });
    await stopAndSettle(app);
    const images = await app.images();
    expect(seen.captured).toEqual(Array.from({ length: FIELDS }, (_, i) => `live-${String(i + 1).padStart(4, '0')}.jpg`));
    expect(seen.repeats).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('thumb')).toHaveCount(FIELDS);
    expect(images.map((i) => i.name)).toEqual(seen.captured);
    expect(images.every((i) => i.status === 'done')).toBe(true);
    const summary = await page.evaluate(() => window.__smearcount.summary());
    const truth = testingImages(FIELDS).reduce((n, f) => n + truthCounts(f).RBC, 0);
    console.log(`live loop: camera ${seen.size?.width}x${seen.size?.height}, ${seen.frames} frames judged, ${seen.previews} previews in ${((Date.now() - started) / 1000).toFixed(1)} s; RBC ${summary.totals.RBC} vs ${truth} labelled; still-to-captured ${seen.captureMs.map((m) => m.toFixed(0)).join(', ')} ms`);
    expect(summary.images).toBe(FIELDS);
    expect(Math.abs(summary.totals.RBC - truth) / truth).toBeLessThanOrEqual(0.15);
  });
});

/** A, slide, B, slide back, A again but a quarter of a field off (75% in common), dark. */
const TWO_FIELDS: Step[] = [
  { hold: 2.5, field: 0 },
  { pan: 1, from: 0, to: 1 },
  { hold: 2.5, field: 1 },
  { pan: 1, from: 1, to: 0 },
  { hold: 3, field: 0, shift: 0.25 },
  { dark: 2 },
];

test.describe('a field seen twice', () => {
  // the second A is captured once
  const steps = TWO_FIELDS;
  test.beforeAll(async () => {
    await buildFakeCamera('twice', testingImages(2), steps);
  });

  test('is captured once', async ({ cameraPage }) => {
    test.setTimeout(300_000);
    const page = await cameraPage('twice');
    const app = new AppPage(page);
    const started = Date.now();
    await startLive(app);
    // the whole script once, and into the loop's first field again
    await page.waitForTimeout((scriptSeconds(steps) + 2) * 1000);
    const seen = await live(page);
    expect(seen.captured).toEqual(['live-0001.jpg', 'live-0002.jpg']);
    expect(seen.repeats).toBeGreaterThanOrEqual(1);
    await stopAndSettle(app);
    await expect(page.getByTestId('thumb')).toHaveCount(2);
    // each field says it was captured live, and when: in the counts CSV and the report's per-image table
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = readCsv(readFileSync((await d.path())!, 'utf8'));
    const fields = csv.rows.filter((r) => r[0].startsWith('live-'));
    expect(fields.map((r) => [r[0], csv.get(r, 'source')])).toEqual([
      ['live-0001.jpg', 'live'],
      ['live-0002.jpg', 'live'],
    ]);
    const times = fields.map((r) => Date.parse(csv.get(r, 'captured_at')));
    for (const t of times) expect(t).toBeGreaterThanOrEqual(started - 1000); // to the second
    for (const t of times) expect(t).toBeLessThanOrEqual(Date.now());
    expect(times[0]).toBeLessThan(times[1]);
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-capture')).toHaveCount(2);
    await expect(page.getByTestId('report-capture').first()).toContainText(`(live capture ${csv.get(fields[0], 'captured_at')})`);
  });
});

test.describe('the fine focus turned through a soft view', () => {
  // field A slightly soft (sharp enough to capture), then the same field in focus, then the lamp off
  const steps: Step[] = [{ hold: 3.5, field: 0, blur: 2 }, { hold: 4, field: 0 }, { dark: 2 }];
  test.beforeAll(async () => {
    await buildFakeCamera('focus', testingImages(1), steps);
  });

  test('the sharp view replaces the soft capture of the same field, under its name, once', async ({ cameraPage }) => {
    test.setTimeout(300_000);
    const page = await cameraPage('focus');
    const app = new AppPage(page);
    await startLive(app);
    // the whole script once, and into the loop's soft view again
    await page.waitForTimeout((scriptSeconds(steps) + 3) * 1000);
    const seen = await live(page);
    expect(seen.captured).toEqual(['live-0001.jpg']);
    expect(seen.sharpened).toBe(1);
    await stopAndSettle(app);
    await expect(page.getByTestId('thumb')).toHaveCount(1);
    const [im] = await page.evaluate(() => window.__smearcount.images());
    expect(im.name).toBe('live-0001.jpg');
    // the kept capture is the sharp view: as sharp as the field itself reads, well above the soft one
    expect(im.quality!.pixels.sharpness).toBeGreaterThan(0.7);
    const audit = await page.evaluate(() => window.__smearcount.audit());
    expect(audit.filter((a) => a.action === 'replace-image')).toEqual([expect.objectContaining({ image: 'live-0001.jpg', to: 'replaced by a sharper view of the same field' })]);
  });
});

test.describe('the eyepiece on a portrait phone', () => {
  test.beforeAll(async () => {
    await buildFakeCamera('eyepiece2', testingImages(2), fieldTour(2), undefined, { eyepiece: true });
  });

  test("the view zooms to the eyepiece's circle, and the boxes stay on their cells", async ({ cameraPage }) => {
    test.setTimeout(180_000);
    const page = await cameraPage('eyepiece2', { viewport: { width: 390, height: 844 } });
    // a phone slower than this machine: each preview's boxes come 0.6 s after its frame was taken
    await page.addInitScript(() => {
      const own = window.createImageBitmap.bind(window) as (...a: unknown[]) => Promise<ImageBitmap>;
      (window as unknown as { createImageBitmap: unknown }).createImageBitmap = async (...a: unknown[]) => {
        const bmp = await own(...a);
        if (a[0] instanceof HTMLVideoElement) await new Promise((r) => setTimeout(r, 600));
        return bmp;
      };
    });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().field !== null && window.__smearcount.live().boxes > 0, null, { timeout: 60_000 });
    const zoom = page.getByTestId('live-zoom');
    await expect.poll(async () => Number(await zoom.getAttribute('data-scale'))).toBeGreaterThan(1.2);
    // once the zoom has settled, the circle (drawn in the boxes' layer) fills most of the screen's width
    await expect
      .poll(async () => {
        const c = await page.locator('.live-boxes circle').boundingBox();
        return c ? c.width / 390 : 0;
      })
      .toBeGreaterThan(0.85);
    // video and boxes share one transform: the video's box scales as the boxes' layer does
    const [v, s] = await Promise.all([page.locator('.live-zoom video').boundingBox(), page.locator('.live-zoom svg').boundingBox()]);
    expect(Math.abs(v!.width - s!.width)).toBeLessThan(1);
    expect(Math.abs(v!.x - s!.x)).toBeLessThan(1);
    // read at arm's length, the phone at the eyepiece: the WBCs toward the target at 32 px or more, the figures and
    // the status line at 20 (they were 21, 16, 14 and 16 px); Stop still on the screen
    const px = (id: string) => page.getByTestId(id).evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(await px('live-wbc')).toBeGreaterThanOrEqual(32);
    for (const id of ['live-totals', 'live-field-count', 'live-status']) expect(await px(id), id).toBeGreaterThanOrEqual(20);
    const stop = await page.getByTestId('live-stop').boundingBox();
    expect(stop!.y + stop!.height).toBeLessThanOrEqual(844);
    // Over a whole pass of the slide (two fields and the slide between them), the boxes drawn at full strength are
    // always of a frame of the still view under them: a preview begun while the slide moved and ended once it stopped
    // had been drawn at full strength beside its cells under "Hold still…" (seen in this test's screenshot)
    const drawn = await page.evaluate(
      (ms) =>
        new Promise<{ full: number; earlier: number; faded: number }>((done) => {
          const n = { full: 0, earlier: 0, faded: 0 };
          const end = performance.now() + ms;
          const look = () => {
            const l = window.__smearcount.live();
            const svg = document.querySelector('[data-testid="live-boxes"]');
            if (svg && l.boxes > 0 && l.state !== 'moving') {
              if (Number(getComputedStyle(svg).opacity) < 0.99) n.faded++;
              else if (l.boxesAt < l.stillSince) n.earlier++;
              else n.full++;
            }
            if (performance.now() < end) requestAnimationFrame(look);
            else done(n);
          };
          look();
        }),
      scriptSeconds(fieldTour(2)) * 1000 + 2000,
    );
    expect(drawn.full).toBeGreaterThan(0);
    expect(drawn.earlier).toBe(0);
  });
});

test.describe('the phone held back from the eyepiece', () => {
  // the eyepiece's view shrunk into a disc of 6% of the frame for 4 s, then the phone brought to the eyepiece
  const steps: Step[] = [{ hold: 4, field: 0, fieldOfView: 0.06 }, { hold: 3, field: 0 }];
  test.beforeAll(async () => {
    await buildFakeCamera('held-back', testingImages(1), steps, undefined, { eyepiece: true });
  });

  test('a small field of view says to move the phone closer, not "Too dark", and is not captured; brought closer, the field is captured once', async ({ cameraPage }) => {
    test.setTimeout(180_000);
    const page = await cameraPage('held-back', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await recordTexts(page, 'live-status');
    await startLive(app);
    const status = page.getByTestId('live-status');
    await expect(status).toHaveText('The field of view is small: move the phone closer to the eyepiece, or zoom in', { timeout: 60_000 });
    expect((await page.evaluate(() => window.__smearcount.live())).captured).toEqual([]);
    await page.waitForFunction(() => window.__smearcount.live().captured.length > 0, null, { timeout: 60_000 });
    // round the loop: the small view again, then the captured field seen
    await page.waitForFunction(() => window.__smearcount.live().repeats >= 1, null, { timeout: 60_000 });
    await stopAndSettle(app);
    const said = await recorded(page, 'live-status');
    expect(said).not.toContain('Too dark: is the lamp on?');
    const images = await app.images();
    expect(images.map((i) => i.name)).toEqual(['live-0001.jpg']);
    expect(images[0].flags).not.toContain('small-field');
  });
});

test.describe('the phone held far back from the eyepiece', () => {
  // the eyepiece's view shrunk into a disc of 0.3% of the frame (a speck of smear in the black)
  const steps: Step[] = [{ hold: 6, field: 0, fieldOfView: 0.003 }];
  test.beforeAll(async () => {
    await buildFakeCamera('far-back', testingImages(1), steps, undefined, { eyepiece: true });
  });

  test('a field of view under half a percent still says to move the phone closer, not "Too dark"; nothing is captured and the detector rests', async ({ cameraPage }) => {
    test.setTimeout(180_000);
    const page = await cameraPage('far-back');
    const app = new AppPage(page);
    await startLive(app);
    const status = page.getByTestId('live-status');
    await expect(status).toHaveText('The field of view is small: move the phone closer to the eyepiece, or zoom in', { timeout: 60_000 });
    // no field to count, and none counted: no "this field: counting…" under it
    await expect(page.getByTestId('live-field-count')).toHaveCount(0);
    // the detector rests on it, as it did when the view read as dark: at most one preview in 3 s of frames
    const before = await live(page);
    await page.waitForTimeout(3000);
    const after = await live(page);
    expect(after.state).toBe('small-field');
    expect(after.frames - before.frames).toBeGreaterThan(20);
    expect(after.previews - before.previews).toBeLessThanOrEqual(1);
    expect(after.captured).toEqual([]);
    await expect(status).not.toContainText('Too dark');
    await stopAndSettle(app);
    await expect(page.getByTestId('thumb')).toHaveCount(0);
  });
});

test.describe('a field at half the magnification (the batch reads it a second time, enlarged)', () => {
  // a 2 x 2 mosaic of CBC fields, cells half their size: the batch's first pass estimates them small and its second
  // pass reads the field enlarged (core/detection/scale). Held long enough for the batch to count the field while
  // the view is still on it.
  const steps: Step[] = [{ hold: 16, field: 0, mosaic: 2 }, { dark: 2 }];
  test.beforeAll(async () => {
    await buildFakeCamera('half-magnification', testingImages(4), steps);
  });

  test("the view's figures for the captured field are the batch's count of it, and before the capture they read the field as the batch does", async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('half-magnification', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    // the field's figures as the view showed them, each with the status line beside it
    await recordFigures(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 60_000 });
    await page.waitForFunction(() => window.__smearcount.images()[0]?.status === 'done', null, { timeout: 60_000 });
    const [image] = await app.images();
    expect(image.name).toBe('live-0001.jpg');
    // the batch ran its second pass on the saved field
    expect(image.scale?.passes).toBe(2);
    await page.evaluate((id) => window.__smearcount.select(id), image.id);
    const dets = (await page.evaluate(() => window.__smearcount.current()))!.detections;
    const batch = { RBC: dets.filter((d) => d.cls === 'RBC').length, WBC: dets.filter((d) => d.cls === 'WBC').length, PLT: dets.filter((d) => d.cls === 'Platelets').length };
    // the view still on the captured field: its figures are the saved field's count (before: the preview's own
    // reading, one pass at the frame's size)
    expect((await live(page)).state).toBe('captured');
    await expect(page.getByTestId('live-field-count')).toHaveText(`live-0001.jpg: ${batch.RBC} RBC, ${batch.WBC} WBC, ${batch.PLT} PLT`);
    // and before the capture, the previews of the still field read it as the batch does (its second pass):
    // the red cells within a tenth of the saved field's (another frame of the camera, not yet a JPEG)
    const shown = await shownFigures(page);
    // ("this field: counting…" until a preview of the still view has ended: no figures; on a loaded machine the first
    // preview of the still view, two passes, can end only once the field is saved, before the batch has counted it)
    const before = shown.filter(([status, text]) => /^(Hold still…|Capturing…|Captured: move to the next field)$/.test(status) && text.startsWith('this field: ')).flatMap(([, text]) => figuresOf(text) ?? []);
    expect(before.length).toBeGreaterThan(0);
    const last = before[before.length - 1];
    expect(Math.abs(last.RBC - batch.RBC), `${JSON.stringify(last)} live, ${JSON.stringify(batch)} saved`).toBeLessThanOrEqual(Math.ceil(batch.RBC / 10));
  });
});

test.describe('a still field through a camera with grain (each frame its own, as a phone sensor gives)', () => {
  // 14 s of a soft view (out of focus: never captured, so the detector reads it again and again, frame after frame),
  // then the slide moved to a field at half the magnification (four times the cells), held sharp
  const steps: Step[] = [{ hold: 14, field: 0, blur: 6, frameNoise: 4 }, { hold: 6, field: 1, mosaic: 2 }, { dark: 2 }];
  test.beforeAll(async () => {
    await buildFakeCamera('grain-still', testingImages(5), steps);
  });

  test("the field's figures hold while the view is still, and follow the view when it changes", async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('grain-still', { viewport: { width: 390, height: 844 }, touch: true });
    const app = new AppPage(page);
    await recordFigures(page);
    await startLive(app);
    const soft = 'Out of focus: turn the fine focus';
    await expect(page.getByTestId('live-status')).toHaveText(soft);
    await expect(page.getByTestId('live-field-count')).toHaveText(/^this field: \d+ RBC/);
    const from = (await live(page)).previews;
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 90_000 });
    await page.waitForFunction(() => window.__smearcount.images()[0]?.status === 'done', null, { timeout: 60_000 });
    await expect(page.getByTestId('live-field-count')).toHaveText(/^live-0001\.jpg: \d+ RBC/);
    const shown = await shownFigures(page);
    const still = shown.filter(([status, text]) => status === soft && text.startsWith('this field: ') && figuresOf(text)).map(([, text]) => text);
    // the soft view was read again and again while it was shown (at about 8 previews a second here)
    const previews = (await live(page)).previews - from;
    expect(previews).toBeGreaterThanOrEqual(5);
    // and its figures held: before, each preview's own (another frame, another grain), "25 RBC" and "26 RBC" in
    // turn, 20 changes in 12 s (10 in this test); at most one now (a first reading a cell off, set right once the next agree)
    const changes = still.filter((t, i) => i > 0 && t !== still[i - 1]).length;
    expect(changes, still.join(' / ')).toBeLessThanOrEqual(1);
    // the slide moved to a field of four times the cells: its figures show, not the soft view's held
    const softRbc = figuresOf(still[still.length - 1])!.RBC;
    const next = shown.filter(([status, text]) => /^(Hold still…|Capturing…)$/.test(status) && text.startsWith('this field: ')).map(([, text]) => figuresOf(text)!);
    expect(next.length).toBeGreaterThan(0);
    expect(next[next.length - 1].RBC).toBeGreaterThan(2 * softRbc);
  });
});

test.describe('a phone held upright, through fields, slides and the dark', () => {
  // each field held 4 s, not the tour's 2.5: a saved field's figures ("live-0002.jpg: …") show only once the batch
  // has counted the capture with the view still on it, and on the machine of 2026-12-07's sixteenth session (Chromium
  // 156) the 1.5 s left after the still second ran out before that, on the code before that session's changes too
  const upright = fieldTour(2, 4);
  test.beforeAll(async () => {
    await buildFakeCamera('upright-tour', testingImages(2), upright);
  });

  test('the picture stays put while the status and the figures change (a line or two, shown or not)', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('upright-tour', { viewport: { width: 390, height: 844 }, touch: true });
    const app = new AppPage(page);
    // each frame: the picture's stage height (the bar takes the rest) and what the bar shows
    await page.addInitScript(() => {
      const w = window as unknown as { stage: [number, string, string][] };
      w.stage = [];
      const watch = () => {
        const stage = document.querySelector('.live-stage');
        // lines that come and go with events, not with the view: the how-to, a field left out or flagged, a warning
        const other = ['live-howto', 'live-left-out', 'live-flagged', 'live-awake'].some((id) => document.querySelector(`[data-testid="${id}"]`)) || document.querySelector('.live-notice');
        if (stage && !other) {
          const status = document.querySelector('[data-testid="live-status"]')?.textContent ?? '';
          const figures = document.querySelector('[data-testid="live-field-count"]')?.textContent ?? '';
          w.stage.push([Math.round(stage.getBoundingClientRect().height), status, figures]);
        }
        requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
    });
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 2, null, { timeout: 90_000 });
    // on round the loop (the slides, the dark tail, the fields seen again) until the view has been in each of its
    // states below (a fixed pass of the script before)
    await page.waitForFunction(
      () => {
        const seen = (window as unknown as { stage: [number, string, string][] }).stage;
        const statuses = new Set(seen.map(([, status]) => status));
        return ['Moving: hold the slide still to capture this field', 'Too dark: is the lamp on?', 'Already captured: move to a new field'].every((x) => statuses.has(x)) && seen.some(([, , figures]) => /^live-\d{4}\.jpg: /.test(figures));
      },
      null,
      { timeout: 90_000 },
    );
    const seen = await page.evaluate(() => (window as unknown as { stage: [number, string, string][] }).stage);
    const statuses = new Set(seen.map(([, status]) => status));
    // the view went through its states, with and without the field's figures
    for (const s of ['Moving: hold the slide still to capture this field', 'Too dark: is the lamp on?', 'Already captured: move to a new field']) expect(statuses).toContain(s);
    // a saved field's own figures, shown while the view is still on it (the first capture's count can end only after
    // the slide has moved on: the batch's first count of a session is its slowest)
    expect(seen.some(([, , figures]) => /^live-\d{4}\.jpg: /.test(figures))).toBe(true);
    // one height throughout: before, the bar grew a line with "Moving: …" (two lines) and with "live-0001.jpg: …"
    // (wrapped), and lost the figures' line in the dark, the picture moving each time
    const heights = [...new Set(seen.map(([h]) => h))];
    const example = (h: number) => seen.find(([x]) => x === h)!.slice(1).join(' | ');
    expect(heights, heights.map((h) => `${h}: ${example(h)}`).join('\n')).toHaveLength(1);
  });
});

test.describe('a phone on its side', () => {
  test.beforeAll(async () => {
    await buildFakeCamera('landscape', testingImages(2), fieldTour(2));
  });

  test('the bar is one row under the picture, with Stop in it (audit 2026-12-05)', async ({ cameraPage }) => {
    test.setTimeout(180_000);
    const page = await cameraPage('landscape', { viewport: { width: 844, height: 390 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().boxes > 0, null, { timeout: 60_000 });
    const bar = (await page.locator('.live-bar').boundingBox())!;
    const stop = (await page.getByTestId('live-stop').boundingBox())!;
    const said = (await page.getByTestId('live-status').boundingBox())!;
    // 100 of 390 px before, Stop on a row of its own
    expect(bar.height).toBeLessThanOrEqual(72);
    expect(stop.y).toBeLessThan(said.y + said.height);
    expect(stop.height).toBeGreaterThanOrEqual(44);
    expect(stop.x + stop.width).toBeLessThanOrEqual(844);
    const stage = (await page.locator('.live-stage').boundingBox())!;
    expect(stage.height).toBeGreaterThanOrEqual(390 - 72);
  });
});

test.describe('a grainy field (a dim field at a high camera gain)', () => {
  // a clean field, then a grainy one: both are still, lit, stained and "sharp" (grain reads as edges), so both
  // are captured, and the batch's noisy flag leaves the second out of the counts
  const steps: Step[] = [{ hold: 3, field: 0 }, { pan: 1, from: 0, to: 1 }, { hold: 3, field: 1, noise: 30 }, { dark: 2 }];
  test.beforeAll(async () => {
    await buildFakeCamera('grainy', testingImages(2), steps);
  });

  test('the view says a captured field is not counted, and why (audit 2026-12-05); the screen is kept on; Stop has the focus, and gives it back to Live', async ({ cameraPage }) => {
    test.setTimeout(300_000);
    const page = await cameraPage('grainy', { viewport: { width: 390, height: 844 } });
    // count the app's releases of its screen wake lock (the browser's own lock, only watched)
    await page.addInitScript(() => {
      const w = window as unknown as { wakeReleased: number };
      const release = WakeLockSentinel.prototype.release;
      w.wakeReleased = 0;
      WakeLockSentinel.prototype.release = function (this: WakeLockSentinel) {
        w.wakeReleased++;
        return release.call(this);
      };
    });
    const app = new AppPage(page);
    await startLive(app);
    // the phone is clamped to the eyepiece and nobody touches it: the screen is kept on, or its timeout hides
    // the page and ends live mode a few fields in (audit 2026-12-05)
    await expect.poll(async () => (await live(page)).awake).toBe(true);
    await expect(page.getByTestId('live-awake')).toHaveCount(0);
    // a full-screen dialog: the focus is on Stop, Tab stays in it (round its controls: Got it, the help control,
    // Stop), and the page behind is out of reach
    await expect(page.getByTestId('live-stop')).toBeFocused();
    // (Got it goes once a field is captured)
    const focused = () => page.evaluate(() => (document.activeElement?.closest('[data-testid="live-view"]') ? document.activeElement.getAttribute('data-testid') : 'outside the view'));
    const round: unknown[] = [];
    do {
      await page.keyboard.press('Tab');
      round.push(await focused());
    } while (round.length < 4 && round.at(-1) !== 'live-stop');
    expect(round.at(-1)).toBe('live-stop');
    expect(round).toContain('live-help');
    expect(round).not.toContain('outside the view');
    expect(await page.locator('main').evaluate((el) => el.closest('[inert]') !== null)).toBe(true);
    // the field's figures change with every preview: no live region reads them out
    await expect(page.locator('[aria-live] [data-testid="live-field-count"]')).toHaveCount(0);
    await page.waitForFunction(() => window.__smearcount.live().captured.length >= 2, null, { timeout: 120_000 });
    // before: "2 live fields", and nothing said that one of them adds no cell to the counts
    await expect(page.getByTestId('live-left-out')).toHaveText('live-0002.jpg not counted (grainy): check it after Stop', { timeout: 120_000 });
    await expect(page.getByTestId('live-fields')).toHaveText('2');
    const bar = (await page.locator('.live-bar').boundingBox())!;
    const said = (await page.getByTestId('live-left-out').boundingBox())!;
    expect(said.x + said.width).toBeLessThanOrEqual(bar.x + bar.width + 0.5);
    // axe-core on the open view: no serious or critical violation
    const axe = await new AxeBuilder({ page }).include('[data-testid="live-view"]').analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
    const images = await app.images();
    expect(images.map((i) => [i.name, i.inTotals])).toEqual([
      ['live-0001.jpg', true],
      ['live-0002.jpg', false],
    ]);
    await page.getByTestId('live-stop').press('Enter');
    await expect(page.getByTestId('live-view')).toHaveCount(0);
    await expect(page.getByTestId('live-start')).toBeFocused();
    expect(await page.locator('main').evaluate((el) => el.closest('[inert]') !== null)).toBe(false);
    // and the screen's lock is let go
    expect(await page.evaluate(() => (window as unknown as { wakeReleased: number }).wakeReleased)).toBe(1);
  });
});

test.describe('warnings while the live view covers the page', () => {
  // a clean field, whose first picture cannot be saved (then captured again), and two grainy fields the batch leaves out
  const steps: Step[] = [{ hold: 5, field: 0 }, { pan: 1, from: 0, to: 1 }, { hold: 3, field: 1, noise: 30 }, { pan: 1, from: 1, to: 2 }, { hold: 3, field: 2, noise: 30 }, { dark: 2 }];
  test.beforeAll(async () => {
    await buildFakeCamera('grainy-two', testingImages(3), steps);
  });

  for (const screen of [
    { name: 'a phone held upright, by touch', viewport: { width: 390, height: 844 }, touch: true },
    // one row of bar under the picture, its text a size down (live.css): the warnings at least at the status line's size
    { name: 'a phone on its side, by touch', viewport: { width: 844, height: 390 }, touch: true, side: true },
    { name: 'a laptop on a projector', viewport: { width: 1280, height: 800 }, touch: false },
  ]) {
    test(`are said in the view at once, legibly and clear of the counts, and name each field left out (${screen.name})`, async ({ cameraPage }) => {
      test.setTimeout(240_000);
      const page = await cameraPage('grainy-two', { viewport: screen.viewport, touch: screen.touch });
      // a phone short of memory: the first frame-sized picture encoded comes back as nothing (toBlob's null)
      await page.addInitScript(() => {
        const toBlob = HTMLCanvasElement.prototype.toBlob;
        let failed = false;
        HTMLCanvasElement.prototype.toBlob = function (cb: BlobCallback, ...rest: unknown[]) {
          if (!failed && this.width === 640) {
            failed = true;
            return void setTimeout(() => cb(null));
          }
          return toBlob.call(this, cb, ...(rest as [string?, number?]));
        };
      });
      const app = new AppPage(page);
      await startLive(app);
      const px = async (id: string) => Number.parseFloat(await page.getByTestId(id).evaluate((el) => getComputedStyle(el).fontSize));
      const box = async (id: string) => (await page.getByTestId(id).boundingBox())!;
      // two boxes read in one frame: the bar grows when a field is left out ("live-0002.jpg not counted…") and
      // lifts the notice, and two reads apart once caught the notice where it was and the status where it went
      const boxesApart = (a: string, b: string) =>
        page.evaluate(([a, b]) => {
          const [r, q] = [a, b].map((id) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect());
          return { apart: r.right <= q.left || q.right <= r.left || r.bottom <= q.top || q.bottom <= r.top, boxes: [r, q].map((x) => [x.x, x.y, x.width, x.height].map(Math.round)) };
        }, [a, b]);
      const inView = (a: { x: number; y: number; width: number; height: number }) => a.x >= 0 && a.y >= 0 && a.x + a.width <= screen.viewport.width + 0.5 && a.y + a.height <= screen.viewport.height + 0.5;
      // read at arm's length: 20 px, the status line's size; on a phone on its side, no smaller than its status line
      const readable = async (id: string) => {
        if (!('side' in screen)) return expect(await px(id), id).toBeGreaterThanOrEqual(20);
        expect(await px(id), id).toBeGreaterThanOrEqual(Math.max(14, await px('live-status')));
      };
      // before: the notice went to the page's notices behind the full-screen view (inert), read only after Stop
      const notice = page.getByTestId('live-notice');
      await expect(notice).toBeVisible({ timeout: 60_000 });
      await expect(notice).toContainText('could not be saved');
      await readable('live-notice');
      expect(inView(await box('live-notice'))).toBe(true);
      for (const id of ['live-count', 'live-status']) {
        const seen = await boxesApart('live-notice', id);
        expect(seen.apart, `${id}: ${JSON.stringify(seen.boxes)}`).toBe(true);
      }
      const ok = (await box('live-notice-ok'))!;
      expect(ok.height).toBeGreaterThanOrEqual(44);
      // it stays in the page's notices after Stop; OK hides it here
      await page.getByTestId('live-notice-ok').click();
      await expect(notice).toHaveCount(0);
      // the two grainy fields, each named with its reason (before: "2 fields not counted (grainy)", neither named)
      await expect(page.getByTestId('live-left-out')).toHaveText('2 fields not counted: live-0003.jpg (grainy), live-0002.jpg (grainy). Check them after Stop', { timeout: 120_000 });
      await readable('live-left-out');
      expect(inView(await box('live-left-out'))).toBe(true);
      for (const id of ['live-wbc', 'live-fields', 'live-status']) {
        const seen = await boxesApart('live-left-out', id);
        expect(seen.apart, `${id}: ${JSON.stringify(seen.boxes)}`).toBe(true);
      }
      await stopAndSettle(app);
      expect((await app.images()).map((i) => [i.name, i.inTotals])).toEqual([
        ['live-0001.jpg', true],
        ['live-0002.jpg', false],
        ['live-0003.jpg', false],
      ]);
      await expect(page.getByTestId('notice-camera')).toContainText('could not be saved');
    });
  }
});

/** Pictures that are no smear, made at test time with ffmpeg's own sources (nothing committed): a test chart's
 * colour bars (vivid), and a fractal at 40% of its saturation (pale as a smear, but its dark parts green). */
function sceneImages(): string[] {
  const dir = join(tmpdir(), 'smearcount-fake-camera', 'scenes');
  mkdirSync(dir, { recursive: true });
  const scenes: [string, string, string][] = [
    ['bars', 'smptebars=size=640x480:rate=1', 'null'],
    ['fractal', 'mandelbrot=size=640x480:rate=1', 'eq=saturation=0.4'],
  ];
  return scenes.map(([name, src, filter]) => {
    const file = join(dir, `${name}.png`);
    if (!existsSync(file)) execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', src, '-vf', filter, '-frames:v', '1', file]);
    return file;
  });
}

test.describe('the phone pulled off the eyepiece', () => {
  // a smear field, then (the phone pointed elsewhere) a colour chart and a pale fractal, each held still and
  // sharp, then the lamp off
  const steps: Step[] = [{ hold: 3, field: 0 }, { pan: 1, from: 0, to: 1 }, { hold: 4, field: 1 }, { pan: 1, from: 1, to: 2 }, { hold: 4, field: 2 }, { dark: 2 }];
  test.beforeAll(async () => {
    await buildFakeCamera('off-eyepiece', [testingImages(1)[0], ...sceneImages()], steps);
  });

  test('a sharp, still scene that is no smear is said so and never captured; the smear field is, and the bar and the batch agree', async ({ cameraPage }) => {
    test.setTimeout(300_000);
    const page = await cameraPage('off-eyepiece', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    // before: each scene was captured as a field (live-0002.jpg, live-0003.jpg), out of the counts only by luck
    // (the chart "compressed", or "grainy"), with 4 red and 2 white cells found on the chart
    await page.waitForFunction(() => window.__smearcount.live().state === 'not-smear', null, { timeout: 60_000, polling: 50 });
    await expect(page.getByTestId('live-status')).toHaveText('Not a blood smear: hold the phone to the eyepiece');
    // no "cells" drawn on it, nor figures for them
    await expect(page.getByTestId('live-field-count')).toHaveCount(0);
    expect((await live(page)).boxes).toBe(0);
    // both scenes, and round the loop: the smear field seen again
    await page.waitForFunction(() => window.__smearcount.live().repeats >= 1, null, { timeout: 60_000 });
    const seen = await live(page);
    expect(seen.captured).toEqual(['live-0001.jpg']);
    await expect(page.getByTestId('live-fields')).toHaveText('1');
    const barWbc = Number(await page.getByTestId('live-wbc').textContent());
    await stopAndSettle(app);
    const images = await app.images();
    expect(images.map((i) => [i.name, i.inTotals])).toEqual([['live-0001.jpg', true]]);
    // the WBCs the bar counted toward the target are the batch's
    expect((await page.evaluate(() => window.__smearcount.summary())).totals.WBC).toBe(barWbc);
  });
});

test.describe('a printed page in stain colours', () => {
  // a CBC field, then a page of purple print on pinkish paper (made here: nothing committed), held still: stain
  // colours, sharp, pale, and no cell on it
  const steps: Step[] = [{ hold: 3, field: 0 }, { pan: 1, from: 0, to: 1 }, { hold: 5, field: 1 }, { dark: 2 }];
  test.beforeAll(async () => {
    const page = nonSmearPictures().find((p) => p.name === 'text-page')!;
    for (let i = 0; i < page.data.length; i += 4) page.data.set(page.data[i] < 128 ? [110, 60, 140] : [245, 232, 236], i);
    const file = join(tmpdir(), 'smearcount-fake-camera', 'scenes', 'stained-page.png');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, toPng(page));
    await buildFakeCamera('stained-page', [testingImages(1)[0], file], steps);
  });

  test('is not captured once the detector finds no cells on it, and the view says so', async ({ cameraPage }) => {
    test.setTimeout(300_000);
    const page = await cameraPage('stained-page', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().state === 'no-cells', null, { timeout: 60_000, polling: 50 });
    await expect(page.getByTestId('live-status')).toHaveText('No cells found here: move to where the cells lie side by side, or hold the phone to the eyepiece');
    // the page held to its end, and round the loop: the CBC field seen again
    await page.waitForFunction(() => window.__smearcount.live().repeats >= 1, null, { timeout: 60_000 });
    // before: the page was captured as live-0002.jpg, to be left out as not a smear (too few cells)
    expect((await live(page)).captured).toEqual(['live-0001.jpg']);
    await stopAndSettle(app);
    expect((await app.images()).map((i) => [i.name, i.inTotals])).toEqual([['live-0001.jpg', true]]);
  });
});

test.describe('a second run over the same slide', () => {
  // the same two fields, in a video of its own
  const steps = TWO_FIELDS;
  test.beforeAll(async () => {
    await buildFakeCamera('again', testingImages(2), steps);
  });

  test('Stop then Live, or a reload then Live, captures no field already in the batch; Back closes the view, a lost camera says so, a hidden app pauses', async ({ cameraPage }) => {
    test.setTimeout(420_000);
    const page = await cameraPage('again');
    const app = new AppPage(page);
    await startLive(app);
    // the whole script, and into the loop's first field again (A seen a quarter off, then A)
    await page.waitForFunction(() => window.__smearcount.live().repeats >= 2, null, { timeout: 60_000 });
    expect((await live(page)).captured).toEqual(['live-0001.jpg', 'live-0002.jpg']);
    await expect(page.getByTestId('live-fields')).toHaveText('2');
    await expect(page.getByTestId('live-run-fields')).toHaveCount(0);
    await stopAndSettle(app);
    // Live again: the fields are known, so they are seen, never captured
    await page.getByTestId('live-start').click();
    await page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
    // each of the script's three still views seen (A, B, A a quarter off; a fixed script and 2 s before)
    await page.waitForFunction(() => window.__smearcount.live().repeats >= 3, null, { timeout: 60_000 });
    let seen = await live(page);
    expect(seen.captured).toEqual([]);
    expect(seen.repeats).toBeGreaterThanOrEqual(2);
    // the bar counts the batch's live fields, as it counts the batch's WBCs, and says how many are this run's
    await expect(page.getByTestId('live-fields')).toHaveText('2');
    await expect(page.getByTestId('live-run-fields')).toContainText('0 this run');
    // a phone's Back closes the live view and stays in the app
    await page.goBack();
    await expect(page.getByTestId('live-view')).toHaveCount(0);
    await expect(page.getByTestId('thumb')).toHaveCount(2);
    // after a reload the fields are read again from the saved batch
    await page.reload();
    await app.waitReady(300_000);
    await expect(page.getByTestId('thumb')).toHaveCount(2);
    await page.getByTestId('live-start').click();
    await page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
    await page.waitForFunction(() => window.__smearcount.live().repeats >= 3, null, { timeout: 60_000 });
    seen = await live(page);
    expect(seen.captured).toEqual([]);
    expect(seen.repeats).toBeGreaterThanOrEqual(2);
    // the camera ends on its own (unplugged): the view says so instead of freezing on the last boxes
    await page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="live-view"] video')!;
      for (const t of (v.srcObject as MediaStream).getVideoTracks()) t.dispatchEvent(new Event('ended'));
    });
    await expect(page.getByTestId('live-error')).toContainText('The camera stopped');
    await page.getByTestId('live-stop').click();
    // the app hidden (another app, the screen locked) pauses live mode, and it goes on on coming back ("the phone
    // locked while Capturing…", below)
    await page.getByTestId('live-start').click();
    await page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
    await setVisibility(page, 'hidden');
    await page.waitForFunction(() => window.__smearcount.live().phase === 'paused', null, { timeout: 10_000 });
    await setVisibility(page, 'visible');
    await page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
    await expect(page.getByTestId('live-view')).toBeVisible();
    await expect(page.getByTestId('thumb')).toHaveCount(2);
  });
});

test.describe('one field held the whole time', () => {
  // the phone stays at the eyepiece, and nobody moves the slide
  test.beforeAll(async () => {
    await buildFakeCamera('restart', testingImages(1), [{ hold: 12, field: 0 }]);
  });

  test("a captured field removed after Stop: Ctrl+Z brings it back; removed, then Live again over the same field says so and captures nothing until Capture again, under a new name, not the removed one's the audit trail names", async ({ cameraPage }) => {
    test.setTimeout(300_000);
    const page = await cameraPage('restart', { viewport: { width: 1280, height: 800 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 60_000 });
    await stopAndSettle(app);
    expect((await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg']);
    const counts = await app.counts('total');
    // the technician takes the capture out (the confirm answered yes), and thinks better of it: Ctrl+Z
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('remove-image').click();
    await expect.poll(async () => (await app.images()).length).toBe(0);
    // before: "Nothing to undo."
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg']);
    expect(await app.counts('total')).toEqual(counts);
    // out again, for good this time
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('remove-image').click();
    await expect.poll(async () => (await app.images()).length).toBe(0);
    await page.getByTestId('live-start').click();
    // the slide has not moved: the removed field is said so, and not captured (before: captured again at once)
    await page.waitForFunction(() => window.__smearcount.live().state === 'removed', null, { timeout: 60_000 });
    await expect(page.getByTestId('live-status')).toHaveText('You removed this field: move to a new field');
    // the first run captured a field: the how-to has done its job, and is not shown again (the help control has it)
    await expect(page.getByTestId('live-howto')).toHaveCount(0);
    await page.waitForTimeout(3000);
    expect(await live(page)).toMatchObject({ state: 'removed', captured: [] });
    // ... until the technician asks for it
    await page.getByTestId('live-again').click();
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 60_000 });
    await expect(page.getByTestId('live-again')).toHaveCount(0);
    await stopAndSettle(app);
    // live-0001.jpg again had been a counted image under the name the audit trail says was removed
    expect((await app.images()).map((i) => i.name)).toEqual(['live-0002.jpg']);
    const audit = await page.evaluate(() => window.__smearcount.audit());
    expect(audit.filter((a) => a.field === 'image').map((a) => [a.action, a.image])).toEqual([
      ['remove-image', 'live-0001.jpg'],
      ['undo', 'live-0001.jpg'],
      ['remove-image', 'live-0001.jpg'],
    ]);
  });

  // Left by the live audit (2026-12-07): after a reload the removed field's picture is gone with the batch's commit,
  // and the new run, knowing only the fields in the batch, captured it again as a new image. Its signature is now
  // kept on the device (services/live fieldSignatures), and Clear session forgets it with the batch.
  test('a field removed by hand stays removed over a reload: Live with the slide unmoved says so and captures nothing, and Ctrl+Z brings it back; after Clear session it is a new field', async ({ cameraPage }) => {
    test.setTimeout(300_000);
    const page = await cameraPage('restart', { viewport: { width: 1280, height: 800 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 60_000 });
    await stopAndSettle(app);
    const counts = await app.counts('total');
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('remove-image').click();
    await expect.poll(async () => (await app.images()).length).toBe(0);
    await page.reload();
    await app.waitReady(300_000);
    expect(await app.images()).toEqual([]);
    await page.getByTestId('live-start').click();
    await page.waitForFunction(() => window.__smearcount.live().state === 'removed', null, { timeout: 60_000 });
    await expect(page.getByTestId('live-status')).toHaveText('You removed this field: move to a new field');
    await page.waitForTimeout(3000);
    expect(await live(page)).toMatchObject({ state: 'removed', captured: [] });
    await stopAndSettle(app);
    expect(await app.images()).toEqual([]);
    // the removal made before the reload is still a step of the history: Ctrl+Z puts the field back, counted, under
    // its name (before: nothing to undo, and the app's only copy of the field was gone)
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await app.images()).map((i) => [i.name, i.status])).toEqual([['live-0001.jpg', 'done']]);
    await expect(page.getByTestId('thumb')).toHaveCount(1);
    expect(await app.counts('total')).toEqual(counts);
    // the next sample (Clear session asks for a batch: one picture dropped): nothing of the last one's fields is
    // kept, and the same place is a field like any other
    await app.drop(testingImages(1));
    await app.waitReady();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('clear-session').click();
    await app.waitReady();
    expect(await page.evaluate(() => new Promise<number>((done) => {
      const req = indexedDB.open('smearcount-live', 1);
      req.onsuccess = () => {
        const r = req.result.transaction('signatures').objectStore('signatures').count();
        r.onsuccess = () => done(r.result);
      };
    }))).toBe(0);
    await page.getByTestId('live-start').click();
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 60_000 });
    await stopAndSettle(app);
    expect((await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg']);
  });

  test('Stop, then Live at once, while a field is being captured: the field still being saved is known to the new run, and is not captured twice', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('restart', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    // the moment the view says "Capturing…", Stop, and Live again on the next frame (before, the new run knew
    // only the fields already in the batch, and this one was not yet: it was captured again, its cells twice)
    await page.evaluate(
      () =>
        new Promise<void>((done) => {
          const tap = (id: string) => (document.querySelector(`[data-testid="${id}"]`) as HTMLElement).click();
          const wait = () => {
            if (window.__smearcount.live().state !== 'capture') return void requestAnimationFrame(wait);
            tap('live-stop');
            requestAnimationFrame(() => {
              tap('live-start');
              done();
            });
          };
          wait();
        }),
    );
    await page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
    // the same still view, judged for well over the second a capture waits for
    await page.waitForFunction(() => window.__smearcount.live().state === 'seen', null, { timeout: 30_000 });
    await page.waitForTimeout(3000);
    const seen = await live(page);
    expect(seen.captured).toEqual([]);
    await stopAndSettle(app);
    expect((await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg']);
  });

  test('a still field, once captured and its boxes shown, is not detected again frame after frame (battery)', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('restart', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1 && window.__smearcount.live().boxes > 0, null, { timeout: 60_000 });
    await page.waitForTimeout(1000);
    const before = await live(page);
    // four seconds of the same still view: before, the detector ran on it without a pause (about 10 previews a
    // second here; on a phone, a core busy for the whole differential), each giving the same boxes
    await page.waitForTimeout(4000);
    const after = await live(page);
    expect(after.state).toBe('captured');
    expect(after.frames - before.frames).toBeGreaterThan(20); // the view is still judged: a move is seen at once
    expect(after.previews - before.previews).toBeLessThanOrEqual(1);
    expect(after.boxes).toBe(before.boxes);
    // (the saved field's own count once the batch has it)
    await expect(page.getByTestId('live-field-count')).toHaveText(/^(this field|live-0001\.jpg): \d+ RBC, 1 WBC, \d+ PLT$/);
  });

  test('every box stands out from the smear around it (contrast 3:1 or more, for a phone in bright light)', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('restart', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().boxes > 5, null, { timeout: 60_000 });
    // each box against the frame's own pixels in a band just outside it: the box's edge is its coloured stroke, or
    // the dark outline drawn under it. Before, the boxes were the class colour alone, and on this CBC field the least
    // read 1.06:1 (the platelets' yellow), 1.48:1 (the RBCs' red) and 1.40:1 (the WBCs' blue)
    const worst = await page.evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>('[data-testid="live-view"] video')!;
      const c = document.createElement('canvas');
      c.width = v.videoWidth;
      c.height = v.videoHeight;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(v, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      const lin = (x: number) => ((x /= 255) <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
      const lum = ([r, g, b]: number[]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      const ratio = (a: number[], b: number[]) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
      const parse = (s: string | null) => {
        let hex = (s ?? '').replace('#', '');
        if (hex.length === 3) hex = hex.replace(/./g, '$&$&');
        return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
      };
      const over = (top: number[], alpha: number, under: number[]) => top.map((t, i) => t * alpha + under[i] * (1 - alpha));
      // cls: the box's colour; alone: its contrast without the outline
      const out: { cls: string; alone: number; ratio: number }[] = [];
      for (const r of Array.from(document.querySelectorAll<SVGRectElement>('[data-testid="live-boxes"] rect:not([data-halo])'))) {
        if (r.hasAttribute('stroke-dasharray')) continue; // left out by the count rule: drawn faint on purpose
        const x = Number(r.getAttribute('x'));
        const y = Number(r.getAttribute('y'));
        const w = Number(r.getAttribute('width'));
        const h = Number(r.getAttribute('height'));
        // the smear in a band 3 to 6 px outside the box
        const sum = [0, 0, 0];
        let n = 0;
        for (let yy = Math.round(y - 6); yy <= y + h + 6; yy++)
          for (let xx = Math.round(x - 6); xx <= x + w + 6; xx++) {
            if (xx < 0 || yy < 0 || xx >= c.width || yy >= c.height) continue;
            const inside = xx > x - 3 && xx < x + w + 3 && yy > y - 3 && yy < y + h + 3;
            if (inside) continue;
            const i = (yy * c.width + xx) * 4;
            sum[0] += px[i];
            sum[1] += px[i + 1];
            sum[2] += px[i + 2];
            n++;
          }
        if (!n) continue;
        const bg = sum.map((s) => s / n);
        const colour = parse(r.getAttribute('stroke'));
        const halo = r.previousElementSibling?.hasAttribute('data-halo') ? r.previousElementSibling : null;
        const outline = halo ? over(parse(halo.getAttribute('stroke')), Number(halo.getAttribute('stroke-opacity') ?? 1), bg) : null;
        out.push({ cls: r.getAttribute('stroke') ?? '', alone: ratio(colour, bg), ratio: Math.max(ratio(colour, bg), outline ? ratio(outline, bg) : 0) });
      }
      return out;
    });
    const alone = new Map<string, number>();
    for (const b of worst) alone.set(b.cls, Math.min(alone.get(b.cls) ?? Infinity, b.alone));
    console.log(`live box contrast, the colour alone, least: ${[...alone].map(([c, r]) => `${c} ${r.toFixed(2)}`).join(', ')}`);
    expect(worst.length).toBeGreaterThan(5);
    const least = worst.reduce((a, b) => (b.ratio < a.ratio ? b : a));
    expect(least.ratio, `${least.cls} box`).toBeGreaterThanOrEqual(3);
  });

  test('the camera muted for a while (another app takes it): the view says there is no picture, judges nothing, and goes on once it is back', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('restart', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    // a call on an iPhone takes the camera: the track is muted, not ended (before: the last frame, its boxes and
    // "Hold still…" stood frozen on the screen). Muted while the field is still settling, before its capture
    const mute = (type: 'mute' | 'unmute') =>
      page.evaluate(
        (type) =>
          new Promise<void>((done) => {
            const wait = () => {
              if (type === 'mute' && window.__smearcount.live().frames < 3) return void requestAnimationFrame(wait);
              const v = document.querySelector<HTMLVideoElement>('[data-testid="live-view"] video')!;
              for (const t of (v.srcObject as MediaStream).getVideoTracks()) t.dispatchEvent(new Event(type));
              done();
            };
            wait();
          }),
        type,
      );
    await mute('mute');
    expect((await live(page)).captured).toEqual([]);
    await expect(page.getByTestId('live-status')).toHaveText(/^The camera gives no picture: another app may be using it/);
    await expect(page.getByTestId('live-field-count')).toHaveCount(0);
    const muted = await live(page);
    await page.waitForTimeout(2000);
    const later = await live(page);
    expect(later.boxes).toBe(0);
    expect(later.frames).toBe(muted.frames);
    expect(later.captured).toEqual([]);
    await mute('unmute');
    // the picture back: judged afresh (a still period of its own), and the field captured
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 30_000 });
    await expect(page.getByTestId('live-status')).not.toHaveText(/no picture/);
    await stopAndSettle(app);
    expect((await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg']);
  });

  test('the phone locked while "Capturing…": the camera and the detector pause, the field being saved is kept, and live mode goes on once the phone is unlocked, the field known', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('restart', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    // hidden the moment the view says "Capturing…"; the camera's tracks kept, to see whether they are let go
    await page.evaluate(
      () =>
        new Promise<void>((done) => {
          const wait = () => {
            if (window.__smearcount.live().state !== 'capture') return void requestAnimationFrame(wait);
            const v = document.querySelector<HTMLVideoElement>('[data-testid="live-view"] video')!;
            (window as unknown as { tracks: MediaStreamTrack[] }).tracks = (v.srcObject as MediaStream).getTracks();
            Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
            document.dispatchEvent(new Event('visibilitychange'));
            done();
          };
          wait();
        }),
    );
    // paused: the camera let go (battery; another app may want it), nothing judged or detected, the view kept.
    // Before, live mode ended, and the technician had to find Live again with the phone at the eyepiece
    await page.waitForFunction(() => window.__smearcount.live().phase === 'paused', null, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { tracks: MediaStreamTrack[] }).tracks.every((t) => t.readyState === 'ended'))).toBe(true);
    await page.waitForTimeout(300);
    const paused = await live(page);
    await page.waitForFunction(() => window.__smearcount.live().pending === 0, null, { timeout: 30_000 });
    await page.waitForTimeout(2000);
    const hidden = await live(page);
    expect(hidden.frames).toBe(paused.frames);
    expect(hidden.previews).toBe(paused.previews);
    // the field being saved when the phone locked is kept, and is this run's
    expect(hidden.captured).toEqual(['live-0001.jpg']);
    await expect(page.getByTestId('live-view')).toBeVisible();
    await expect(page.getByTestId('notice-camera')).toHaveCount(0);
    // the camera off: no field's figures (they read "this field: 0 RBC, 0 WBC, 0 PLT" under "Paused…")
    await expect(page.getByTestId('live-status')).toHaveText(/^Paused while the app is hidden/);
    await expect(page.getByTestId('live-field-count')).toHaveCount(0);
    // unlocked: the camera comes back by itself, and the same field is known, not captured again
    await setVisibility(page, 'visible');
    await page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
    await page.waitForFunction(() => window.__smearcount.live().state === 'seen', null, { timeout: 30_000 });
    await page.waitForTimeout(2000);
    const after = await live(page);
    expect(after.frames).toBeGreaterThan(hidden.frames + 10);
    expect(after.captured).toEqual(['live-0001.jpg']);
    await expect(page.getByTestId('live-fields')).toHaveText('1');
    await stopAndSettle(app);
    expect((await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg']);
  });
});

test.describe('one field held still, the phone or its camera failing', () => {
  test.beforeAll(async () => {
    await buildFakeCamera('restart', testingImages(1), [{ hold: 12, field: 0 }]);
  });

  test('a camera that will not open again on coming back says the fields captured are in the batch', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('restart', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 60_000 });
    await setVisibility(page, 'hidden');
    await page.waitForFunction(() => window.__smearcount.live().phase === 'paused', null, { timeout: 10_000 });
    // meanwhile another app (a video call) has taken the camera: the browser cannot start it for this page
    await page.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(Object.assign(new Error('Could not start video source'), { name: 'NotReadableError' }));
    });
    await setVisibility(page, 'visible');
    // before, only "The camera could not start…", over the run's captured field
    await expect(page.getByTestId('live-error')).toHaveText(
      'The camera could not start: Could not start video source. Close other apps that use the camera, then press Live again. The 1 field captured is in the batch.',
    );
    await page.getByTestId('live-stop').click();
    await app.waitReady(300_000);
    expect((await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg']);
  });

  test('a captured field whose picture could not be saved is not said to be captured, and is captured again', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('restart', { viewport: { width: 390, height: 844 } });
    // a phone short of memory: the first frame-sized picture encoded comes back as nothing (toBlob's null)
    await page.addInitScript(() => {
      const toBlob = HTMLCanvasElement.prototype.toBlob;
      let failed = false;
      HTMLCanvasElement.prototype.toBlob = function (cb: BlobCallback, ...rest: unknown[]) {
        if (!failed && this.width === 640) {
          failed = true;
          (window as unknown as { lost: number }).lost = performance.now();
          return void setTimeout(() => cb(null));
        }
        return toBlob.call(this, cb, ...(rest as [string?, number?]));
      };
    });
    const app = new AppPage(page);
    await startLive(app);
    // from the failure on, the view never says "Captured" over a field that is not in the batch, until it is
    const said = await page.evaluate(
      () =>
        new Promise<string[]>((done) => {
          const seen: string[] = [];
          const watch = () => {
            const l = window.__smearcount.live();
            if ((window as unknown as { lost?: number }).lost !== undefined) seen.push(`${l.captured.length}:${l.state}`);
            if (l.captured.length === 1 || seen.length > 3000) return done(seen);
            requestAnimationFrame(watch);
          };
          watch();
        }),
    );
    // before, the judge kept the lost field: "Captured: move to the next field" for good, and no image
    expect(said.filter((s) => s === '0:captured')).toEqual([]);
    await expect(page.getByTestId('notice-camera')).toContainText('could not be saved');
    expect((await live(page)).captured).toEqual(['live-0001.jpg']);
    await stopAndSettle(app);
    expect((await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg']);
  });
});

test.describe('a reload at the worst moment (GUIDE 13)', () => {
  // one field held still, then the lamp off; and the soft-then-sharp field of the fine focus
  test.beforeAll(async () => {
    await buildFakeCamera('reload', testingImages(1), [{ hold: 3, field: 0 }, { dark: 4 }]);
    await buildFakeCamera('focus-reload', testingImages(1), [{ hold: 3.5, field: 0, blur: 2 }, { hold: 4, field: 0 }, { dark: 2 }]);
  });

  /** Reloads the page the moment `shown` holds in it (checked at every frame), and returns after the reload. */
  async function reloadWhen(page: Page, shown: () => boolean) {
    await page.waitForFunction(shown, null, { timeout: 60_000, polling: 'raf' });
    await page.reload();
  }

  test('a field the view has shown as captured is in the batch after a reload at that moment', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('reload');
    const app = new AppPage(page);
    await startLive(app);
    // the status line and the run's list say "captured" together; the page goes at once
    await reloadWhen(page, () => window.__smearcount.live().captured.length > 0 || window.__smearcount.live().state === 'captured');
    await app.waitReady(300_000);
    await expect(page.getByTestId('thumb')).toHaveCount(1);
    const images = await app.images();
    expect(images.map((i) => [i.name, i.status])).toEqual([['live-0001.jpg', 'done']]);
  });

  test('a sharper view that replaced a capture is in the batch, in its place, after a reload at that moment', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('focus-reload');
    const app = new AppPage(page);
    await startLive(app);
    await reloadWhen(page, () => window.__smearcount.live().sharpened > 0);
    await app.waitReady(300_000);
    await expect(page.getByTestId('thumb')).toHaveCount(1);
    const [im] = await page.evaluate(() => window.__smearcount.images());
    expect(im.name).toBe('live-0001.jpg');
    // the sharp view, not the soft one it replaced
    expect(im.quality!.pixels.sharpness).toBeGreaterThan(0.7);
  });
});

test.describe('a speck on the optics', () => {
  // BloodImage_00347 holds no platelet, and the BCCD camera's grey speck, which the detector scores as one
  test.beforeAll(async () => {
    // moved 10% (64 px) and back each loop: a still view already captured is detected only until its boxes are known (battery),
    // and the test reads 8 previews
    await buildFakeCamera('speck-moved', testingImages().filter((f) => f.endsWith('BloodImage_00347.jpg')), [{ hold: 6, field: 0 }, { hold: 1, field: 0, shift: 0.1 }]);
  });

  test("is no platelet in the field's running count, nor in the captured field", async ({ cameraPage }) => {
    test.setTimeout(180_000);
    const page = await cameraPage('speck-moved');
    const app = new AppPage(page);
    await startLive(app);
    const plt: number[] = [];
    const rbc: number[] = [];
    for (let k = 0; k < 8; k++) {
      await page.waitForFunction((n) => window.__smearcount.live().previews > n, (await live(page)).previews, { timeout: 30_000 });
      const said = (await page.getByTestId('live-count').textContent()) ?? '';
      // the running count, or once the batch has counted the captured field and the view is still on it, that field's
      // saved count under its name (1758e31): both must hold no platelet
      const m = /(?:this field|last field|live-\d+\.jpg): (\d+) RBC, \d+ WBC, (\d+) PLT/.exec(said);
      expect(m, said).not.toBeNull();
      rbc.push(Number(m![1]));
      plt.push(Number(m![2]));
    }
    expect(Math.min(...rbc)).toBeGreaterThan(10); // the field is read
    expect(plt).toEqual(plt.map(() => 0));
    await page.waitForFunction(() => window.__smearcount.live().captured.length >= 1, null, { timeout: 60_000 });
    await stopAndSettle(app);
    expect(truthCounts(testingImages().find((f) => f.endsWith('BloodImage_00347.jpg'))!).Platelets).toBe(0);
    await app.selectImage(0);
    expect((await app.counts()).Platelets).toBe(0);
  });
});

test.describe('the lamp off between two fields', () => {
  const steps: Step[] = [{ hold: 3, field: 0 }, { dark: 2 }, { hold: 3, field: 1 }, { dark: 1 }];
  test.beforeAll(async () => {
    await buildFakeCamera('lamp-off-between', testingImages(2), steps);
  });

  test("the view never reads zero cells for a field it has not counted (the boxes the dark cleared are no field's count)", async ({ cameraPage }) => {
    test.setTimeout(180_000);
    const page = await cameraPage('lamp-off-between', { viewport: { width: 390, height: 844 }, touch: true });
    await recordTexts(page, 'live-field-count');
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().captured.length === 2, null, { timeout: 90_000 });
    // and round the loop: the dark, then the first field again
    await page.waitForTimeout(4000);
    const figures = await recorded(page, 'live-field-count');
    expect(figures.some((f) => /^(this field|live-0001\.jpg): [1-9]/.test(f))).toBe(true);
    // before: "last field: 0 RBC, 0 WBC, 0 PLT" as each field came back out of the dark, until its first preview
    // (a CBC field has never fewer than a dozen red cells)
    expect(figures.filter((f) => / 0 RBC, 0 WBC, 0 PLT$/.test(f))).toEqual([]);
  });
});

test.describe('dark frames', () => {
  // the lamp off: black frames, then a field at 8% of its light
  const steps: Step[] = [{ dark: 4 }, { hold: 4, field: 0, gain: 0.08 }];
  test.beforeAll(async () => {
    await buildFakeCamera('dark', testingImages(1), steps);
  });

  test('are never captured, and the view says why', async ({ cameraPage }) => {
    test.setTimeout(180_000);
    const page = await cameraPage('dark');
    // a browser without a screen wake lock: the view says the phone's screen timeout will end live mode
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'wakeLock', { value: undefined }));
    const app = new AppPage(page);
    await startLive(app);
    await expect(page.getByTestId('live-awake')).toContainText('This browser cannot keep the screen on');
    await page.waitForFunction(() => window.__smearcount.live().frames > 20, null, { timeout: 60_000 });
    await expect(page.getByTestId('live-status')).toContainText('Too dark');
    // no field's figures over the dark: the detector rests there, and they read "this field: counting…" for as
    // long as the lamp was off (or the last field's, at 0)
    await expect(page.getByTestId('live-field-count')).toHaveCount(0);
    // nothing captured yet: the view says how live mode works
    await expect(page.getByTestId('live-howto')).toContainText('each still, sharp field is captured once, automatically');
    // past the black frames and the dim field, into the loop
    await page.waitForTimeout(9000);
    const seen = await live(page);
    expect(seen.state).toBe('dark');
    // the detector rests in the dark (battery: a phone laid down between slides, the lamp off): before, it ran
    // about 8 previews a second here on black frames, for as long as the view stayed dark. Every frame is still
    // judged, so the lamp coming on is seen at once.
    let dark = { frames: 0, previews: 0, ms: 0 };
    let prev = seen;
    for (let t = 0; t < 6000; t += 200) {
      await page.waitForTimeout(200);
      const now = await live(page);
      if (prev.state === 'dark' && now.state === 'dark') dark = { frames: dark.frames + now.frames - prev.frames, previews: dark.previews + now.previews - prev.previews, ms: dark.ms + 200 };
      prev = now;
    }
    expect(dark.ms).toBeGreaterThanOrEqual(3000);
    // the rule goes on judging in the dark: at least half the camera's 10 frames a second (the bar had been every one
    // of them and more, ms / 100, met or missed by a frame with the machine's load: 52 of 5.2 s failed it)
    expect(dark.frames).toBeGreaterThan(dark.ms / 200);
    expect(dark.previews).toBeLessThanOrEqual(1);
    expect(prev.boxes).toBe(0);
    expect(seen.captured).toEqual([]);
    await stopAndSettle(app);
    await expect(page.getByTestId('thumb')).toHaveCount(0);
  });

  test('the how-to, once dismissed (Got it), stays dismissed at the next Live and after a reload; the help control (?) shows it again', async ({ cameraPage }) => {
    test.setTimeout(180_000);
    // (nothing is captured in the dark, so the how-to stays until it is dismissed)
    const page = await cameraPage('dark', { viewport: { width: 390, height: 844 }, touch: true });
    const app = new AppPage(page);
    const howto = page.getByTestId('live-howto');
    const running = () => page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
    await startLive(app);
    await expect(howto).toBeVisible();
    await page.getByTestId('live-howto-ok').tap();
    await expect(howto).toHaveCount(0);
    await page.getByTestId('live-stop').tap();
    await expect(page.getByTestId('live-view')).toHaveCount(0);
    // before: shown again at each Live (it went only once a field was captured), with nothing to dismiss it
    await page.getByTestId('live-start').tap();
    await running();
    await expect(page.getByTestId('live-status')).toContainText('Too dark');
    await expect(howto).toHaveCount(0);
    // the help control shows it again, and hides it; it sits beside Stop, at the bar's end (Stop had wrapped alone to
    // the left of a row of its own under it)
    const help = page.getByTestId('live-help');
    await expect(help).toHaveAccessibleName('How live mode works');
    const [h, stop] = [(await help.boundingBox())!, (await page.getByTestId('live-stop').boundingBox())!];
    expect(Math.abs(h.y + h.height / 2 - (stop.y + stop.height / 2))).toBeLessThan(2);
    expect(h.x).toBeLessThan(stop.x);
    expect(stop.x + stop.width).toBeGreaterThan(390 - 30);
    await help.tap();
    await expect(howto).toContainText('each still, sharp field is captured once, automatically');
    await expect(help).toHaveAttribute('aria-expanded', 'true');
    await help.tap();
    await expect(howto).toHaveCount(0);
    await page.getByTestId('live-stop').tap();
    await page.reload();
    await app.waitReady();
    await page.getByTestId('live-start').tap();
    await running();
    await expect(page.getByTestId('live-status')).toContainText('Too dark');
    await expect(howto).toHaveCount(0);
    await expect(help).toBeVisible();
  });
});

test.describe('a hand-held phone', () => {
  // no clamp: each frame the view jumps up to 6 px each way (about 1% of the frame), on two fields and back to the first.
  // The first field is held 6 s: the models warm up on it (the loop's first field takes 2.5 s from still to
  // captured, the others 1.2 s), and with 4 s the fresh-clone CI of 2026-12-07 saw its capture end after the view
  // had moved on, so "Captured" was never said for it (the count came in the next sentence, "Moving … 1 live field")
  const steps: Step[] = [{ hold: 6, field: 0, shake: 6 }, { pan: 1, from: 0, to: 1 }, { hold: 4, field: 1, shake: 6 }, { pan: 1, from: 1, to: 0 }, { hold: 4, field: 0, shake: 6 }, { dark: 2 }];
  test.beforeAll(async () => {
    await buildFakeCamera('shake', testingImages(2), steps);
  });

  test('a screen reader is told what changes, not every frame: the live regions change a few times a field', async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('shake', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    // every new text of a live region of the view (what a screen reader queues up to read), with its time
    await page.evaluate(() => {
      const w = window as unknown as { said: { t: number; text: string }[] };
      w.said = [];
      const view = document.querySelector('[data-testid="live-view"]')!;
      const last = new Map<Element, string>();
      const regions = () => Array.from(view.querySelectorAll('[role="status"], [role="alert"], [aria-live]:not([aria-live="off"])'));
      new MutationObserver(() => {
        for (const r of regions()) {
          const text = r.textContent ?? '';
          if (last.get(r) !== text) {
            last.set(r, text);
            if (text) w.said.push({ t: performance.now(), text });
          }
        }
      }).observe(view, { subtree: true, childList: true, characterData: true });
    });
    // one pass of the script: two fields, held 4 s each with the hand's tremor, and back to the first
    await page.waitForTimeout(scriptSeconds(steps) * 1000);
    const said = await page.evaluate(() => (window as unknown as { said: { t: number; text: string }[] }).said);
    const seen = await live(page);
    console.log(`live regions: ${said.length} texts in ${scriptSeconds(steps)} s over ${seen.captured.length} fields: ${said.map((x) => x.text).join(' | ')}`);
    expect(seen.captured).toEqual(['live-0001.jpg', 'live-0002.jpg']);
    // before: 20 sentences in the 16 s, six a field ("Moving", "Hold still…", "Capturing…", the figures, "Captured",
    // the figures again), some 10 ms apart. Now what the view stays in, once it holds: each capture with its figures
    expect(said.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < said.length; i++) expect(said[i].t - said[i - 1].t, `${said[i - 1].text} -> ${said[i].text}`).toBeGreaterThanOrEqual(900);
    // each capture is said with its figures: once, or once more when its WBC's type comes in while the view holds
    // ("Captured … 1 of 100 WBC, 2 live fields", then "2 of 100"); a text holds 1 s before it is said (SAY_AFTER_MS),
    // so "Capturing…" is said only where a save outlasts that (under load, the first field's did), once a field at most
    for (const n of ['1 live field', '2 live fields']) {
      const captured = said.filter((x) => x.text.startsWith('Captured: move to the next field') && new RegExp(`\\b${n}\\b`).test(x.text));
      expect(captured.length, n).toBeGreaterThanOrEqual(1);
      expect(captured.length, n).toBeLessThanOrEqual(2);
    }
    expect(said.filter((x) => x.text.includes('Capturing…')).length).toBeLessThanOrEqual(seen.captured.length);
  });

  test("the hand's tremor is no movement: each field is captured, once", async ({ cameraPage }) => {
    test.setTimeout(240_000);
    const page = await cameraPage('shake', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().captured.length >= 2, null, { timeout: 60_000 });
    // the first field again, shaking as before: seen, not captured
    await page.waitForFunction(() => window.__smearcount.live().repeats >= 1, null, { timeout: 60_000 });
    const seen = await live(page);
    expect(seen.captured).toEqual(['live-0001.jpg', 'live-0002.jpg']);
    await stopAndSettle(app);
    await expect(page.getByTestId('thumb')).toHaveCount(2);
  });
});

test.describe('a lamp turned up too far', () => {
  // a field at 2.5 times its light: the background and most cells clip at white (before 2026-12-06 the fake
  // camera wrapped such a channel round to a dark, grainy view, which was captured, so this was never tried)
  const steps: Step[] = [{ hold: 6, field: 0, gain: 2.5 }];
  test.beforeAll(async () => {
    await buildFakeCamera('bright', testingImages(1), steps);
  });

  test('is never captured, and the view says why', async ({ cameraPage }) => {
    test.setTimeout(180_000);
    const page = await cameraPage('bright', { viewport: { width: 390, height: 844 } });
    const app = new AppPage(page);
    await startLive(app);
    await page.waitForFunction(() => window.__smearcount.live().frames > 40, null, { timeout: 60_000 });
    await expect(page.getByTestId('live-status')).toHaveText('Too bright: turn the lamp down or shorten the exposure');
    const seen = await live(page);
    expect(seen.state).toBe('bright');
    expect(seen.captured).toEqual([]);
    await stopAndSettle(app);
    await expect(page.getByTestId('thumb')).toHaveCount(0);
  });
});

test.describe('the differential target', () => {
  test.beforeAll(async () => {
    await buildFakeCamera('tour8', testingImages(FIELDS), tour);
  });

  test('stops capturing at the target and says so; Stop and verify opens the gallery; Back closes the gallery and the report', async ({ cameraPage }) => {
    test.setTimeout(300_000);
    const page = await cameraPage('tour8');
    const app = new AppPage(page);
    await app.open('?backend=wasm&liveTarget=2');
    await app.waitReady();
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-count')).toContainText('/ 2 WBC');
    await page.waitForFunction(() => window.__smearcount.live().reached, null, { timeout: 120_000, polling: 100 });
    const atTarget = await live(page);
    await expect(page.getByTestId('live-status')).toContainText('Target reached');
    // two more fields' worth of video: nothing more is captured
    await page.waitForTimeout(8000);
    const after = await live(page);
    expect(after.captured).toEqual(atTarget.captured);
    // nothing more to capture, so nothing more to detect (battery): the previews stopped with the capturing,
    // and the last field's boxes and figures left the view (before, the detector ran on until Stop)
    expect(after.previews - atTarget.previews).toBeLessThanOrEqual(1);
    expect(after.boxes).toBe(0);
    await expect(page.getByTestId('live-field-count')).toHaveCount(0);
    expect(after.captured.length).toBeLessThan(FIELDS);
    expect(after.wbc).toBeGreaterThanOrEqual(2);
    // what comes next is one tap: live mode ends and the gallery opens on the cells (before: Stop, then More, then Gallery)
    await page.getByTestId('live-gallery').click();
    await expect(page.getByTestId('live-view')).toHaveCount(0);
    await expect(page.getByTestId('gallery')).toBeVisible();
    await page.waitForFunction(() => window.__smearcount.live().pending === 0, null, { timeout: 30_000 });
    await app.waitReady(300_000);
    await expect(page.getByTestId('thumb')).toHaveCount(after.captured.length);
    await expect(page.getByTestId('wbc-tile').first()).toBeVisible();
    // a phone's Back closes the gallery, as it closes the live view, and stays in the app (before, it left it):
    // the live view's entry, taken off after the gallery had added its own, did not close the gallery
    await page.goBack();
    await expect(page.getByTestId('gallery')).toHaveCount(0);
    await expect(page.getByTestId('thumb')).toHaveCount(after.captured.length);
    expect(new URL(page.url()).pathname).toBe('/');
    // closed by its button, the report takes its entry off: Back then closes the gallery opened after it
    await page.getByTestId('export-report').click();
    await page.getByRole('button', { name: 'Close' }).click();
    await expect(page.getByTestId('report-state')).toHaveCount(0);
    await app.moreTools();
    await page.getByTestId('open-gallery').click();
    await expect(page.getByTestId('gallery')).toBeVisible();
    await page.goBack();
    await expect(page.getByTestId('gallery')).toHaveCount(0);
    // and Back closes the report
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-state')).toBeVisible();
    await page.goBack();
    await expect(page.getByTestId('report-state')).toHaveCount(0);
    await expect(page.getByTestId('thumb')).toHaveCount(after.captured.length);
  });
});

test.describe('permission refused', () => {
  // a name of its own: under 'dark' (another script) the two describes wrote that video over each other, each run
  test.beforeAll(async () => {
    await buildFakeCamera('refused', testingImages(1), [{ dark: 4 }, { hold: 4, field: 0, gain: 0.08 }]);
  });

  test('gives a clear message, and nothing is captured', async ({ cameraPage }) => {
    const page = await cameraPage('refused', { refuse: true });
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-error')).toContainText('camera was not allowed');
    await expect(page.getByTestId('notice-camera')).toBeVisible();
    await page.getByTestId('live-stop').click();
    await expect(page.getByTestId('live-view')).toHaveCount(0);
  });
});

test.describe('eyepiece photos', () => {
  /** CBC Testing fields as a phone sees them through the eyepiece: the same smear in a black ring. */
  async function eyepiecePngs(n: number): Promise<{ files: string[]; r: number }> {
    const { decodeImage } = await import('../scripts/evaluation/decode');
    const { PNG } = await import('pngjs');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const dir = join(tmpdir(), 'smearcount-eyepiece');
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    let r = 0;
    for (const f of testingImages(n)) {
      const img = await decodeImage(f);
      r = EYEPIECE_RADIUS * img.height;
      const png = new PNG({ width: img.width, height: img.height });
      for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
        const i = (y * img.width + x) * 4;
        const out = (x + 0.5 - img.width / 2) ** 2 + (y + 0.5 - img.height / 2) ** 2 > r * r;
        png.data.set(out ? [4, 3, 4, 255] : [img.data[i], img.data[i + 1], img.data[i + 2], 255], i);
      }
      const file = join(dir, `eyepiece-${f.replace(/^.*\//, '').replace(/\.jpe?g$/i, '')}.png`);
      writeFileSync(file, PNG.sync.write(png));
      files.push(file);
    }
    return { files, r };
  }

  test('the black ring is not "not a smear", and cells are counted only inside the field', async ({ page }) => {
    test.setTimeout(300_000);
    const n = 4;
    const { files, r } = await eyepiecePngs(n);
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop([...testingImages(n), ...files]);
    await app.waitReady(240_000);
    const images = await app.images();
    expect(images).toHaveLength(2 * n);
    let plainTotal = 0;
    let eyeTotal = 0;
    for (let k = 0; k < n; k++) {
      const plainImg = images[k];
      const eye = images[n + k];
      expect(eye.flags.filter((f) => f !== 'unfamiliar-colour' && f !== 'wbc-type-unsure')).toEqual([]);
      await app.selectImage(n + k);
      const dets = (await app.current())!.detections;
      const centre = (d: (typeof dets)[number]) => [(d.box.x1 + d.box.x2) / 2, (d.box.y1 + d.box.y2) / 2];
      const inside = ([x, y]: number[]) => (x - 320) ** 2 + (y - 240) ** 2 <= r * r;
      expect(dets.every((d) => inside(centre(d)))).toBe(true);
      // the same field without the ring, counted inside the same disc
      await app.selectImage(k);
      const plainIn = (await app.current())!.detections.filter((d) => d.cls === 'RBC' && inside(centre(d))).length;
      const eyeRbc = dets.filter((d) => d.cls === 'RBC').length;
      console.log(`${plainImg.name}: RBC in the disc ${plainIn} without the ring, ${eyeRbc} with it; flags ${eye.flags.join(',') || 'none'}`);
      // one field of ~14 cells in the disc moves by a cell or two between model builds (the int8 and
      // float detectors): the ring never wipes a field out, and the count holds over the fields
      expect(eyeRbc).toBeGreaterThanOrEqual(0.5 * plainIn);
      plainTotal += plainIn;
      eyeTotal += eyeRbc;
    }
    // Over the fields, within 25% (README, "Live at the eyepiece, quoted from the guide": on ringed validation images the
    // detector's input has the ring filled with the disc's mean colour; RBC 0.906 against 0.936 unringed).
    expect(Math.abs(eyeTotal - plainTotal)).toBeLessThanOrEqual(0.25 * plainTotal);
  });
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('Live is on the first screen, beside Add images, upright and on its side', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    const live = (await page.getByTestId('live-start').boundingBox())!;
    expect(live.y + live.height).toBeLessThan(844 / 3);
    expect(live.height).toBeGreaterThanOrEqual(40);
    // what it does is said on the screen, not in a tooltip a touch screen never shows
    // (once: the hint beside Add images no longer repeats it)
    await expect(page.getByTestId('live-explained')).toBeVisible();
    await expect(page.getByTestId('live-explained')).toContainText('Live counts at the eyepiece: hold a phone or camera to it');
    await expect(page.locator('.drop-hint')).not.toContainText('Live');
    // and on its side (a phone clamped to the eyepiece sideways): before, the empty canvas came first and Add
    // images, Camera and Live sat under the screen's bottom edge
    await page.setViewportSize({ width: 844, height: 390 });
    for (const id of ['live-start', 'choose-files', 'take-photo']) await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
    // under the app's header, not above it
    expect((await page.getByTestId('dropzone').boundingBox())!.y).toBeGreaterThanOrEqual((await page.locator('header').boundingBox())!.y + 20);
  });
});
