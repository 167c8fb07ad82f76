/**
 * Phone and tablet at the bench: adding images, the image strip, every review action by touch,
 * hints for touch, and the report, at 390x844 and 820x1180 with a touch screen.
 */
import { expect, test, type Page } from '@playwright/test';
import { AppPage, isolated, type HookDetection } from './app.po';
import { testingImages } from './data';

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 820, height: 1180 },
];

const view = (page: Page) => page.evaluate(() => window.__smearcount.view());

/** Where a box's left edge (mid-height) is on the screen. */
async function boxEdge(page: Page, d: HookDetection) {
  const v = await view(page);
  const c = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
  return { x: c.x + v.x + d.box.x1 * v.scale + 1, y: c.y + v.y + ((d.box.y1 + d.box.y2) / 2) * v.scale };
}

for (const vp of VIEWPORTS) {
  test.describe(`${vp.width}x${vp.height}, touch`, () => {
    test.use({ viewport: vp, hasTouch: true, isMobile: true });

    test('Add images is on the first screen, the strip keeps the image in view, every review action has a button', async ({ page }) => {
      const app = new AppPage(page);
      await app.open('?backend=wasm');
      // The way in is a big button on the first screen; the camera is one tap away.
      const add = page.getByTestId('choose-files');
      const b = (await add.boundingBox())!;
      expect(b.y + b.height).toBeLessThan(vp.height / 3);
      expect(b.height).toBeGreaterThanOrEqual(40);
      await expect(page.getByTestId('take-photo')).toBeVisible();
      await expect(page.getByTestId('camera-input')).toHaveAttribute('capture', 'environment');
      await expect(page.getByTestId('dropzone')).not.toContainText('Ctrl+V');
      // The empty canvas, the biggest target on the screen, opens the chooser too.
      const [fromCanvas] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('canvas-empty').tap()]);
      expect(fromCanvas.isMultiple()).toBe(true);
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), add.tap()]);
      expect(chooser.isMultiple()).toBe(true);
      await chooser.setFiles(testingImages(5));
      await app.waitReady();

      // A swipe over the image at its fitted size scrolls the page; zoomed in, it pans the image instead.
      const cdp = await page.context().newCDPSession(page);
      const c0 = (await page.getByTestId('canvas').boundingBox())!;
      const at = { x: c0.x + c0.width / 2, y: Math.min(c0.y + c0.height / 2, vp.height - 150) };
      // One finger moving up 200 px as real touch events (this headless Chromium ignores
      // Input.synthesizeScrollGesture with a touch source: it never scrolls, even a plain page).
      const swipeUp = async (from = at) => {
        const point = (dy: number) => [{ x: from.x, y: from.y + dy, id: 1 }];
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(0) });
        for (let dy = -10; dy >= -200; dy -= 10) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(dy) });
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      };
      const fitted = await view(page);
      await swipeUp();
      await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(100);
      expect((await view(page)).y).toBeCloseTo(fitted.y, 0);
      // back to the top (again while a fling is still moving the page)
      await expect.poll(() => page.evaluate(() => (window.scrollTo(0, 0), window.scrollY))).toBe(0);
      const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', d: number) =>
        cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: at.x - d, y: at.y, id: 1 }, { x: at.x + d, y: at.y, id: 2 }] });
      await touch('touchStart', 20);
      for (const d of [30, 45, 60, 80]) await touch('touchMove', d);
      await touch('touchEnd', 0);
      const zoomed = await view(page);
      expect(zoomed.scale).toBeGreaterThan(fitted.scale * 1.5);
      await expect(page.getByTestId('canvas')).toHaveAttribute('data-page-scrolls', 'false');
      // A finger on the selected box drags that box (the pinch's fingers selected the white cell under
      // them): clear the selection so the finger pans the image.
      await page.keyboard.press('Escape');
      await expect.poll(() => page.evaluate(() => window.__smearcount.selectedId())).toBeNull();
      const scrolled = await page.evaluate(() => window.scrollY);
      await swipeUp();
      await expect.poll(async () => (await view(page)).y).toBeLessThan(zoomed.y - 50);
      expect(await page.evaluate(() => window.scrollY)).toBe(scrolled); // the finger panned; the page stayed
      await page.getByRole('button', { name: 'Fit' }).tap();
      await expect(page.getByTestId('canvas')).toHaveAttribute('data-page-scrolls', 'true');

      // Hints speak of taps, not keys.
      await expect(page.getByTestId('review-hint')).toContainText('Tap a box');
      await expect(page.getByTestId('shortcuts')).toBeHidden();

      // The image list is a strip just under the canvas: tapping the last image keeps both in view.
      const thumbs = page.getByTestId('thumb');
      const ys = await thumbs.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      expect(new Set(ys).size).toBe(1);
      await thumbs.last().tap();
      await expect(thumbs.last()).toHaveAttribute('aria-selected', 'true');
      const strip = (await page.getByTestId('thumbnails').boundingBox())!;
      const last = (await thumbs.last().boundingBox())!;
      expect(last.x).toBeGreaterThanOrEqual(strip.x - 1);
      expect(last.x + last.width).toBeLessThanOrEqual(strip.x + strip.width + 1);
      const canvas = (await page.getByTestId('canvas').boundingBox())!;
      const stripTop = strip.y;
      expect(canvas.y + canvas.height / 2).toBeGreaterThan(0);
      expect(stripTop - (canvas.y + canvas.height)).toBeLessThan(60);
      expect(strip.y + strip.height).toBeLessThanOrEqual(vp.height + 1);
      // Nothing scrolls sideways but the strip itself.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

      // Every review action by touch: tap a box, relabel it, type it, accept, delete, undo, next uncertain.
      const cur = (await app.current())!;
      const target = isolated(cur.detections, 'RBC')!;
      const p = await boxEdge(page, target);
      await page.touchscreen.tap(p.x, p.y);
      await expect(page.getByTestId('review-status')).toBeVisible();
      await expect(page.getByTestId('review-status')).not.toContainText('Del delete');
      const shown = async (id: string) => (await app.current())!.detections.find((d) => d.id === id);
      await page.getByTestId('action-relabel-WBC').tap();
      await expect.poll(async () => (await shown(target.id))?.cls).toBe('WBC');
      await page.getByTestId('action-wbc-type').selectOption('eosinophil');
      await expect.poll(async () => (await shown(target.id))?.wbc?.type).toBe('eosinophil');
      await page.getByTestId('action-relabel-RBC').tap();
      await expect.poll(async () => (await shown(target.id))?.cls).toBe('RBC');
      await page.getByTestId('action-delete').tap();
      await expect.poll(async () => shown(target.id)).toBeUndefined();
      await page.getByRole('button', { name: 'Undo' }).tap();
      await expect.poll(async () => (await shown(target.id))?.cls).toBe('RBC');
      await page.getByTestId('review-next').tap();
      const first = await page.evaluate(() => window.__smearcount.selectedId());
      await expect(page.getByTestId('review-status')).toContainText(/1 of \d+/);
      await page.getByTestId('action-accept').tap();
      // Accept moves on: to the next uncertain box, or (none left) to the next image with a message.
      await expect
        .poll(async () => (await page.evaluate(() => window.__smearcount.selectedId())) !== first || (await page.getByTestId('review-said').count()) > 0)
        .toBe(true);

      // The report fits the screen: nothing is cut off on the right.
      await page.locator('details.export > summary').tap();
      await page.getByTestId('export-report').tap();
      const report = page.getByTestId('report');
      await expect(report).toBeVisible();
      const fit = await report.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const widest = Math.max(...Array.from(el.querySelectorAll('table, tr, p, h1')).map((e) => e.getBoundingClientRect().right));
        return { right: r.right, widest, scroll: el.scrollWidth - el.clientWidth, inner: window.innerWidth };
      });
      expect(fit.right).toBeLessThanOrEqual(fit.inner);
      expect(fit.widest).toBeLessThanOrEqual(fit.inner);
      expect(fit.scroll).toBeLessThanOrEqual(0);
    });
  });
}
