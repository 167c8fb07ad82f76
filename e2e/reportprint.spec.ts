/**
 * The report as a clinician gets it: Chromium's print to PDF (A4) of an 8-image batch is one page of
 * results, then the appendix (per-image table) and the method on the next page. The page frame (lab,
 * sample ID, page number) is checked on the print layout; the PDF's pages are counted from its objects.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { expect, test } from '@playwright/test';
import { AppPage, releaseReport } from './app.po';
import { testingImages } from './data';
import { pdfPageTexts } from './pdfText';
import { nonSmearPictures, toPng } from '../scripts/nonSmear';

/** Pages in a PDF as Chromium writes it (no object streams): its /Type /Page objects. */
const pdfPages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;

/** A4 at 96 CSS px per inch, less the 16 + 14 mm of the report's page margins. */
const A4_CONTENT_H = ((297 - 30) / 25.4) * 96;
/** Each page's size in points, as Chromium writes its /MediaBox [0 0 w h]. */
const pdfMediaBoxes = (pdf: Buffer) => [...pdf.toString('latin1').matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => `${Math.floor(Number(m[1]))} ${Math.floor(Number(m[2]))}`);

test('8 images print as one A4 page of results, then the appendix and method; fields print as text or blank', async ({ page }, info) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(8));
  await app.waitReady(300_000);
  // a sample as a lab has it: the analyser's WBC count, and the WBCs verified in the gallery
  await page.getByTestId('sample-wbc').fill('6.4');
  await page.getByTestId('sample-collected').fill('2026-11-30T08:15');
  await page.getByTestId('sample-received').fill('2026-11-30T09:40');
  await page.getByTestId('sample-notes').fill('Slide 2, thin area\nsecond line: check');
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
  // fewer cells than the target: H/L only with the technician's reason, and then only where the count supports them
  const st = await page.evaluate(() => window.__smearcount.differential());
  expect(st.basedOn).toBeLessThan(st.target);
  await page.getByTestId('report-short-reason').fill(`leukopenia: ${st.basedOn} cells in 8 fields`);
  // audit M1: 0 basophils of a few cells is 0.00 ×10⁹/L against 0.02-0.10, but that count cannot call it low
  // (0 of n <= 200 cells can be 1.8% or more of the WBCs: >= 0.12 ×10⁹/L at WBC 6.4)
  expect(st.released.counts.basophil).toBe(0); // none in these 8 fields
  await expect(page.getByTestId('report-abs-basophil')).toHaveText('0.00');
  await expect(page.getByTestId('report-flag-basophil')).not.toContainText('L');
  await expect(page.getByTestId('report-flag-note-basophil')).toHaveText('*');
  await expect(page.getByTestId('report-flag-withheld')).toContainText('too few cells to call H/L (');
  await expect(page.getByTestId('report-flag-withheld')).toContainText('Basophils L (abs)');
  // immature granulocytes have no reference interval: said, not left blank
  await expect(page.getByTestId('report-flag-note-immature_granulocyte')).toHaveText('no interval set');
  // audit L1: the sample's times read as the print time does (local, seconds, zone offset)
  await expect(page.getByTestId('report-sample-times')).toContainText(/Collected 2026-11-30T08:15:00[+-]\d\d:\d\d · received 2026-11-30T09:40:00[+-]\d\d:\d\d/);
  await expect(page.getByTestId('report-meta')).toContainText(/Printed \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d /);
  // audit L4: the ratio says what it is a ratio of; L5: no factor set is said, not an empty cell
  await expect(page.getByTestId('report-ratio-caveat')).toContainText('of the fields photographed, not of the blood');
  await expect(page.getByTestId('report-estimate-WBC')).toHaveText('not set');
  await expect(page.getByTestId('report-estimate-Platelets')).toHaveText('not set');
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
      // audit L2: the notes' second line is a line of its own on paper
      notesLines: ((r) => (r.selectNodeContents(document.querySelector('[data-testid="report-notes"]')!), new Set(Array.from(r.getClientRects(), (x) => Math.round(x.top))).size))(document.createRange()),
      rows: document.querySelectorAll('.report-images tbody tr').length,
      breakBefore: getComputedStyle(document.querySelector('[data-testid="report-appendix"]')!).breakBefore,
      // the text sizes on paper, in CSS px (1 pt = 4/3 px): the body, and the differential's footnotes
      bodyPx: parseFloat(getComputedStyle(document.querySelector('[data-testid="report-apart"]')!).fontSize),
      footnotePx: parseFloat(getComputedStyle(document.querySelector('[data-testid="report-reference"]')!).fontSize),
      lineHeight: parseFloat(getComputedStyle(document.querySelector('[data-testid="report-apart"]')!).lineHeight),
    };
  });
  // results (header, fields, counts, differential, verification) fit one page; the appendix of 8 images and the method fit the next
  expect(layout.results).toBeLessThan(A4_CONTENT_H);
  expect(layout.appendix).toBeLessThan(A4_CONTENT_H);
  expect(layout.breakBefore).toBe('page');
  // fitting Letter made no text smaller: the body 11 pt, the footnotes 9 pt as before, at a leading a book has
  expect(layout.bodyPx).toBeCloseTo((11 * 4) / 3, 1);
  expect(layout.footnotePx).toBeCloseTo((9 * 4) / 3, 1);
  expect(layout.lineHeight / layout.bodyPx).toBeGreaterThanOrEqual(1.2);
  expect(layout.rows).toBe(8 + 2);
  expect(layout.inputs).toBe(0);
  expect(layout.wardText).toBe('');
  expect(layout.wardBg).toBe('rgba(0, 0, 0, 0)');
  expect(layout.notesLines).toBe(2);
  // the page frame carries the lab and the sample ID on every page, and the page number
  const frame = await page.locator('[data-testid="report"] style').textContent();
  expect(frame).toContain('@top-left { content: "Haematology, City Hospital"');
  expect(frame).toContain('@top-right { content: "Sample ID S-2026-0815"');
  expect(frame).toContain('counter(page) " of " counter(pages)');

  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  writeFileSync(info.outputPath('report-8-images.pdf'), pdf);
  expect(pdfPages(pdf)).toBe(2);
  // a US lab's printer holds Letter (279 mm, 18 mm shorter than A4): the report is laid out on that paper, not
  // on A4 pages a Letter sheet cuts or shrinks, and each page's foot says what it is
  const letter = await page.pdf({ format: 'Letter', preferCSSPageSize: true });
  writeFileSync(info.outputPath('report-8-images-letter.pdf'), letter);
  expect(pdfMediaBoxes(pdf)).toEqual(['595 842', '595 842']);
  const squash = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');
  const letterPages = pdfPageTexts(letter).map(squash);
  expect(pdfMediaBoxes(letter)).toEqual(letterPages.map(() => '612 792'));
  const where = letterPages.join('\n---\n');
  // on the shorter page too the results are one page, the appendix and the method the next, as on A4 (they took
  // two pages there, the differential and the sign-off on the second, and the appendix a third)
  expect(letterPages, where).toHaveLength(2);
  expect(letterPages[0], where).toContain(squash('Counted (cells)'));
  expect(letterPages[0], where).toContain(squash('Kept apart from the differential'));
  expect(letterPages[0], where).toContain(squash('not a diagnosis'));
  expect(letterPages[1], where).toContain(squash('Appendix A'));
  expect(letterPages[1], where).toContain(squash('Appendix B'));
  for (const [i, p] of letterPages.entries()) {
    expect(p, where).toContain(squash('PRELIMINARY: not verified, not for clinical use'));
    expect(p, where).toContain(squash(`Page ${i + 1} of ${letterPages.length}`));
  }

  // audit L3: squeezed to its narrowest, a file name wraps after a separator (_ - .), never mid-number
  const lines = await page.evaluate(() => {
    const td = document.querySelector<HTMLElement>('.report-images td.name')!;
    td.style.width = '1px';
    const out: string[] = [];
    let top: number | null = null;
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.textContent!.length; i++) {
        const r = document.createRange();
        r.setStart(n, i);
        r.setEnd(n, i + 1);
        const y = r.getClientRects()[0]?.top;
        if (y === undefined) continue;
        if (top === null || y > top + 2) out.push('');
        top = y;
        out[out.length - 1] += n.textContent![i];
      }
    }
    return out;
  });
  expect(lines.length).toBeGreaterThan(1);
  for (const l of lines.slice(0, -1)) expect(l, lines.join(' / ')).toMatch(/[_\-.\s]$/);
});

// A batch whose page 1 ran one line over (3 fields, 6 refused files listed, one edit): page 2 held only
// "…not a diagnosis…", away from the figures it qualifies, and the appendix followed on page 3 (audit s49).
// Where page 1 ends depends on every line above, so the notes grow a line at a time past that point.
test('"not a diagnosis" prints on the page of the verification and review lines, never alone', async ({ page }, info) => {
  test.setTimeout(600_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const good = testingImages(3);
  const png1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  await page.getByTestId('file-input').setInputFiles([
    ...good.map((f) => ({ name: basename(f), mimeType: 'image/jpeg', buffer: readFileSync(f) })),
    { name: 'truncated.jpg', mimeType: 'image/jpeg', buffer: readFileSync(good[0]).subarray(0, 20_000) },
    { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not an image, a text file renamed') },
    { name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) },
    { name: 'tiny.png', mimeType: 'image/png', buffer: png1x1 },
  ]);
  await app.waitReady(300_000);
  // one edit: a line on page 1 ("Changed by hand: 1 box deleted")
  await page.keyboard.press('u');
  await page.keyboard.press('Delete');
  await page.getByTestId('sample-id').fill('S-49');
  await page.getByTestId('sample-operator').fill('J. Tech');
  // compared without spaces (the PDF places some glyphs one by one) and with ligatures undone ("ﬁ")
  const squash = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');
  let overflowed = 0;
  for (let n = 0; n <= 30; n += 2) {
    await page.getByTestId('sample-notes').fill(Array.from({ length: n }, (_, k) => `note ${k + 1}`).join('\n'));
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-edits')).toContainText('1 box deleted');
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    const pages = pdfPageTexts(pdf).map(squash);
    const at = pages.findIndex((p) => p.includes(squash('not a diagnosis')));
    if (at !== 0 || n === 30) writeFileSync(info.outputPath(`report-notes-${n}.pdf`), pdf);
    const where = `with ${n} lines of notes:\n${pages.join('\n---\n')}`;
    expect(at, where).toBeGreaterThanOrEqual(0);
    // with the lines it belongs with; the appendix starts a page of its own after them
    for (const line of ['Not yet verified', 'Boxes reviewed on 0 of 3 images', 'Changed by hand']) expect(pages[at], where).toContain(squash(line));
    expect(pages[at], where).not.toContain(squash('Appendix A'));
    expect(pages.slice(at + 1).join(''), where).toContain(squash('Appendix A'));
    if (at > 0) overflowed++;
    await page.emulateMedia({ media: 'screen' });
    await page.getByTestId('report-close').click();
  }
  // the notes did push the sign-off past page 1 (else the case was never tried)
  expect(overflowed).toBeGreaterThan(0);
});

// A released 30-image report filled page 1 of A4 to 1,007 of its 1,009 px (report audit, 2026-12-07): one line
// more (a long sample ID, a long name, a flag) and the sign-off went over with the differential, away from the
// counts it signs, or the counts went on alone. The results and their sign-off are one block on paper: they move
// to the next page together. Here page 1 is made to run over by shortening the paper a line or a few at a time
// (the release stays: a longer note would withdraw it).
test('the sign-off never parts from the results it signs, with a long sample ID and a long name', async ({ page }, info) => {
  test.setTimeout(300_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(3));
  await app.waitReady(300_000);
  const id = 'S-2026-HAEMATOLOGY-0000815-REPEAT-FILM-B';
  const name = 'Dr. Maria-Magdalena Fernández-Oyarzábal de la Concepción (BMS, senior)';
  await page.getByTestId('export-report').click();
  await page.getByTestId('report-lab').fill('Haematology, City Hospital');
  await page.getByTestId('report-sample').fill(id);
  await page.getByTestId('report-verified-by').fill(name);
  await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText(`Released · verified by ${name} at `);
  await page.setViewportSize({ width: 703, height: 900 }); // A4's text width
  await page.emulateMedia({ media: 'print' });
  // what page 1 holds, in CSS px from the report's top to the sign-off's foot, and the sample ID and the name whole
  // within the page's width
  const m = await page.evaluate(() => {
    const box = (id: string) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect();
    const report = box('report');
    const sampleValue = document.querySelector('[data-testid="report-sample"]')!.parentElement!.querySelector('.print-value')!.getBoundingClientRect();
    const byValue = document.querySelector('[data-testid="report-verified-by"]')!.parentElement!.querySelector('.print-value')!.getBoundingClientRect();
    return { top: report.top, results: box('report-results').bottom - report.top, right: report.right, sample: sampleValue.right, by: byValue.right, head: box('report-results').top - report.top };
  });
  expect(m.sample).toBeLessThanOrEqual(m.right);
  expect(m.by).toBeLessThanOrEqual(m.right);
  const squash = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');
  const signs = ['Cell counts', 'Counted (cells)', 'WBC differential', 'Kept apart from the differential', 'Boxes reviewed on', `Verified by ${name} at`, 'not a diagnosis'];
  // A4 (page 1 has room to spare here), then papers whose text area is 4 px to a few lines shorter than page 1
  const papers: [string, { format?: 'A4'; width?: string; height?: string }][] = [['A4', { format: 'A4' }]];
  for (const short of [4, 12, 30, 60]) papers.push([`${short} px short`, { width: '210mm', height: `${((m.results - short) / 96) * 25.4 + 30}mm` }]);
  for (const [what, paper] of papers) {
    const pdf = await page.pdf({ ...paper, preferCSSPageSize: !paper.height });
    const pages = pdfPageTexts(pdf).map(squash);
    const where = `${what}:\n${pages.join('\n---\n')}`;
    if (what !== 'A4') writeFileSync(info.outputPath(`report-signoff-${what.replace(/ /g, '-')}.pdf`), pdf);
    const at = pages.findIndex((p) => p.includes(squash('not a diagnosis')));
    expect(at, where).toBeGreaterThanOrEqual(0);
    // every part of the results on the sign-off's page, in order, and the appendix after it
    const text = pages[at];
    const order = signs.map((s) => text.indexOf(squash(s)));
    expect(order.every((x) => x >= 0), `${where}\n${JSON.stringify(order)}`).toBe(true);
    expect([...order].sort((a, b) => a - b), where).toEqual(order);
    expect(text, where).not.toContain(squash('Appendix A'));
    // the long sample ID whole in every page's frame
    for (const p of pages) expect(p, where).toContain(squash(`Sample ID ${id}`));
    // on A4 all of it on page 1; on a paper a little short of it, all of it on page 2 (so the case was tried)
    expect(at, where).toBe(what === 'A4' ? 0 : 1);
  }
});

// A released report of a small batch, a picture left out of the counts and another accepted by hand (report audit,
// 2026-12-07): the flags' legend (five sentences) sat between the results and their sign-off, which made them too
// long for page 1 under the page's header; kept whole, they went to page 2 and ran over to a page 3 that held the
// legend's end and the sign-off alone. The legend is under Appendix A's Flags column now; page 1 names each flagged
// image and what became of it.
test('a released small batch with a flagged image left out and one accepted prints its results and sign-off on page 1', async ({ page }, info) => {
  test.setTimeout(300_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  const pics = nonSmearPictures();
  for (const n of ['checkerboard', 'pink-noise']) {
    await page.getByTestId('file-input').setInputFiles({ name: `${n}.png`, mimeType: 'image/png', buffer: toPng(pics.find((p) => p.name === n)!) });
    await app.waitReady();
  }
  await page.getByTestId('thumb').filter({ hasText: 'pink-noise.png' }).click();
  await page.getByTestId('accept-flags').click();
  await page.getByTestId('export-report').click();
  await page.getByTestId('report-sample').fill('S-51');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText('Released · verified by C. Doe at ');
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
  writeFileSync(info.outputPath('report-flagged.pdf'), pdf);
  const squash = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');
  const pages = pdfPageTexts(pdf).map(squash);
  const where = pages.join('\n---\n');
  expect(pages, where).toHaveLength(2);
  for (const s of ['Cell counts', 'Flagged images: checkerboard.png', 'left out of the counts', 'counted: accepted by the technician', 'Boxes reviewed on 0 of 3 images in the counts', 'Verified by C. Doe at', 'not a diagnosis']) expect(pages[0], where).toContain(squash(s));
  // what each flag means, under the column that shows them
  expect(pages[1].indexOf(squash('not a smear:')), where).toBeGreaterThan(pages[1].indexOf(squash('Appendix A')));
});
