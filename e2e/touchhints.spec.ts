/**
 * A phone has no hover (audit 2026-12-07): what the app said only in a `title` never reached a finger. What
 * matters is a tap away and is announced: "Not saved" says why, "settings changed" what changed, "dotted: set
 * by hand" what a dotted box is, "Works offline" what is stored, and a Reviewed box that cannot be ticked why not. A tap elsewhere or Esc hides
 * it again.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { AppPage, isolated, screenAt } from './app.po';
import { testingImages } from './data';

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

/** A tap at the middle of `l`, as a finger gives it (a touch point, no mouse over it before). */
async function tap(page: Page, l: Locator) {
  await l.scrollIntoViewIfNeeded();
  const b = (await l.boundingBox())!;
  await page.touchscreen.tap(b.x + b.width / 2, b.y + b.height / 2);
}

/** The words and their tip: announced (name and description), hidden until tapped, shown on a tap, hidden on a
 * tap elsewhere, shown again and hidden by Esc. */
async function reachable(page: Page, trigger: Locator, tip: Locator, name: RegExp | string, said: RegExp, reopen?: () => Promise<void>) {
  await expect(trigger).toHaveAccessibleName(name);
  // a finger's height, as every control by touch (40 px in the tightest rows)
  expect((await trigger.boundingBox())!.height).toBeGreaterThanOrEqual(40);
  await expect(trigger).toHaveAccessibleDescription(said);
  await expect(tip).toBeHidden();
  await tap(page, trigger);
  await expect(tip).toBeVisible();
  await expect(tip).toHaveText(said);
  await expect(tip).toBeInViewport();
  // wholly on the screen's width (390 px), not cut at a side
  const b = (await tip.boundingBox())!;
  const width = page.viewportSize()!.width;
  expect(b.x).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width).toBeLessThanOrEqual(width);
  await tap(page, page.locator('header h1'));
  await expect(tip).toBeHidden();
  await reopen?.();
  await tap(page, trigger);
  await expect(tip).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(tip).toBeHidden();
}

test('by touch, "Not saved" says why on a tap, and is announced with its reason', async ({ page }) => {
  // every write of the batch's images refused as a full disk refuses it
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'images') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const mark = page.getByTestId('save-error');
  await expect(mark).toBeVisible();
  await reachable(page, mark, page.getByTestId('save-error-tip'), 'Not saved', /^The batch was not saved: the storage this browser gives the app on this device is full\./);
});

test('by touch, "dotted: set by hand" says what a dotted box is on a tap', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();

  // a box relabelled by hand: the key under the canvas says so, and a tap says what it means
  const box = (await app.current())!.detections.find((d) => d.origin !== 'manual' && d.cls === 'RBC')!;
  await page.evaluate((id) => window.__smearcount.selectBox(id), box.id);
  await tap(page, page.getByTestId('action-relabel-Platelets'));
  const manual = page.getByTestId('legend-manual');
  await expect(manual).toHaveText('dotted: 1 set by hand');
  await page.evaluate(() => window.__smearcount.selectBox(null));
  await reachable(page, manual, page.getByTestId('legend-manual-tip'), 'dotted: 1 set by hand', /^A box drawn, relabelled, moved or resized by hand/);
});

test('by touch, "settings changed" says what changed on a tap', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  // the count rule changed in Settings: the counts' heading says so, and a tap says what changed
  const settings = page.locator('details.sliders');
  await tap(page, settings.locator('summary'));
  await page.getByTestId('count-rule').selectOption('interior');
  const changed = page.getByTestId('settings-changed');
  await expect(changed).toBeVisible();
  await reachable(page, changed, page.getByTestId('settings-changed-tip'), /settings changed/, /^Thresholds, NMS or the count rule differ from the model's defaults/);
});

test('by touch, a Reviewed box that cannot be ticked says why on a tap', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.dropUndecodable();
  await expect.poll(async () => (await app.images())[0]?.status).toBe('error');
  const more = () => tap(page, page.getByTestId('toolbar-more'));
  await more();
  await expect(page.getByTestId('reviewed')).toBeDisabled();
  const why = page.getByTestId('reviewed-why');
  await expect(page.getByTestId('reviewed')).toHaveAccessibleDescription(/^This image is not counted yet/);
  await reachable(page, why, page.getByTestId('reviewed-why-text'), 'Why Reviewed is off', /^This image is not counted yet \(or could not be counted\): there are no boxes to review\.$/, more);
  // Esc hid the tip, not the menu around it
  await expect(page.getByTestId('toolbar-more-panel')).toBeVisible();
});

test.describe('320 px', () => {
  test.use({ viewport: { width: 320, height: 640 }, hasTouch: true, isMobile: true });
  test('by touch, "Works offline" in the one-line header says what is stored on a tap, and the header stays on the screen', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    const ready = page.getByTestId('offline-ready');
    await expect(ready).toBeVisible({ timeout: 120_000 });
    await app.waitReady();
    // its finger-high target reaches over the header's top edge, off the screen (the header keeps its height)
    await expect(ready).toBeInViewport({ ratio: 0.75 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await reachable(page, ready, page.getByTestId('offline-ready-tip'), 'Works offline', /^The app, the detection engine and the model are stored on this device\./);
  });
});

test('by touch, the WBC count field says what it is for, under it and to a screen reader', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const panel = page.getByTestId('sample-panel');
  await tap(page, panel.locator('summary'));
  const field = page.getByTestId('sample-wbc');
  await expect(field).toBeVisible();
  const use = page.getByTestId('sample-wbc-use');
  await expect(use).toBeVisible();
  await expect(use).toHaveText('From the haematology analyser: gives absolute counts on the report');
  await expect(field).toHaveAccessibleName('WBC count (×10⁹/L)');
  await expect(field).toHaveAccessibleDescription('From the haematology analyser: gives absolute counts on the report');
  // a count typed wrong: the error is said too, after what the field is for
  await field.fill('0');
  await expect(page.getByTestId('sample-wbc-error')).toBeVisible();
  await expect(field).toHaveAccessibleDescription(/^From the haematology analyser: gives absolute counts on the report .+/);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test("by touch, a tapped box shows its class and score on the canvas and says them (the mouse's hover tip)", async ({ page }) => {
  // no defect: the box under a hovering mouse gets a tip, and a tap selects the box, whose tip always shows
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  // a box clear of its neighbours and of the image's edges: this test is about the tip (touchdraw.spec has the tap
  // on a box's edge, which had made it one set by hand)
  const im = (await app.current())!;
  const dets = im.detections;
  const inside = (d: (typeof dets)[number]) => d.box.x1 > 20 && d.box.y1 > 20 && d.box.x2 < im.width! - 20 && d.box.y2 < im.height! - 20;
  const target = dets.filter(inside).find((d) => isolated([d, ...dets.filter((o) => o !== d)], 'RBC') === d)!;
  const p = await screenAt(page, target.box.x1 + 1, (target.box.y1 + target.box.y2) / 2);
  await page.touchscreen.tap(p.x, p.y);
  await expect.poll(() => page.evaluate(() => window.__smearcount.selectedId())).toBe(target.id);
  const score = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(target.score);
  await expect.poll(() => page.evaluate(() => window.__smearcount.drawnTexts())).toContain(`RBC ${score}`);
  await expect(page.getByTestId('review-announce')).toContainText(`RBC, score ${score}`);
});

test('by touch, Cancel of a batch being counted says what it takes out of the batch, before it is tapped', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(12));
  const cancel = page.getByTestId('cancel-batch');
  await expect(cancel).toBeVisible();
  const does = /^Stop: images already being counted finish and stay; images not started, and files not yet checked, leave the batch/;
  await expect(cancel).toHaveAccessibleDescription(does);
  await reachable(page, page.getByTestId('cancel-why'), page.getByTestId('cancel-why-text'), 'What Cancel does', does);
  // nothing was cancelled by reading it
  await app.waitReady();
  expect((await app.images()).length).toBe(12);
});

test('by touch, the engine the count runs on, and why it is not the one asked for, are in the More menu', async ({ page }) => {
  // WebGPU asked for where the browser has none (this Chromium runs with --disable-gpu): the count falls back to WASM
  const app = new AppPage(page);
  await app.open('?backend=webgpu');
  await app.drop(testingImages(1));
  await app.waitReady();
  // the header's engine chip, whose title said so, is left out of the phone's one-line header
  await expect(page.getByTestId('backend')).toBeHidden();
  const more = () => tap(page, page.getByTestId('toolbar-more'));
  await more();
  const engine = page.getByTestId('engine-in-use');
  await expect(engine).toBeVisible();
  await reachable(page, engine, page.getByTestId('engine-in-use-tip'), /^Engine: WASM/, /^WebGPU is not available in this browser; using WASM\. The engine can be chosen in Settings\.$/, more);
});

test('by touch, Draw and Next uncertain on an image not counted say why they are off', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.dropUndecodable();
  await expect.poll(async () => (await app.images())[0]?.status).toBe('error');
  const why = 'This image is not counted yet (or could not be counted): boxes are drawn and reviewed on its count.';
  for (const id of ['draw-box', 'review-next']) {
    await expect(page.getByTestId(id)).toBeDisabled();
    await expect(page.getByTestId(id)).toHaveAccessibleDescription(why);
  }
  // said on the screen, under the toolbar's row, which stays one row: More beside Next uncertain
  const line = page.getByTestId('tools-why');
  await expect(line).toBeVisible();
  await expect(line).toHaveText(why);
  await expect(line).toBeInViewport({ ratio: 1 });
  const next = (await page.getByTestId('review-next').boundingBox())!;
  const more = (await page.getByTestId('toolbar-more').boundingBox())!;
  expect(Math.abs(more.y - next.y)).toBeLessThan(2);
  expect((await line.boundingBox())!.y).toBeGreaterThanOrEqual(next.y + next.height);
  expect(Number.parseFloat(await line.evaluate((e) => getComputedStyle(e).fontSize))).toBeGreaterThanOrEqual(13);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test("by touch, Settings' Review ± is worded for a finger, not for the U key", async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await tap(page, page.locator('details.sliders summary'));
  const band = page.getByTestId('review-band');
  await expect(band).toBeVisible();
  await expect(band).toHaveAccessibleName('Review band: Next uncertain visits boxes within this of their class threshold');
  await expect(page.getByTestId('review-band-label')).toHaveAttribute('title', 'Next uncertain visits model boxes whose score is within this of their class threshold');
});

test.describe('with a mouse', () => {
  test.use({ viewport: { width: 1280, height: 800 }, hasTouch: false, isMobile: false });
  test("Settings' Review ± still names the U key", async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    const settings = page.locator('details.sliders');
    if ((await settings.getAttribute('open')) === null) await settings.locator('summary').click();
    await expect(page.getByTestId('review-band')).toHaveAccessibleName('Review band: U visits boxes within this of their class threshold');
    await expect(page.getByTestId('review-band-label')).toHaveAttribute('title', 'U visits model boxes whose score is within this of their class threshold');
  });
});

test('by touch, a gallery group\'s "Verify all n" says it leaves the unsure cells, before it is tapped', async ({ page }) => {
  test.setTimeout(600_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(3));
  await app.waitReady(600_000);
  await tap(page, page.getByTestId('toolbar-more'));
  await tap(page, page.getByTestId('open-gallery'));
  const verify = page.locator('[data-testid^="gallery-verify-group-"]').first();
  await expect(verify).toBeVisible();
  const group = (await verify.getAttribute('data-testid'))!.replace('gallery-verify-group-', '');
  const said = /^Verifies the cells whose type the model is sure of; unsure cells are verified one by one\.$/;
  await expect(verify).toHaveAccessibleDescription(said);
  const before = await page.evaluate(() => window.__smearcount.differential());
  await reachable(page, page.getByTestId(`gallery-verify-why-${group}`), page.getByTestId(`gallery-verify-why-${group}-text`), 'What Verify all leaves', said);
  // reading it verified nothing
  expect(await page.evaluate(() => window.__smearcount.differential())).toEqual(before);
});
