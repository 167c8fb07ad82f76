/**
 * The quality flags' sentences in the browser's locale: a German lab read "The cells look at least 2.9× larger"
 * beside "0,5" everywhere else on its page. The image: a third of a CBC field enlarged 3x (a 100x oil field, as in
 * flags.spec), made at test time; its flag's sentence gives how far off the cells are.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { oilField100x } from './data';
import { toPng } from '../scripts/nonSmear';

test.use({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });

test("a flag's figures on a German page have a decimal comma, on the notice and the thumbnail; the image keeps its flag code", async ({ page }) => {
  test.setTimeout(240_000);
  const { path: _path, ...oil } = await oilField100x();
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await page.getByTestId('file-input').setInputFiles([{ name: 'oil-100x.png', mimeType: 'image/png', buffer: toPng(oil) }]);
  await app.waitReady(200_000);
  const [img] = await page.evaluate(() => window.__smearcount.images());
  expect(img.flags).toContain('scale-out-of-range');
  await page.getByTestId('thumb').filter({ hasText: 'oil-100x.png' }).click();
  const notice = page.locator('[data-testid="flag-text"][data-flag="scale-out-of-range"]');
  await expect(notice).toContainText(/The cells look at least \d,\d× larger than usual/);
  await expect(notice).not.toContainText(/\d\.\d×/);
  await expect(page.locator('[data-testid="image-flag"][data-flag="scale-out-of-range"]')).toHaveAttribute('title', /at least \d,\d× larger/);
});
