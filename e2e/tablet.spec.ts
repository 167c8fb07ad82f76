/**
 * A tablet at the lab bench, by touch, where the phone and desktop specs do not reach: a 12.9-inch iPad Pro held
 * upright (1024x1366) is wider than the 1000-px breakpoint of the tablet layout, and an iPad on its side (1024x768)
 * has the desktop's layout by touch.
 */
import { expect, test } from '@playwright/test';
import { AppPage, fingers, screenAt } from './app.po';
import { testingImages } from './data';

test.describe('1024x1366, touch', () => {
  test.use({ viewport: { width: 1024, height: 1366 }, hasTouch: true, isMobile: true });

  test('an upright iPad Pro shows the field at the page’s width, the panels under it, their checkboxes a finger’s size', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    // The desktop's three columns left the canvas 464 px between the panels, the field 464x348 in 1118 px of dark.
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    expect(canvas.width).toBeGreaterThan(1000);
    const v = await page.evaluate(() => window.__smearcount.view());
    const cur = (await app.current())!;
    expect(cur.width! * v.scale).toBeGreaterThan(900);
    // the counts on the first screen above the canvas, the panels under it
    await expect(page.getByTestId('counts-bar')).toBeVisible();
    const counts = (await page.locator('aside.right').boundingBox())!;
    expect(counts.y).toBeGreaterThanOrEqual(canvas.y + canvas.height);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    // the panels' checkboxes, opened, are a finger's 22 px like every other here: beside a long label, the Sample's
    // "Already corrected for NRBC" was 13x22 (squeezed from its browser default) and the Settings' NMS one 20x22
    for (const panel of [page.getByTestId('sample-panel'), page.locator('details.sliders')]) await panel.locator('summary').tap();
    const boxes = await page.locator('aside.right input[type=checkbox]').evaluateAll((es) =>
      es.filter((e) => e.getClientRects().length).map((e) => ({ w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height })),
    );
    expect(boxes.length).toBeGreaterThanOrEqual(2);
    for (const b of boxes) expect(b).toEqual({ w: 22, h: 22 });
  });
});

test.describe('1024x768, touch', () => {
  test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true, isMobile: true });

  test('Draw, tapped, says how to draw by touch, and a drag draws what it says', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const hint = page.getByTestId('review-hint');
    await expect(hint).toHaveText(/^Tap a box/);
    // Draw armed kept "… pinch to zoom, then drag to pan": a drag meant to pan drew a box
    await page.getByTestId('draw-box').tap();
    await expect(hint).toHaveText('Drag to draw an RBC box · tap Draw to cancel');
    await expect(hint).toBeInViewport({ ratio: 1 });
    // tapped again, Draw is off and the hint is back
    await page.getByTestId('draw-box').tap();
    await expect(page.getByTestId('draw-box')).toHaveAttribute('aria-pressed', 'false');
    await expect(hint).toHaveText(/^Tap a box/);
    // armed again, one finger across a cell draws one box, and Draw is over
    await page.getByTestId('draw-box').tap();
    const before = (await app.current())!.detections.length;
    const cdp = await page.context().newCDPSession(page);
    const a = await screenAt(page, 20, 20);
    const b = await screenAt(page, 80, 70);
    await fingers(cdp, 'touchStart', [a]);
    for (let k = 1; k <= 8; k++) await fingers(cdp, 'touchMove', [{ x: a.x + ((b.x - a.x) * k) / 8, y: a.y + ((b.y - a.y) * k) / 8 }]);
    await fingers(cdp, 'touchEnd', []);
    await expect.poll(async () => (await app.current())!.detections.length).toBe(before + 1);
    await expect(page.getByTestId('draw-box')).toHaveAttribute('aria-pressed', 'false');
  });
});
