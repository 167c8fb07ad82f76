/**
 * The analyser's WBC count, typed as a technician types it: key by key, with a leading zero (a leukopenic
 * 0.8), a decimal comma, or a count per µL by mistake. What the field shows is what the report uses.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';

const stored = (page: import('@playwright/test').Page) => page.evaluate(() => window.__smearcount.sample().wbcCount);

test('the WBC count field keeps what is typed, reads a decimal comma, and says when it is no count', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const wbc = page.getByTestId('sample-wbc');
  const typed = async (text: string) => {
    await wbc.fill('');
    await wbc.pressSequentially(text, { delay: 30 });
  };
  // a leading zero stays (it vanished: "0.8" read ".8", and "0,8" became 8, ten times the count)
  await typed('0.8');
  await expect(wbc).toHaveValue('0.8');
  expect(await stored(page)).toBe(0.8);
  await typed('0,8');
  await expect(wbc).toHaveValue('0,8');
  expect(await stored(page)).toBe(0.8);
  await expect(page.getByTestId('sample-wbc-error')).toHaveCount(0);
  await typed('12.5');
  expect(await stored(page)).toBe(12.5);
  // no count: said, and nothing stored (no absolute counts on the report)
  await typed('0');
  await expect(wbc).toHaveValue('0');
  expect(await stored(page)).toBeNull();
  await expect(page.getByTestId('sample-wbc-error')).toContainText('more than 0');
  await typed('6400');
  expect(await stored(page)).toBeNull();
  await expect(page.getByTestId('sample-wbc-error')).toContainText('per µL');
  await typed('abc');
  expect(await stored(page)).toBeNull();
  await expect(page.getByTestId('sample-wbc-error')).toBeVisible();
  await expect(wbc).toHaveAttribute('aria-invalid', 'true');
  // the record restored after a reload shows in the field
  await typed('4,25');
  expect(await stored(page)).toBe(4.25);
  await page.evaluate(() => window.__smearcount.flush());
  await page.reload();
  await expect(wbc).toHaveValue('4.25');
  await expect(page.getByTestId('sample-wbc-error')).toHaveCount(0);
});
