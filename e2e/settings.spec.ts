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

test('on a projector (1920 px, a size up) and a phone, each slider\'s name and value fit their place: no value spills past the panel, no name breaks', async ({ page }) => {
  for (const viewport of [{ width: 1920, height: 1080 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(viewport);
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    const settings = page.locator('.sliders');
    if (!(await page.getByTestId('threshold-RBC').isVisible())) await settings.locator('h2').click();
    // a value of three decimals, the widest a threshold shows
    await page.getByTestId('threshold-RBC').fill('0.485');
    await expect(page.getByTestId('threshold-value-RBC')).toHaveText('0.485');
    const rows = await settings.locator('label:has(input[type=range])').evaluateAll((labels) =>
      labels.map((l) => {
        const name = l.querySelector('span')!;
        const value = l.querySelector('output')!;
        const lineHeight = parseFloat(getComputedStyle(name).lineHeight) || parseFloat(getComputedStyle(name).fontSize) * 1.3;
        return { name: name.textContent, valueFits: value.scrollWidth <= value.clientWidth, oneLine: name.getBoundingClientRect().height < 1.6 * lineHeight, nameFits: name.scrollWidth <= name.clientWidth };
      }),
    );
    expect(rows.length).toBe(5);
    for (const r of rows) expect(r, `${viewport.width} px: ${r.name}`).toEqual({ name: r.name, valueFits: true, oneLine: true, nameFits: true });
  }
});

test('a smear-estimate factor typed wrong (0, negative, absurd) is refused with why, the factor in force stays, and the field keeps what was typed', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const { factor, estimate } = await app.estimates('WBC');
  await factor.fill('2000');
  await expect(estimate).toContainText('× 2,000/µL');
  const good = await estimate.textContent();
  for (const [typed, why] of [
    ['-5', 'a factor is a number above 0'],
    ['0', 'a factor is a number above 0'],
    ['1e9', '1,000,000,000/µL is past any field factor'],
  ]) {
    await factor.fill(typed);
    // what was typed stays in the field (it was emptied, and the estimate turned off), the reason is given
    await expect(factor).toHaveValue(typed);
    await expect(factor).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('factor-error-WBC')).toContainText(why);
    await expect(page.getByTestId('factor-error-WBC')).toContainText('the factor in force stays 2,000');
    await expect(estimate).toHaveText(good!);
  }
  await factor.fill('3000');
  await expect(page.getByTestId('factor-error-WBC')).toHaveCount(0);
  await expect(factor).not.toHaveAttribute('aria-invalid', 'true');
  await expect(estimate).toContainText('× 3,000/µL');
  // emptied on purpose, the estimate is off
  await factor.fill('');
  await expect(estimate).toHaveText('');
});
