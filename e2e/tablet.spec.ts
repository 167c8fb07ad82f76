/**
 * A tablet at the lab bench, by touch, where the phone and desktop specs do not reach: a 12.9-inch iPad Pro held
 * upright (1024x1366) is wider than the 1000-px breakpoint of the tablet layout.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

test.describe('1024x1366, touch', () => {
  test.use({ viewport: { width: 1024, height: 1366 }, hasTouch: true, isMobile: true });

  test('an upright iPad Pro shows the field at the page’s width, the panels under it', async ({ page }) => {
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
  });
});
