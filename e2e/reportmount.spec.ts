/**
 * The print report exists only while it is previewed or printed (issue 24: mounted all the time, it
 * re-rendered on every update of a batch). Printing must still find it: print media (what Playwright's
 * emulateMedia fires), the browser's beforeprint (Ctrl+P: it must be in the DOM when the event returns),
 * and the release button's window.print().
 */
import { expect, test } from '@playwright/test';
import { AppPage, releaseReport } from './app.po';
import { testingImages } from './data';

test.setTimeout(600_000);

test('the report is mounted only while previewed or printed, and is there when printing starts', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady(300_000);
  const report = page.getByTestId('report');
  await expect(report).toHaveCount(0);

  // print media (emulateMedia fires matchMedia('print') change, not beforeprint)
  await page.emulateMedia({ media: 'print' });
  await expect(report).toBeVisible();
  await expect(page.locator('.report-images tbody tr')).toHaveCount(2 + 2);
  await page.emulateMedia({ media: 'screen' });
  await expect(report).toHaveCount(0);

  // Ctrl+P: the report and its thumbnails are in the DOM as soon as beforeprint returns, with no render between
  const atPrint = await page.evaluate(() => {
    window.dispatchEvent(new Event('beforeprint'));
    const r = document.querySelector('[data-testid="report"]');
    return { report: !!r, rows: r?.querySelectorAll('.report-images tbody tr').length ?? 0, thumbs: r?.querySelectorAll('img.thumb-img').length ?? 0 };
  });
  expect(atPrint).toEqual({ report: true, rows: 2 + 2, thumbs: 2 });
  await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
  await expect(report).toHaveCount(0);

  // the release button: the verification line is on the page when window.print() runs
  await page.evaluate(() => {
    window.print = () => {
      (window as unknown as { printed: string }).printed = document.querySelector('[data-testid="report-verification"]')?.textContent ?? 'no report';
    };
  });
  await page.getByTestId('export-report').click();
  await expect(report).toBeVisible();
  await page.getByTestId('report-sample').fill('S-24');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await releaseReport(page);
  await expect.poll(() => page.evaluate(() => (window as unknown as { printed?: string }).printed)).toContain('Verified by');
  await page.getByTestId('report-close').click();
  await expect(report).toHaveCount(0);
});
