/**
 * The phone turned on its side mid-run. A browser turns the camera's frames with the screen: a 640x480 picture becomes
 * 480x640 about the same centre, the slide upright in both. Chromium's fake camera plays a file of one size only, so
 * here the camera is a canvas (captureStream) showing a window of a slide made of four CBC Testing fields, turned on
 * the test's word. And the boxes of the frame before the turn are not drawn across the turned one.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { AppPage } from './app.po';
import { testingImages } from './data';

test('a field captured upright is seen, not captured again, once the phone is on its side, and no box of the upright frame is drawn on it; a new field on its side is captured', async ({ page }) => {
  test.setTimeout(240_000);
  const fields = testingImages(4).map((f) => `data:image/jpeg;base64,${readFileSync(f).toString('base64')}`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.addInitScript((srcs: string[]) => {
    // the slide: the four fields 2x2 (1280x960); the view: a window of it, `at` its centre
    const view = { width: 640, height: 480, at: [640, 480] as [number, number] };
    (window as unknown as { camera: typeof view }).camera = view;
    navigator.mediaDevices.getUserMedia = async () => {
      const images = await Promise.all(
        srcs.map(
          (src) =>
            new Promise<HTMLImageElement>((done) => {
              const im = new Image();
              im.onload = () => done(im);
              im.src = src;
            }),
        ),
      );
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d')!;
      const draw = () => {
        if (canvas.width !== view.width) canvas.width = view.width;
        if (canvas.height !== view.height) canvas.height = view.height;
        const x0 = view.at[0] - view.width / 2;
        const y0 = view.at[1] - view.height / 2;
        images.forEach((im, i) => ctx.drawImage(im, (i % 2) * 640 - x0, Math.floor(i / 2) * 480 - y0));
      };
      draw();
      setInterval(draw, 100);
      return canvas.captureStream(10);
    };
  }, fields);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  await page.getByTestId('live-start').click();
  await page.waitForFunction(() => window.__smearcount.live().captured.length === 1, null, { timeout: 60_000 });
  // every frame drawn from here on: boxes outside the frame they are drawn on (a preview of the frame before the turn)
  await page.evaluate(() => {
    const w = window as unknown as { stray: number; drawn: number };
    w.stray = 0;
    w.drawn = 0;
    const look = () => {
      const svg = document.querySelector('[data-testid="live-boxes"]');
      if (svg) {
        const [, , vw, vh] = (svg.getAttribute('viewBox') ?? '').split(' ').map(Number);
        for (const r of Array.from(svg.querySelectorAll('rect:not([data-halo])'))) {
          const x2 = Number(r.getAttribute('x')) + Number(r.getAttribute('width'));
          const y2 = Number(r.getAttribute('y')) + Number(r.getAttribute('height'));
          w.drawn++;
          if (x2 > vw + 2 || y2 > vh + 2) w.stray++;
        }
      }
      requestAnimationFrame(look);
    };
    look();
  });
  // on its side: the same centre, 480x640
  await page.evaluate(() => Object.assign((window as unknown as { camera: object }).camera, { width: 480, height: 640 }));
  await page.waitForFunction(() => window.__smearcount.live().size?.width === 480, null, { timeout: 10_000 });
  // before: signatures of other shapes never matched, and the same field was captured again, its cells twice
  await page.waitForFunction(() => window.__smearcount.live().state === 'seen' || window.__smearcount.live().captured.length > 1, null, { timeout: 30_000 });
  await page.waitForTimeout(2500);
  expect((await page.evaluate(() => window.__smearcount.live())).captured).toEqual(['live-0001.jpg']);
  // and no box of the frame before the turn was drawn on the turned one (before: 54 and 252 box draws off the
  // frame in two runs, the last preview's boxes and the one in flight)
  const boxes = await page.evaluate(() => {
    const w = window as unknown as { stray: number; drawn: number };
    return { stray: w.stray, drawn: w.drawn };
  });
  expect(boxes.drawn).toBeGreaterThan(0);
  expect(boxes.stray).toBe(0);
  // a new field, still on its side, is captured (the slide moved half a field right and down)
  await page.evaluate(() => Object.assign((window as unknown as { camera: { at: number[] } }).camera, { at: [880, 720] }));
  await page.waitForFunction(() => window.__smearcount.live().captured.length === 2, null, { timeout: 30_000 });
  await page.getByTestId('live-stop').click();
  await page.waitForFunction(() => window.__smearcount.live().pending === 0, null, { timeout: 30_000 });
  await app.waitReady(300_000);
  expect((await app.images()).map((i) => i.name)).toEqual(['live-0001.jpg', 'live-0002.jpg']);
});
