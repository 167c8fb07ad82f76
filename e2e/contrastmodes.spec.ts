import { expect, test, type Locator } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

/** The background an element shows, as the browser paints it in the mode the page is emulating: its own,
 * or where that is transparent (forced colours keep a colour's alpha), the nearest ancestor's. */
const bg = (l: Locator) =>
  l.evaluate((e) => {
    for (let n: Element | null = e; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (!/^rgba\(.*, 0\)$/.test(c) && c !== 'transparent') return c;
    }
    return 'none';
  });

/** How many times a row of an element's pixels on screen crosses from light to dark or back, at most over its
 * rows: a line of text crosses at every stroke of its letters. A run of text painted the colour of the plate
 * behind it (forced colours put a plate of Canvas behind text) crosses only at the plate's two ends. */
async function strokes(l: Locator) {
  const png = (await l.screenshot()).toString('base64');
  return l.page().evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const g = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d')!;
    g.drawImage(bmp, 0, 0);
    const d = g.getImageData(0, 0, bmp.width, bmp.height).data;
    const lum = (i: number) => 0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2];
    let most = 0;
    for (let y = 0; y < bmp.height; y++) {
      let n = 0;
      for (let x = 1; x < bmp.width; x++) if (Math.abs(lum((y * bmp.width + x) * 4) - lum((y * bmp.width + x - 1) * 4)) > 60) n++;
      most = Math.max(most, n);
    }
    return most;
  }, png);
}

test('Windows high contrast (forced colours): the pressed tool, the current image and the selected gallery cell still show; the colour key keeps the canvas\'s colours', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  await page.emulateMedia({ forcedColors: 'active' });
  expect(await page.evaluate(() => matchMedia('(forced-colors: active)').matches)).toBe(true);

  // the current image of the list: not painted like the other one
  const thumbs = page.getByTestId('thumb');
  await expect(thumbs.first()).toHaveAttribute('aria-selected', 'true');
  expect(await bg(thumbs.first())).not.toBe(await bg(thumbs.nth(1)));
  // and its text is painted in the colour the system gives highlighted text, not in the page's
  const text = await thumbs.first().locator('.meta').evaluate((e) => getComputedStyle(e).color);
  expect(text).toBe(await thumbs.first().evaluate((e) => getComputedStyle(e).color));
  // and it shows: its name and counts have ink, as the other image's do
  for (const part of ['.name', '.meta']) {
    expect(await strokes(thumbs.first().locator(part))).toBeGreaterThan(20);
    expect(await strokes(thumbs.nth(1).locator(part))).toBeGreaterThan(20);
  }

  // Draw pressed: not painted like Fit
  const draw = page.getByTestId('draw-box');
  const fit = page.getByRole('button', { name: 'Fit', exact: true });
  expect(await bg(draw)).toBe(await bg(fit));
  await draw.click();
  await expect(draw).toHaveAttribute('aria-pressed', 'true');
  expect(await bg(draw)).not.toBe(await bg(fit));
  await page.keyboard.press('Escape');
  await expect(draw).toHaveAttribute('aria-pressed', 'false');

  // the key's marks and the counts table's: the class colours the canvas draws with (it is never repainted)
  for (const mark of await page.locator('.legend i.class-mark, .counts .swatch.class-mark').all()) {
    const [given, used] = await mark.evaluate((e) => [(e as HTMLElement).style.borderColor, getComputedStyle(e).borderTopColor]);
    expect(given).toMatch(/^rgb/);
    expect(used).toBe(given);
  }
  expect(await page.locator('.legend i.class-mark').count()).toBe(3);

  // the gallery: the selected cell is not painted like the others
  await page.getByTestId('open-gallery').click();
  const tiles = page.getByTestId('wbc-tile');
  await expect(tiles).toHaveCount(2);
  await tiles.nth(1).click();
  await expect(tiles.nth(1)).toHaveAttribute('aria-pressed', 'true');
  await expect(tiles.first()).toHaveAttribute('aria-pressed', 'false');
  expect(await bg(tiles.nth(1))).not.toBe(await bg(tiles.first()));
  expect(await strokes(tiles.nth(1).locator('.tile-label'))).toBeGreaterThan(20);
  // its label in the selected cell's text colour (the confidence's grey was forced to the page's text)
  const label = tiles.nth(1).locator('.tile-label *').first();
  if (await label.count()) expect(await label.evaluate((e) => getComputedStyle(e).color)).toBe(await tiles.nth(1).evaluate((e) => getComputedStyle(e).color));
});

test('prefers-reduced-motion: nothing eases in or out (the key\'s fade; the live view\'s zoom is the same rule)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const legend = page.locator('.legend');
  const duration = () => legend.evaluate((e) => getComputedStyle(e).transitionDuration);
  expect(await duration()).toBe('0.15s');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  expect(await duration()).toBe('0s');
});
