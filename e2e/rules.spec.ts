import { expect, test } from '@playwright/test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireData } from '../scripts/dataRoot';
import { AppPage } from './app.po';

/** CBC Training images: enough WBCs (one or more each) to reach a 100-cell differential. */
function trainingImages(n: number): string[] {
  const dir = join(requireData('cbc/Training', 'CBC Training'), 'Images');
  return readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, n).map((f) => join(dir, f));
}

test('the differential stops at its target with a notice; 200 is a setting; the report says what it rests on', async ({ page }) => {
  test.setTimeout(600_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(trainingImages(140));
  await app.waitReady(540_000);
  const st = await page.evaluate(() => window.__smearcount.differential());
  // "Verify all" skips the unsure cells: the batch needs 100 sure ones to reach the target that way
  expect(st.typed - st.unsure).toBeGreaterThanOrEqual(100);
  await expect(page.getByTestId('diff-released')).toHaveText('0 WBC verified (target 100)');
  // verify every group in the gallery
  await page.getByTestId('open-gallery').click();
  // The gallery is virtualised and a batch may lack a type: walk down it and verify each group whose
  // header comes into view.
  const scroller = page.getByTestId('gallery-scroll');
  await scroller.evaluate((el) => (el.scrollTop = 0));
  for (let step = 0; step < 500; step++) {
    for (const g of ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte', 'erythroblast']) {
      const b = page.getByTestId(`gallery-verify-group-${g}`);
      if ((await b.count()) && (await b.isEnabled())) await b.click();
    }
    const end = await scroller.evaluate((el) => {
      const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
      el.scrollTop += Math.max(100, el.clientHeight * 0.8);
      return atEnd;
    });
    if (end) break;
    await page.waitForTimeout(50);
  }
  await page.getByTestId('gallery-close').click();
  const after = await page.evaluate(() => window.__smearcount.differential());
  // "Verify all" leaves the unsure cells for one-by-one review
  expect(after.verified).toBe(st.typed - st.unsure);
  expect(after.verified).toBeGreaterThanOrEqual(100);
  // cells past the target are kept apart: the differential rests on exactly the target
  expect(after.basedOn).toBe(100);
  const over = after.over;
  // the target is reached and the count does not pass it silently
  await expect(page.getByTestId('notice-differential').first()).toContainText('Differential target reached: 100 verified WBC');
  if (over > 0) {
    await expect(page.getByTestId('diff-released')).toHaveText(`100 WBC verified: target 100 reached, ${over} beyond it (kept apart)`);
    await expect(page.getByTestId('notice-differential').nth(1)).toContainText('gone past its target of 100');
  } else await expect(page.getByTestId('diff-released')).toHaveText('100 WBC verified: target 100 reached');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-diff-basis')).toContainText(`on 100 verified cells (target 100)`);
  await expect(page.getByTestId('report-diff-warning')).toHaveCount(0);
  await page.getByRole('button', { name: 'Close' }).click();
  // a 200-cell target: not reached, and the report says so
  await page.getByTestId('diff-target').selectOption('200');
  const at200 = await page.evaluate(() => window.__smearcount.differential());
  expect(at200.basedOn).toBe(Math.min(200, after.verified));
  // the panel's "N of T" follows the setting
  await expect(page.getByTestId('diff-released')).toHaveText(`${at200.basedOn} WBC verified (target 200)`);
  await page.getByTestId('export-report').click();
  if (at200.releasable) await expect(page.getByTestId('report-diff-warning')).toContainText(`rests on ${at200.basedOn} cells, fewer than the target of 200`);
  else {
    // cells still unverified: no percentages, so no caution about them, and the report says why
    await expect(page.getByTestId('report-diff-unreleased')).toContainText(`${at200.basedOn} of 200 cells verified`);
    await expect(page.getByTestId('report-diff-warning')).toHaveCount(0);
  }
  // unsure cells are still unverified: below the target, nothing is released
  if (st.unsure > 0) await expect(page.getByTestId('report-pct-neutrophil')).toHaveText('–');
});
