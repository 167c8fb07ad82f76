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
