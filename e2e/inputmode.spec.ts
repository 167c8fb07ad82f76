/**
 * The hints name taps or keys as the technician works (features/useInputMode), and re-worded they re-flow the
 * page. A press must keep its control under the pointer until its click: at 320 px on a touch page a mouse's
 * first press on More re-worded the hints, More went 52 px up, and the click landed on the hint under it.
 * Pressed here with the raw mouse and touch screen, which click where they press, as a hand does (a locator's
 * click looks again and retries when its target moved, and hid this on one build and not on another).
 */
import { expect, test, type Page } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

async function centre(page: Page, testId: string) {
  const b = (await page.getByTestId(testId).boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

test('at 320 px on a touch page, a mouse press and then a tap open More where they were pressed', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  const more = page.getByTestId('toolbar-more');
  const panel = page.getByTestId('toolbar-more-panel');
  // the page starts with touch hints (no fine hovering pointer)
  await expect(page.getByTestId('review-hint')).toHaveText(/^Tap a box/);
  await expect(panel).toBeHidden();

  // a mouse (a tablet's, attached): its first press
  let at = await centre(page, 'toolbar-more');
  await page.mouse.click(at.x, at.y);
  await expect(more).toHaveAttribute('aria-expanded', 'true');
  await expect(panel).toBeVisible();
  // the click over, the hints name keys
  await expect(page.getByTestId('review-hint')).toHaveText(/^Click a box/);
  // Esc (a key) closes it; then a finger's tap where More is now
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  at = await centre(page, 'toolbar-more');
  await page.touchscreen.tap(at.x, at.y);
  await expect(more).toHaveAttribute('aria-expanded', 'true');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('review-hint')).toHaveText(/^Tap a box/);
  // the menu's tools take the next tap: Gallery opens
  at = await centre(page, 'open-gallery');
  await page.touchscreen.tap(at.x, at.y);
  await expect(page.getByTestId('gallery')).toBeVisible();
  await context.close();
});
