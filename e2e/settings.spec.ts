import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

test('the score thresholds by keyboard and screen reader: each slider names its class and what it sets, speaks once, and the counts everywhere follow', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  const settings = page.locator('.sliders');
  // "RBC" alone did not say what the slider sets
  for (const c of ['RBC', 'WBC', 'Platelets']) await expect(settings.getByRole('slider', { name: `${c} score threshold` })).toHaveCount(1);
  await expect(settings.getByRole('slider', { name: 'NMS IoU' })).toHaveCount(1);
  // each value shown beside its slider was a live region too: every step was spoken twice
  await expect(settings.getByRole('status')).toHaveCount(0);
  await expect(settings.getByTestId('threshold-value-Platelets')).toHaveText('0.575');

  const before = await page.evaluate(() => window.__smearcount.summary().totals);
  expect(before.Platelets).toBeGreaterThan(0);
  const slider = settings.getByRole('slider', { name: 'Platelets score threshold' });
  await slider.focus();
  await page.keyboard.press('End');
  await expect(slider).toHaveValue('0.99');
  await expect(settings.getByTestId('threshold-value-Platelets')).toHaveText('0.99');
  // no platelet scores 0.99: none is counted, on this image, in the batch, on each thumbnail and in the report
  const after = await page.evaluate(() => window.__smearcount.summary().totals);
  expect(after).toEqual({ ...before, Platelets: 0 });
  await expect(page.getByTestId('count-Platelets')).toHaveText('0');
  await expect(page.getByTestId('total-Platelets')).toHaveText('0');
  for (const t of await page.getByTestId('thumb').all()) await expect(t).toContainText('PLT 0');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-cbc-Platelets').locator('td').nth(1)).toHaveText('0');
  await expect(page.getByTestId('report-settings')).toContainText('Platelets 0.99');
  await page.getByTestId('report-close').click();
  // Home brings it to the slider's floor, and every step is a count the panel shows at once
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(slider).toHaveValue('0.01');
  const low = await page.evaluate(() => window.__smearcount.summary().totals);
  expect(low.Platelets).toBeGreaterThanOrEqual(before.Platelets);
  await expect(page.getByTestId('total-Platelets')).toHaveText(String(low.Platelets));
});

test("Model defaults restores the thresholds and NMS, and keeps the lab's count rule (the microscope profile's)", async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  const defaults = page.getByRole('button', { name: 'Model defaults' });
  await expect(defaults).toBeDisabled();
  await page.getByTestId('count-rule').selectOption('top-left');
  // the count rule alone is no model setting to restore
  await expect(defaults).toBeDisabled();
  await page.getByTestId('threshold-RBC').fill('0.8');
  await expect(defaults).toBeEnabled();
  await defaults.click();
  await expect(page.getByTestId('threshold-value-RBC')).toHaveText('0.475');
  await expect(page.getByTestId('count-rule')).toHaveValue('top-left');
  await expect(page.getByTestId('profile-settings')).toContainText('two-edge rule');
  await page.reload();
  await expect(page.getByTestId('count-rule')).toHaveValue('top-left');
});
