import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { AppPage } from './app.po';
import { testingImages } from './data';

for (const vp of [
  { width: 390, height: 844 },
  { width: 820, height: 1180 },
]) {
  test(`at ${vp.width}x${vp.height} the canvas takes the width and nothing scrolls sideways`, async ({ page }) => {
    await page.setViewportSize(vp);
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const canvas = await page.getByTestId('canvas').boundingBox();
    expect(canvas!.width).toBeGreaterThanOrEqual(0.9 * vp.width);
    expect(canvas!.height).toBeGreaterThan(250);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await expect(page.getByTestId('counts-bar')).toBeVisible();
    const total = await app.counts();
    await expect(page.getByTestId('counts-bar')).toContainText(`RBC ${total.RBC}`);
  });
}

test('a file dropped onto the canvas area is counted', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const file = testingImages(1)[0];
  const bytes = [...readFileSync(file)];
  const name = file.split('/').pop()!;
  const dt = await page.evaluateHandle(
    ({ bytes, name }) => {
      const d = new DataTransfer();
      d.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' }));
      return d;
    },
    { bytes, name },
  );
  const canvas = page.getByTestId('canvas');
  await canvas.dispatchEvent('dragenter', { dataTransfer: dt });
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await canvas.dispatchEvent('drop', { dataTransfer: dt });
  await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
  await app.waitReady();
  const imgs = await app.images();
  expect(imgs.map((i) => [i.name, i.status])).toEqual([[name, 'done']]);
});
