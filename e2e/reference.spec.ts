import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

test("the lab's reference intervals are edited, checked, kept on the device and used by the report", async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(3));
  await app.waitReady();
  // the report releases verified cells only: verify every WBC there is (unsure ones too, one by one)
  await page.getByTestId('open-gallery').click();
  const tiles = page.getByTestId('wbc-tile');
  await expect(tiles.first()).toBeVisible();
  // (a verified tile moves within its group: always take the first unverified one)
  const open = page.locator('[data-testid="wbc-tile"][data-verified="no"]');
  for (let left = await open.count(); left > 0; left--) {
    await open.first().click();
    await page.getByTestId('gallery-verify').click();
    await expect(open).toHaveCount(left - 1);
  }
  await page.getByTestId('gallery-close').click();
  const st = await page.evaluate(() => window.__smearcount.differential());
  expect(st).toMatchObject({ unverified: 0, untyped: 0, releasable: true, reached: false });
  await page.getByTestId('diff-basis').selectOption('all');
  await page.getByTestId('reference-editor').locator('summary').click();
  await expect(page.getByTestId('ref-percent-low-neutrophil')).toHaveValue('40'); // adult defaults
  // every end of every interval is inside the panel and the window, editable (the ×10⁹/L high column was cut off)
  const edge = await page.getByTestId('reference-editor').evaluate((el) => ({ right: el.getBoundingClientRect().right, vw: innerWidth }));
  const inputs = await page.getByTestId('reference-editor').locator('input[inputmode]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, width: r.width })));
  expect(inputs.length).toBe(4 * 6 + 2);
  for (const r of inputs) {
    expect(r.right).toBeLessThanOrEqual(Math.min(edge.right, edge.vw) + 0.5);
    expect(r.width).toBeGreaterThan(30);
  }

  // a reversed interval is refused with a message, and nothing changes
  await page.getByTestId('ref-percent-low-neutrophil').fill('80');
  await page.getByTestId('ref-percent-high-neutrophil').fill('40');
  await page.getByTestId('reference-save').click();
  await expect(page.getByTestId('reference-error')).toContainText('low <= high');
  await page.getByTestId('reference-cancel').click();
  await expect(page.getByTestId('ref-percent-low-neutrophil')).toHaveValue('40');
  // half an interval is refused too
  await page.getByTestId('ref-percent-high-monocyte').fill('');
  await page.getByTestId('reference-save').click();
  await expect(page.getByTestId('reference-error')).toContainText('give both ends');
  await page.getByTestId('reference-cancel').click();
  // a percentage over 100 (a slip for 40-80) is refused too: no count could read H against it (audit 2026-12-07, report)
  await page.getByTestId('ref-percent-high-neutrophil').fill('800');
  await page.getByTestId('reference-save').click();
  await expect(page.getByTestId('reference-error')).toContainText('Neutrophils (%): a percentage of the differential is at most 100');
  await page.getByTestId('reference-cancel').click();
  await expect(page.getByTestId('ref-percent-high-neutrophil')).toHaveValue('80');

  // a lab's own table: neutrophils 0-1% (so this batch reads H), a named source
  await page.getByTestId('ref-percent-low-neutrophil').fill('0');
  await page.getByTestId('ref-percent-high-neutrophil').fill('1');
  await page.getByTestId('reference-source').fill('Lab X adult intervals, 2026');
  await page.getByTestId('reference-save').click();
  await expect(page.getByTestId('reference-error')).toHaveCount(0);
  await expect(page.getByTestId('reference-source-shown')).toContainText('Lab X adult intervals, 2026');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-reference')).toContainText('Lab X adult intervals, 2026');
  const neu = Number(await page.getByTestId('report-pct-neutrophil').textContent());
  expect(neu).toBeGreaterThan(1);
  // fewer cells than the target: no H/L without the technician's reason, which the report then prints
  await expect(page.getByTestId('report-short-noflags')).toBeVisible();
  await expect(page.getByTestId('report-flag-neutrophil')).toHaveText('');
  await page.getByTestId('report-short-reason').fill(`leukopenia: ${st.basedOn} cells in 3 fields`);
  await expect(page.getByTestId('report-flag-neutrophil')).toContainText('H');
  await page.keyboard.press('Escape');

  // lab settings outlive the page and "Clear session" (they belong to the lab, not to the sample)
  await page.evaluate(() => window.__smearcount.flush());
  await page.reload();
  await app.waitReady();
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('clear-session').click();
  await expect(page.getByTestId('diff-basis')).toHaveValue('all');
  await page.getByTestId('reference-editor').locator('summary').click();
  await expect(page.getByTestId('ref-percent-high-neutrophil')).toHaveValue('1');
  await expect(page.getByTestId('reference-source-shown')).toContainText('Lab X adult intervals, 2026');

  // back to the adult defaults
  await page.getByTestId('reference-reset').click();
  await expect(page.getByTestId('ref-percent-high-neutrophil')).toHaveValue('80');
  await expect(page.getByTestId('reference-source-shown')).toContainText('Dacie and Lewis');
});
