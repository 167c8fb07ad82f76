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

/** A detection's box on the screen. */
async function boxOnPage(page: Page, d: Pick<HookDetection, 'box'>) {
  const v = await view(page);
  const c = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
  return { x1: c.x + v.x + d.box.x1 * v.scale, y1: c.y + v.y + d.box.y1 * v.scale, x2: c.x + v.x + d.box.x2 * v.scale, y2: c.y + v.y + d.box.y2 * v.scale };
}

/** The image's rectangle on the screen, at the current view. */
async function imageOnPage(page: Page) {
  const cur = (await page.evaluate(() => window.__smearcount.current()))!;
  return boxOnPage(page, { box: { x1: 0, y1: 0, x2: cur.width!, y2: cur.height! } });
}

type Rect = { x: number; y: number; width: number; height: number };
const overlaps = (a: Rect, b: { x1: number; y1: number; x2: number; y2: number }) => a.x < b.x2 && a.x + a.width > b.x1 && a.y < b.y2 && a.y + a.height > b.y1;

/** Visible controls under `min` px tall: what a finger cannot hit reliably. A checkbox counts by its label. */
const smallControls = (page: Page, min: number, within = 'body') =>
  page.evaluate(([min, within]) => {
    const sel = 'button, select, summary, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), label.check';
    return Array.from(document.querySelector(within)!.querySelectorAll<HTMLElement>(sel))
      .filter((e) => {
        const r = e.getBoundingClientRect();
        // sr-only stand-ins (1 px) and what is not laid out are not targets
        return r.width > 2 && r.height > 2 && getComputedStyle(e).visibility !== 'hidden' && r.height < min - 0.5;
      })
      .map((e) => `${e.tagName.toLowerCase()}[${e.dataset.testid ?? e.getAttribute('aria-label') ?? e.textContent?.trim().slice(0, 24)}] ${e.getBoundingClientRect().height.toFixed(0)} px`);
  }, [min, within] as const);

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
      if (vp.width < 700) {
        // A phone keeps Fit behind More. A tap that lands while the page still glides after the swipe
        // only stops the glide, as on a real phone: tap again until the panel is open.
        const panel = page.getByTestId('toolbar-more-panel');
        await expect(async () => {
          if (!(await panel.isVisible())) await page.getByTestId('toolbar-more').tap();
          await expect(panel).toBeVisible({ timeout: 1000 });
        }).toPass({ timeout: 10_000 });
      }
      await page.getByRole('button', { name: 'Fit' }).tap();
      await expect(page.getByTestId('canvas')).toHaveAttribute('data-page-scrolls', 'true');

      // The editing tools are on screen whole, and the toolbar does not scroll sideways.
      const toolbar = page.getByRole('toolbar', { name: 'Canvas tools' });
      for (const id of ['draw-box', 'toolbar-delete', 'toolbar-undo']) {
        const b = (await page.getByTestId(id).boundingBox())!;
        expect(b.x, id).toBeGreaterThanOrEqual(0);
        expect(b.x + b.width, id).toBeLessThanOrEqual(vp.width);
      }
      expect(await toolbar.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);

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

test.describe('390x844, touch: the phone at the eyepiece', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('notices fold into one line, the editing tools are one row, every control is finger-sized, the actions dock clear of the box', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(4));
    await app.waitReady();
    const clean = await imageOnPage(page);

    // Three refused files: one line above the image, not three paragraphs.
    const bad = Array.from({ length: 3 }, (_, i) => ({ name: `broken-${i}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(`not a jpeg ${i}`) }));
    // the folded line's status region is in the page before the first notice (one put in with its first words
    // is not read by every screen reader), and is the same element once the notices come: marked, then found
    const status = page.getByTestId('notices-status');
    await expect(status).toHaveCount(1);
    await expect(status).toBeEmpty();
    await status.evaluate((el) => el.setAttribute('data-there-before', 'yes'));
    await page.getByTestId('file-input').setInputFiles(bad);
    const strip = page.getByTestId('notices-strip');
    await expect(strip).toBeVisible();
    await expect(strip).toContainText('3 files not counted: broken-0.jpg, broken-1.jpg, broken-2.jpg');
    await expect(status).toHaveText('3 files not counted: broken-0.jpg, broken-1.jpg, broken-2.jpg');
    await expect(status).toHaveAttribute('data-there-before', 'yes');
    await expect(status).toHaveAttribute('role', 'status');
    await expect(app.fileErrors()).toHaveCount(3);
    await expect(app.fileErrors().first()).toBeHidden();
    await app.waitReady();
    const s = (await strip.boundingBox())!;
    expect(s.height).toBeLessThanOrEqual(50);
    expect(s.height).toBeGreaterThanOrEqual(40); // a finger opens it
    // The image: near the top, pushed down by no more than the strip, and whole on the first screen.
    const im = await imageOnPage(page);
    expect(im.y1 - clean.y1).toBeLessThanOrEqual(s.height + 12);
    expect(im.y1).toBeLessThan(0.45 * 844);
    expect(im.y2).toBeLessThanOrEqual(844);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    // The strip opens to the full list and folds again; the files and reasons are all there.
    await page.getByTestId('notices-toggle').tap();
    await expect(app.fileErrors()).toHaveCount(3);
    for (let i = 0; i < 3; i++) await expect(app.fileErrors().nth(i)).toBeVisible();
    await expect(app.fileErrors().first()).toContainText('broken-0.jpg: Named .jpg');
    await page.getByTestId('notices-toggle').tap();
    await expect(app.fileErrors().first()).toBeHidden();

    // The toolbar: Next uncertain, Draw, Delete, Undo and More in one row; the rest behind More.
    const row = await page.getByRole('toolbar', { name: 'Canvas tools' }).evaluate((el) =>
      Array.from(el.children).map((c) => {
        const r = c.getBoundingClientRect();
        return { top: Math.round(r.top), right: r.right };
      }),
    );
    expect(new Set(row.map((r) => r.top)).size).toBe(1);
    expect(Math.max(...row.map((r) => r.right))).toBeLessThanOrEqual(390);
    for (const id of ['review-next', 'draw-box', 'toolbar-delete', 'toolbar-undo', 'toolbar-more']) await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
    await expect(page.getByRole('button', { name: 'Fit' })).toBeHidden();
    await page.getByTestId('toolbar-more').tap();
    const more = page.getByTestId('toolbar-more-panel');
    for (const name of ['Fit', 'Gallery', 'Redo']) await expect(more.getByRole('button', { name })).toBeInViewport({ ratio: 1 });
    await expect(more.getByTestId('visible-WBC')).toBeVisible();
    await expect(more.getByLabel('Class for new boxes')).toBeVisible();
    // every control a finger-height, in the menu too: 44 px there, where the row is no tight one (Fit, Gallery,
    // Redo, the class and Remove image were 40 px, as in the toolbar's row)
    expect(await smallControls(page, 40)).toEqual([]);
    expect(await smallControls(page, 44, '[data-testid="toolbar-more-panel"]')).toEqual([]);
    await page.touchscreen.tap(200, 15); // a tap elsewhere closes it
    await expect(more).toBeHidden();

    // Every control on the page, the folded panels opened, is at least 40 px tall (44 where the row has room).
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    expect(await smallControls(page, 40)).toEqual([]);
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = false)));
    await page.evaluate(() => window.scrollTo(0, 0));

    // A tapped box: its actions dock on the canvas, on screen, clear of the box and the cells around it
    // (a ring one box wide); at the fitted size they cover no part of the image.
    const cur = (await app.current())!;
    const target = isolated(cur.detections, 'RBC')!;
    const p = await boxEdge(page, target);
    await page.touchscreen.tap(p.x, p.y);
    await expect.poll(() => page.evaluate(() => window.__smearcount.selectedId())).toBe(target.id);
    const actions = page.getByTestId('review-actions');
    await expect(actions).toBeInViewport({ ratio: 1 });
    // The empty canvas between the image and the actions (0 where they overlap): the dock sat ~190 px under the
    // image during review, the canvas's far edge, with nothing between (audit 2026-12-06)
    const dockGap = async () => {
      const a = (await actions.boundingBox())!;
      const im = await imageOnPage(page);
      return Math.max(0, a.y - im.y2, im.y1 - (a.y + a.height));
    };
    const dockClear = async (id: string) => {
      const a = (await actions.boundingBox())!;
      // a shown box, or one from the band under the threshold that U visits
      const d = (await app.current())!.detections.find((x) => x.id === id) ?? (await page.evaluate(() => window.__smearcount.belowThreshold())).find((x) => x.id === id)!;
      const b = await boxOnPage(page, d);
      const w = b.x2 - b.x1;
      const h = b.y2 - b.y1;
      expect(overlaps(a, b), 'over the box').toBe(false);
      // the ring's cells are on the image: past its edge (where the actions now sit, right under it) is none
      const im = await imageOnPage(page);
      const ring = { x1: Math.max(b.x1 - w, im.x1), y1: Math.max(b.y1 - h, im.y1), x2: Math.min(b.x2 + w, im.x2), y2: Math.min(b.y2 + h, im.y2) };
      expect(overlaps(a, ring), 'over its neighbours').toBe(false);
      const c = (await page.getByTestId('canvas').boundingBox())!;
      expect(a.y).toBeGreaterThanOrEqual(c.y);
      expect(a.y + a.height).toBeLessThanOrEqual(c.y + c.height + 1);
      return a;
    };
    const a = await dockClear(target.id);
    expect(overlaps(a, await imageOnPage(page)), 'over the image').toBe(false);
    expect(await dockGap(), 'under the image, not at the canvas\'s far edge').toBeLessThan(24);
    // The legend sits under the canvas, where the docked actions never cover it (it used to sit on the
    // canvas's bottom edge, under them), and the canvas keeps no more room under the image than the
    // actions need (it was 58% of the screen: 170 px of nothing under a 4:3 field).
    const legend = (await page.getByTestId('legend').boundingBox())!;
    const canvasBox = (await page.getByTestId('canvas').boundingBox())!;
    await expect(page.getByTestId('legend')).toBeInViewport({ ratio: 1 });
    expect(legend.y).toBeGreaterThanOrEqual(canvasBox.y + canvasBox.height - 1);
    expect(overlaps(a, { x1: legend.x, y1: legend.y, x2: legend.x + legend.width, y2: legend.y + legend.height }), 'over the legend').toBe(false);
    expect(canvasBox.y + canvasBox.height - (await imageOnPage(page)).y2).toBeLessThanOrEqual(120);
    for (const c of ['Accept', 'RBC', 'WBC', 'PLT', 'Delete']) await expect(actions.getByRole('button', { name: c, exact: true })).toBeInViewport({ ratio: 1 });
    // Scrolled down to the panels, the canvas (and the box) out of view: the actions do not float over the
    // sample fields and the counts (they did, at the top of the screen, acting on a cell no one could see),
    // and they come back with the canvas.
    await page.getByTestId('sample-panel').evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top - 20));
    await expect.poll(async () => (await page.getByTestId('canvas').boundingBox())!.y + (await page.getByTestId('canvas').boundingBox())!.height).toBeLessThan(40);
    await expect(actions).toBeHidden();
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect(actions).toBeInViewport({ ratio: 1 });
    // Reviewing zooms onto each uncertain box: the actions stay clear of it and its neighbours.
    await page.getByTestId('review-next').tap();
    await expect.poll(() => page.evaluate(() => window.__smearcount.selectedId())).not.toBe(target.id);
    const focused = (await page.evaluate(() => window.__smearcount.selectedId()))!;
    await expect(actions).toBeInViewport({ ratio: 1 });
    await dockClear(focused);
    await expect.poll(dockGap, { message: 'reviewing: right by the image' }).toBeLessThan(24);
    // and they work from there: Delete (or Leave out) is undone by the toolbar's Undo, in the row
    const shownNow = async () => (await app.current())!.detections.length;
    const before = await shownNow();
    const wasShown = (await app.current())!.detections.some((d) => d.id === focused);
    await actions.getByTestId('action-delete').tap();
    if (wasShown) await expect.poll(shownNow).toBe(before - 1);
    await expect(page.getByTestId('toolbar-undo')).toBeEnabled();
    await page.getByTestId('toolbar-undo').tap();
    await expect.poll(shownNow).toBe(before);
    // and by each of the next boxes U zooms onto, wherever the zoom leaves the image's edge
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      await page.getByTestId('review-next').tap();
      const id = await page.evaluate(() => window.__smearcount.selectedId());
      if (!id || seen.has(id)) break;
      seen.add(id);
      await expect(actions).toBeInViewport({ ratio: 1 });
      await expect.poll(dockGap).toBeLessThan(24);
      await dockClear(id);
    }

    // Dismissed from the strip, the notices are gone.
    await page.getByTestId('notices-strip-dismiss').tap();
    // (the strip keeps its empty status region, out of sight, for the next notice)
    await expect(page.getByTestId('notices-toggle')).toHaveCount(0);
    await expect(page.getByTestId('notices-status')).toBeEmpty();
    await expect(page.getByRole('region', { name: 'Notices' })).toHaveCount(0);
    await expect(app.fileErrors()).toHaveCount(0);
  });

  test('the gallery\'s "Verify all" buttons sit inside their group rows', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(3));
    await app.waitReady();
    await page.getByTestId('toolbar-more').tap();
    await page.getByTestId('toolbar-more-panel').getByRole('button', { name: 'Gallery' }).tap();
    const buttons = page.locator('[data-testid^="gallery-verify-group-"]');
    await expect(buttons.first()).toBeVisible();
    for (let i = 0; i < (await buttons.count()); i++) {
      const b = (await buttons.nth(i).boundingBox())!;
      const row = (await buttons.nth(i).locator('xpath=..').boundingBox())!;
      expect(b.height).toBeGreaterThanOrEqual(40); // finger-sized
      // before: a 40-px button in a 40-px row, sitting on the row's bottom line
      expect(b.y).toBeGreaterThanOrEqual(row.y + 2);
      expect(b.y + b.height).toBeLessThanOrEqual(row.y + row.height - 2);
    }
    // the selected cell's row (its types, Verify, Show on canvas) is finger-sized too: it was 32 px
    await page.getByTestId('wbc-tile').first().tap();
    await expect(page.getByTestId('gallery-verify')).toBeVisible();
    const short = await page.getByTestId('gallery').evaluate((g) =>
      Array.from(g.querySelectorAll<HTMLElement>('button, input:not([type=checkbox]):not([type=radio])'))
        // the group rows' Verify all are 40 px by design (48-px rows of the virtual list), checked above
        .filter((e) => !e.closest('.gallery-group') && e.getBoundingClientRect().height > 2 && e.getBoundingClientRect().height < 43.5)
        .map((e) => `${e.textContent?.trim()} ${e.getBoundingClientRect().height.toFixed(0)} px`),
    );
    expect(short).toEqual([]);
  });

  test('"Show on canvas" in a gallery opened from the differential panel, a screen below the canvas, brings the canvas and the cell on screen', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(3));
    await app.waitReady();
    // the panels fold under the canvas on a phone: the differential's gallery button is far down the page
    await page.locator('summary', { hasText: /^WBC differential/ }).tap();
    const opener = page.getByTestId('open-gallery-panel');
    await opener.scrollIntoViewIfNeeded();
    await expect(page.getByTestId('canvas')).not.toBeInViewport();
    await opener.tap();
    // a cell of another image than the one shown
    const tiles = page.getByTestId('wbc-tile');
    await tiles.last().tap();
    const imageName = (await page.getByTestId('gallery-selected').textContent())!.split('·').pop()!;
    await page.getByTestId('gallery-jump').tap();
    await expect(page.getByTestId('gallery')).toHaveCount(0);
    expect(imageName).toContain((await app.current())!.name);
    const selected = await page.evaluate(() => window.__smearcount.selectedId());
    expect(selected).not.toBeNull();
    // before: the page stayed on the panel, the canvas 850 px above the screen
    await expect(page.getByTestId('canvas')).toBeInViewport({ ratio: 0.9 });
    const d = (await app.current())!.detections.find((x) => x.id === selected)!;
    const b = await boxOnPage(page, d);
    expect(b.y1).toBeGreaterThanOrEqual(0);
    expect(b.y2).toBeLessThanOrEqual(844);
  });

  test('the ratio tips open and close by tapping their "?", and one left open never blocks the other', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const tap = async (id: string) => {
      const b = (await page.getByTestId(id).boundingBox())!;
      await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
    };
    const wbc = page.getByTestId('ratio-wbc-tip-text');
    const plt = page.getByTestId('ratio-platelets-tip-text');
    await page.getByTestId('ratio-platelets-tip').scrollIntoViewIfNeeded();
    await tap('ratio-wbc-tip');
    await expect(wbc).toBeVisible();
    // a second tap on its "?" closes it (the tapped button kept the focus, and the tip stayed open over the
    // Platelets "?", whose taps then landed on the tip)
    await tap('ratio-wbc-tip');
    await expect(wbc).toBeHidden();
    await tap('ratio-platelets-tip');
    await expect(plt).toBeVisible();
    await expect(wbc).toBeHidden();
    // a tap on the tip itself closes it too
    await tap('ratio-platelets-tip-text');
    await expect(plt).toBeHidden();
  });

  test('360 px and on its side (844x390): the toolbar stays one row, and on its side the canvas is on the first screen', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const oneRow = async () => {
      const row = await page.getByRole('toolbar', { name: 'Canvas tools' }).evaluate((el) => Array.from(el.children).map((c) => Math.round(c.getBoundingClientRect().top)));
      return new Set(row).size;
    };
    await page.setViewportSize({ width: 360, height: 740 });
    await expect.poll(oneRow).toBe(1);
    await expect(page.getByTestId('toolbar-more')).toBeInViewport({ ratio: 1 });
    // on its side: the phone's toolbar, and most of the canvas on the first screen (it started at y = 352 of 390)
    await page.setViewportSize({ width: 844, height: 390 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await expect.poll(oneRow).toBe(1);
    await expect(page.getByTestId('toolbar-more')).toBeVisible();
    const c = (await page.getByTestId('canvas').boundingBox())!;
    expect(c.y).toBeLessThan(0.5 * 390);
    expect(Math.min(c.y + c.height, 390) - c.y).toBeGreaterThan(180);
  });
});
