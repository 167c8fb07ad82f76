/**
 * A first-time technician at a 1280x800 laptop and on a 1920x1080 projector (audit of 2026-12-07): the
 * counts panel's labels and the key sheet as they were seen on screenshots.
 */
import { expect, test, type Page } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

/** The document itself never scrolls: the app is one screen, its panels scroll inside it. */
const pageScroll = (page: Page) => page.evaluate(() => ({ height: document.documentElement.scrollHeight, top: document.scrollingElement?.scrollTop ?? 0 }));

test('at 1280x800 the ratios keep their labels readable beside a long "Images counted" (2 files refused)', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await page.getByTestId('file-input').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('patient notes\n') },
    { name: 'readme.txt', mimeType: 'text/plain', buffer: Buffer.from('more notes\n') },
  ]);
  await app.waitReady();
  await expect(page.getByTestId('images-refused')).toContainText('2 files refused');
  // The value column took the width of "2 (2 files refused, not counted)" and left the labels a word a line:
  // "WBC : / RBC / (one / WBC / per n / RBC)" in six lines, 55 of the list's 257 px.
  for (const tip of ['ratio-wbc-tip', 'ratio-platelets-tip']) {
    const dt = page.locator('.ratios dt').filter({ has: page.getByTestId(tip) });
    const { w, listW, lines } = await dt.evaluate((el) => {
      const lh = parseFloat(getComputedStyle(el).lineHeight) || 1.2 * parseFloat(getComputedStyle(el).fontSize);
      return { w: el.getBoundingClientRect().width, listW: el.parentElement!.getBoundingClientRect().width, lines: Math.round(el.getBoundingClientRect().height / lh) };
    });
    expect(w, `${tip}: the label's column`).toBeGreaterThanOrEqual(listW * 0.5);
    expect(lines, `${tip}: lines of its label`).toBeLessThanOrEqual(2);
  }
  // the refused files are still said in full, beside the count
  await expect(page.getByTestId('images-refused')).toBeVisible();
  await expect(page.getByTestId('images-refused')).toBeInViewport();
});

for (const vp of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  test(`at ${vp.width}x${vp.height} the key sheet (?) stays on the screen, scrolls inside itself and reads in lines, not a word a line`, async ({ page }) => {
    await page.setViewportSize(vp);
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    await page.keyboard.press('?');
    const sheet = page.locator('[data-testid="shortcuts"] dl');
    await expect(sheet).toBeVisible();
    // It hung from its summary 1129 px (1280x800) and 1896 px (1920x1080) tall: its lower half under the
    // screen's edge, and a wheel over it scrolled the whole page, the app shell up and off the screen.
    const box = (await sheet.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(vp.height);
    expect((await pageScroll(page)).height).toBeLessThanOrEqual(vp.height);
    // The descriptions' column got what the longest key ("Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y", kept on one line)
    // left: 115 of 380 px at 1920, U's description 17 lines long.
    const dd = page.locator('[data-testid="shortcuts"] dd').first();
    expect((await dd.boundingBox())!.width).toBeGreaterThanOrEqual(box.width * 0.55);
    // every line is reached by scrolling the sheet, not the page
    const last = page.locator('[data-testid="shortcuts"] dt').last();
    await sheet.hover();
    await page.mouse.wheel(0, 3000);
    await expect(last).toBeInViewport();
    await expect.poll(async () => (await pageScroll(page)).top).toBe(0);
    await expect(page.getByTestId('status')).toBeInViewport();
  });
}

for (const vp of [
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
  // the canvas's column is 441-540 px wide from 1001 to 1100 px: the review line wrapped for a WBC's buttons (and
  // at 1001 for an RBC's), and the hint took two lines, so each selection moved the field 10 px
  { width: 1001, height: 800 },
  { width: 1024, height: 768 },
  { width: 1100, height: 800 },
]) {
  test(`at ${vp.width}x${vp.height} selecting a box does not move the field under the mouse`, async ({ page }) => {
    await page.setViewportSize(vp);
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const dets = (await app.current())!.detections;
    const rbc = dets.find((d) => d.cls === 'RBC' && d.origin !== 'manual')!;
    const wbc = dets.find((d) => d.cls === 'WBC')!;
    expect(wbc, 'BloodImage_00339 has a WBC').toBeTruthy();
    /** Where the field is drawn on the screen: the canvas's top and the view's transform. */
    const field = () =>
      page.evaluate(() => {
        const c = document.querySelector('[data-testid="canvas"] canvas')!.getBoundingClientRect();
        const v = window.__smearcount.view();
        return { top: Math.round(c.top), x: Math.round(v.x), y: Math.round(v.y), scale: Number(v.scale.toFixed(3)) };
      });
    const before = await field();
    // The review line and its buttons wrapped onto a second row for a WBC (its type's list beside Accept, RBC,
    // WBC, PLT, Delete): the canvas 21-22 px shorter, the field 11 px higher (and at 1366x768 3% smaller), so a
    // second click landed on another cell.
    for (const d of [rbc, wbc, rbc]) {
      await page.evaluate((id) => window.__smearcount.selectBox(id), d.id);
      await expect(page.getByTestId('review-status')).toContainText(d.cls);
      await expect.poll(field).toEqual(before);
      // what was cut to keep one row is still said in full, in the line's title
      await expect(page.getByTestId('review-status')).toHaveAttribute('title', /A accept, Del delete/);
      await expect(page.getByTestId('review-actions')).toBeInViewport();
    }
    await expect(page.getByTestId('action-wbc-type')).toHaveCount(0);
    // zoomed in, a click on another cell kept the zoom only while the line's height did not change: any change
    // of the canvas's size fits the field again
    await page.keyboard.press('Escape');
    await page.keyboard.press('+');
    await expect.poll(async () => (await field()).scale).toBeGreaterThan(before.scale * 1.1);
    const zoomed = await field();
    await page.evaluate((id) => window.__smearcount.selectBox(id), wbc.id);
    await expect(page.getByTestId('review-status')).toContainText('WBC');
    await page.waitForTimeout(300);
    expect(await field()).toEqual(zoomed);
    await expect(page.getByTestId('action-wbc-type')).toBeInViewport();
    await expect(page.getByTestId('review-status')).toHaveAttribute('title', /neutrophil|lymphocyte|monocyte|eosinophil|basophil|immature|erythroblast/i);
    if (vp.width >= 1240) return;
    // Up to 1239 px the line is two rows whatever it says: an answer with a box selected (N then Enter: the box
    // placed, and how to move it) shares the first row with the box's line, and takes most of it. At half the row
    // each, the answer read "New RBC box in the…"
    const top = (await field()).top;
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await page.keyboard.press('Enter');
    const said = page.getByTestId('review-said');
    await expect(said).toContainText('New RBC box');
    await expect(page.getByTestId('review-status')).toBeVisible();
    const bar = (await page.getByTestId('review-bar').boundingBox())!;
    expect((await said.boundingBox())!.width).toBeGreaterThan(0.6 * bar.width);
    await expect(said).toHaveAttribute('title', /^New RBC box/);
    expect((await field()).top).toBe(top);
  });
}

test('at 1280x800 Remove image sits in its row of the toolbar, not 10 px under it', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  // the Clear session button's 10 px top margin (class "danger") came with it: its middle 4 px under its row's
  const middle = async (id: string) => {
    const b = (await page.getByTestId(id).boundingBox())!;
    return b.y + b.height / 2;
  };
  const row = await middle('review-next');
  const remove = await middle('remove-image');
  expect(Math.abs(remove - row)).toBeLessThanOrEqual(1);
});

test('zoomed in by keyboard, N then Enter places a box and the view stays zoomed on it, also once its line goes', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const view = () => page.evaluate(() => window.__smearcount.view());
  const fit = await view();
  // a keyboard reaches a spot where a cell was missed: + zooms about the middle, then N Enter places a box there
  await page.keyboard.press('+');
  await page.keyboard.press('+');
  await expect.poll(async () => (await view()).scale).toBeGreaterThan(fit.scale * 1.4);
  const zoomed = await view();
  const canvasBox = () => page.getByTestId('canvas').boundingBox();
  const before = await canvasBox();
  await page.keyboard.press('n');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review-said')).toContainText('New RBC box');
  // the answer shares the review line's row: it took a second row for its 6 s, the canvas 21 px lower and shorter
  expect(await canvasBox()).toEqual(before);
  const placed = (await page.evaluate(() => window.__smearcount.selectedId()))!;
  expect(placed).toBeTruthy();
  // The line saying so took a second row above the canvas, and any change of the canvas's size fitted the whole
  // field again: the box just placed, to be moved and sized with Shift+arrows, shrank back to the fitted scale
  // (1.72 -> 1.10), and again when the line went 6 s later.
  const inView = async () => {
    const v = await view();
    const d = (await app.current())!.detections.find((x) => x.id === placed)!;
    const c = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
    const cx = v.x + ((d.box.x1 + d.box.x2) / 2) * v.scale;
    const cy = v.y + ((d.box.y1 + d.box.y2) / 2) * v.scale;
    return { scale: v.scale, inside: cx > 0 && cx < c.width && cy > 0 && cy < c.height };
  };
  expect(await inView()).toEqual({ scale: zoomed.scale, inside: true });
  await expect(page.getByTestId('review-said')).toBeHidden({ timeout: 10_000 });
  expect(await inView()).toEqual({ scale: zoomed.scale, inside: true });
  // F still fits
  await page.keyboard.press('f');
  await expect.poll(async () => (await view()).scale).toBeCloseTo(fit.scale, 3);
});

for (const vp of [
  { width: 853, height: 480 },
  { width: 1280, height: 800 },
]) {
  test(`at ${vp.width}x${vp.height} ] brings each box into view without sliding the field off the canvas`, async ({ page }) => {
    await page.setViewportSize(vp);
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const { detections, ...field } = (await app.current())!;
    const [width, height] = [field.width!, field.height!];
    // A 1280x720 projector at 150% (853x480): ] zoomed hardly at all (0.70-1.04 against the fit's 0.69, the
    // canvas 349 px tall), and slid the whole field sideways to put each box at the canvas's middle: the image's
    // left edge at 79, -126, 375, 321, 222 px, half the canvas empty beside it. Where the image is narrower (or
    // shorter) than the canvas it now stays where the fit puts it; where it is larger, its edges stay at the
    // canvas's, and the box is still in view.
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press(']');
      const id = await page.evaluate(() => window.__smearcount.selectedId());
      const d = detections.find((x) => x.id === id)!;
      expect(d, `press ${i + 1}: a box is selected`).toBeTruthy();
      await expect(page.getByTestId('review-status')).toContainText(d.cls);
      const v = await page.evaluate(() => window.__smearcount.view());
      const c = (await page.getByTestId('canvas').boundingBox())!;
      const w = width * v.scale;
      const h = height * v.scale;
      const at = `press ${i + 1} (${d.id}): ${JSON.stringify(v)}`;
      if (w <= c.width - 16) expect(v.x, at).toBeCloseTo((c.width - w) / 2, 0);
      else {
        expect(v.x, at).toBeLessThanOrEqual(8.5);
        expect(v.x + w, at).toBeGreaterThanOrEqual(c.width - 8.5);
      }
      if (h <= c.height - 16) expect(v.y, at).toBeGreaterThanOrEqual(7.5);
      else {
        expect(v.y, at).toBeLessThanOrEqual(8.5);
        expect(v.y + h, at).toBeGreaterThanOrEqual(c.height - 8.5);
      }
      // the box itself is wholly in view
      expect(v.x + d.box.x1 * v.scale, at).toBeGreaterThanOrEqual(0);
      expect(v.x + d.box.x2 * v.scale, at).toBeLessThanOrEqual(c.width);
      expect(v.y + d.box.y1 * v.scale, at).toBeGreaterThanOrEqual(0);
      expect(v.y + d.box.y2 * v.scale, at).toBeLessThanOrEqual(c.height);
    }
  });
}
