/**
 * The report as a clinician gets it: Chromium's print to PDF (A4) of an 8-image batch is one page of
 * results, then the appendix (per-image table) and the method on the next page. The page frame (lab,
 * sample ID, page number) is checked on the print layout; the PDF's pages are counted from its objects.
 */
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

/** Pages in a PDF as Chromium writes it (no object streams): its /Type /Page objects. */
const pdfPages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;

/** A4 at 96 CSS px per inch, less the 16 + 14 mm of the report's page margins. */
const A4_CONTENT_H = ((297 - 30) / 25.4) * 96;

test('8 images print as one A4 page of results, then the appendix and method; fields print as text or blank', async ({ page }, info) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(8));
  await app.waitReady(300_000);
  // a sample as a lab has it: the analyser's WBC count, and the WBCs verified in the gallery
  await page.getByTestId('sample-wbc').fill('6.4');
  await page.getByTestId('open-gallery').click();
  const verifyGroup = page.locator('[data-testid^="gallery-verify-group-"]:enabled');
  while ((await verifyGroup.count()) > 0) await verifyGroup.first().click();
  // "Verify all" leaves the unsure cells: a technician looks at each and verifies it (with fewer cells than
  // the target, the differential is released only when every WBC is verified)
  const unverified = page.locator('[data-testid="wbc-tile"][data-verified="no"]');
  while ((await unverified.count()) > 0) {
    await unverified.first().click();
    await page.getByTestId('gallery-verify').click();
  }
  await page.getByTestId('gallery-close').click();
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report')).toBeVisible();
  await expect(page.getByTestId('report-diff-basis')).toContainText(/on \d+ verified cells/);
  await expect(page.getByTestId('report-abs-neutrophil')).not.toHaveText('–');
  await page.getByTestId('report-lab').fill('Haematology, City Hospital');
  await page.getByTestId('report-sample').fill('S-2026-0815');
  await page.getByTestId('report-patient').fill('Doe, J. (MRN 104233)');
  // ward and operator left empty: on paper they are blanks, not the inputs' dark boxes

  await page.emulateMedia({ media: 'print' });
  const layout = await page.evaluate(() => {
    const h = (id: string) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect().height;
    const inputs = Array.from(document.querySelectorAll('.print-report input')).filter((e) => e.getClientRects().length > 0).length;
    const ward = document.querySelector('[data-testid="report-ward"]')!.parentElement!.querySelector('.print-value')!;
    const head = document.querySelector('.print-report .report-head')!.getBoundingClientRect().top;
    return {
      results: document.querySelector('[data-testid="report-results"]')!.getBoundingClientRect().bottom - head,
      appendix: h('report-appendix') + h('report-method'),
      inputs,
      wardText: ward.textContent,
      wardBg: getComputedStyle(ward).backgroundColor,
      rows: document.querySelectorAll('.report-images tbody tr').length,
      breakBefore: getComputedStyle(document.querySelector('[data-testid="report-appendix"]')!).breakBefore,
    };
  });
  // results (header, fields, counts, differential, verification) fit one page; the appendix of 8 images and the method fit the next
  expect(layout.results).toBeLessThan(A4_CONTENT_H);
  expect(layout.appendix).toBeLessThan(A4_CONTENT_H);
  expect(layout.breakBefore).toBe('page');
  expect(layout.rows).toBe(8 + 2);
  expect(layout.inputs).toBe(0);
  expect(layout.wardText).toBe('');
  expect(layout.wardBg).toBe('rgba(0, 0, 0, 0)');
  // the page frame carries the lab and the sample ID on every page, and the page number
  const frame = await page.locator('[data-testid="report"] style').textContent();
  expect(frame).toContain('@top-left { content: "Haematology, City Hospital"');
  expect(frame).toContain('@top-right { content: "Sample ID S-2026-0815"');
  expect(frame).toContain('counter(page) " of " counter(pages)');

  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  writeFileSync(info.outputPath('report-8-images.pdf'), pdf);
  expect(pdfPages(pdf)).toBe(2);
});
