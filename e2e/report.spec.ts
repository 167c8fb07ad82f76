import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';
import { readCsv } from './csv';
import { readFileSync as readCard } from 'node:fs';
import { smearEstimate } from '../src/core/counts/estimate';
import { pdfPageTexts } from './pdfText';
import { nonSmearPictures, toPng } from '../scripts/nonSmear';

// The shipped card's post-processing, as the report states it.
const card = JSON.parse(readCard(new URL('../models/smearcount-frcnn.json', import.meta.url), 'utf8'));

test('the report preview holds the model version, the settings, the reviewed count and the differential', async ({ page }) => {
  const app = new AppPage(page);
  // counted on one thread; the next session below runs two
  await app.open('?backend=wasm&threads=1');
  await app.drop(testingImages(3));
  await app.waitReady();
  await page.getByTestId('reviewed').check(); // the current image is reviewed
  await page.getByTestId('export-report').click();
  const report = page.getByTestId('report');
  await expect(report).toBeVisible();
  await expect(page.getByTestId('report-meta')).toContainText('reviewed 1 of 3');
  await expect(page.getByTestId('report-meta')).toContainText('model smearcount-frcnn (sha256');
  await expect(page.getByTestId('report-meta')).toContainText(/Printed \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d by smearcount \d+\.\d+\.\d+(\+[0-9a-f]+)? /);
  const pp = card.postprocess;
  await expect(page.getByTestId('report-settings')).toContainText(
    `thresholds RBC ${pp.score_thresholds.RBC}, WBC ${pp.score_thresholds.WBC}, Platelets ${pp.score_thresholds.Platelets}; NMS IoU ${pp.nms_iou}`,
  );
  await expect(page.getByTestId('report-count-rule')).toContainText('every visible cell');
  await expect(page.getByTestId('report-differential')).toBeVisible();
  // the engine recorded on the images when they were counted
  await expect(page.getByTestId('report-meta')).toContainText('counted by engine wasm × 1 thread');
  await expect(page.getByTestId('report-edits')).toHaveText('No box or WBC type was changed by hand.');
  await page.getByTestId('report-sample').fill('S-042');
  await page.getByTestId('report-operator').fill('AB');
  await page.evaluate(() => window.__smearcount.flush()); // committed, as the status's "Ready" says
  // another session, on two threads: the batch is restored, not counted again, so its engine stays
  await app.open('?backend=wasm&threads=2');
  await app.waitReady();
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-sample')).toHaveValue('S-042'); // kept on this device
  await expect(page.getByTestId('report-meta')).toContainText('counted by engine wasm × 1 thread');
  await expect(page.getByTestId('report-meta')).not.toContainText('wasm-threads');
  await page.getByTestId('report-close').click();
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const json = JSON.parse(readCard((await d.path())!, 'utf8'));
  expect(json.models).toMatchObject({ engine: 'wasm', threads: 1, engines: [{ backend: 'wasm', threads: 1, images: 3 }] });
  expect(json.images.map((i: { engine: string }) => i.engine)).toEqual(['wasm x1', 'wasm x1', 'wasm x1']);
});

test('smear estimates are off until a factor is set, then show their formula', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  await expect(page.getByTestId('estimates')).toContainText('Smear estimates (off)');
  await expect(page.getByTestId('estimate-WBC')).toHaveText('');
  // on the report, a factor not set is said, not an empty cell (RBC has no smear estimate)
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-estimate-WBC')).toHaveText('not set');
  await expect(page.getByTestId('report-estimate-Platelets')).toHaveText('not set');
  await expect(page.getByTestId('report-estimate-RBC')).toHaveText('–');
  await page.getByTestId('report-close').click();
  await page.getByTestId('estimates').locator('summary').click();
  await page.getByTestId('factor-WBC').fill('2000');
  const total = await app.count('WBC', 'total');
  const mean = total / 2;
  const perL9 = (mean * 2000) / 1000;
  const shown = perL9.toFixed(1 - Math.floor(Math.log10(perL9))); // two significant figures (a WBC estimate is under 100 ×10⁹/L)
  // with its sampling error: the exact Poisson interval of the WBCs counted in 2 fields (the arithmetic is
  // unit-tested against scipy in estimate.test.ts), and the fields a ±20% estimate would need
  const e = smearEstimate(mean, 2000, { total, fields: 2, dispersion: 1 });
  expect(e.value).toBe(`≈ ${shown} ×10⁹/L`);
  expect(e.interval!.low).toBeLessThan(perL9);
  expect(e.interval!.high).toBeGreaterThan(perL9);
  const more = e.moreFields ? `. About ${e.moreFields} more field${e.moreFields === 1 ? '' : 's'} for ±20%.` : '';
  await expect(page.getByTestId('estimate-WBC')).toHaveText(
    `${mean.toFixed(2)} per field × 2,000/µL = ≈ ${shown} ×10⁹/L (estimate; ${e.intervalText}, ${total} in 2 fields)${more}`,
  );
  // the report prints the same, in the analyser's unit, with the factor and the count that made it
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-estimate-WBC')).toHaveText(
    `≈ ${shown} ×10⁹/L, ${e.intervalText} (${mean.toFixed(2)} per field × 2,000/µL; ${total} in 2 fields)${e.moreFields ? `; ±20% needs about ${e.moreFields} more field${e.moreFields === 1 ? '' : 's'}` : ''}`,
  );
  await page.getByTestId('report-close').click();
  // Changing settings is marked beside the counts.
  await expect(page.getByTestId('settings-changed')).toHaveCount(0);
  await page.getByTestId('count-rule').selectOption('interior');
  await expect(page.getByTestId('settings-changed')).toBeVisible();
});

test('with no WBC counted the report says so: no differential, and no "one WBC per n RBC"', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  await app.selectImage(0);
  // the field's WBCs relabelled RBC, as a technician corrects them: none is left
  const wbcs = (await app.current())!.detections.filter((d) => d.cls === 'WBC');
  expect(wbcs.length).toBeGreaterThan(0);
  for (const d of wbcs) {
    await page.evaluate((id) => window.__smearcount.selectBox(id), d.id);
    await page.keyboard.press('1');
  }
  await expect(page.getByTestId('count-WBC')).toHaveText('0');
  await expect(page.getByTestId('ratio-wbc')).toHaveText('none');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report')).toBeVisible();
  await expect(page.getByTestId('report-no-differential')).toContainText('No WBC in the counted fields');
  await expect(page.getByTestId('report')).toContainText('WBC : RBC none');
  await expect(page.getByTestId('report-differential')).toHaveCount(0);
  // what was changed by hand, from the audit trail's terms: the boxes relabelled, on the report and its image's row
  const n = wbcs.length;
  await expect(page.getByTestId('report-edits')).toHaveText(`Changed by hand (net of undo; each step is in the audit trail): ${n} box${n === 1 ? '' : 'es'} relabelled.`);
  await expect(page.getByTestId('report-image-edits')).toHaveText(`${n} box${n === 1 ? '' : 'es'} relabelled`);
});

test('an image that could not be counted, or a file refused at the drop, is named on the report and in its JSON, not silently left out (audit 2026-12-05)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.dropUndecodable();
  await app.waitReady();
  await expect.poll(async () => (await app.images()).map((i) => i.status).sort()).toEqual(['done', 'error']);
  // two files the drop refuses before they become images (a JPEG cut short, an empty file); the notices
  // dismissed: the report and the exports must still name them (audit 2026-12-05, second)
  const whole = readCard(testingImages(1)[0]);
  await page.getByTestId('file-input').setInputFiles([
    { name: 'half-field.jpg', mimeType: 'image/jpeg', buffer: whole.subarray(0, 20000) },
    { name: 'empty-field.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) },
  ]);
  await expect(page.getByTestId('file-error').filter({ hasText: 'half-field.jpg' })).toBeVisible();
  await expect(page.getByTestId('file-error')).toHaveCount(3);
  await page.getByTestId('dismiss-all').click();
  await expect(page.getByTestId('file-error')).toHaveCount(0);
  expect(await app.images()).toHaveLength(2);
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-not-counted')).toContainText('Not in these figures: 3 files could not be counted (');
  await expect(page.getByTestId('report-not-counted')).toContainText('half-field.jpg: The image could not be decoded');
  await expect(page.getByTestId('report-not-counted')).toContainText('empty-field.jpg: The file is empty');
  await expect(page.getByTestId('report-not-counted')).toContainText('broken-field.png: ');
  await page.getByTestId('report-close').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const json = JSON.parse(readCard((await download.path())!, 'utf8'));
  expect(json.report.not_counted.counting).toBe(0);
  expect(json.report.not_counted.failed.map((f: { name: string }) => f.name).sort()).toEqual(['broken-field.png', 'empty-field.jpg', 'half-field.jpg']);
  // and in the counts CSV: a row of its own, with why, in no total
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csv = readCsv(readCard((await csvDownload.path())!, 'utf8'));
  const row = csv.rows.find((r) => r[0] === 'broken-field.png')!;
  expect(csv.get(row, 'flags')).toMatch(/^not-counted: /);
  expect(csv.get(row, 'in_totals')).toBe('false');
  for (const name of ['half-field.jpg', 'empty-field.jpg']) expect(csv.get(csv.rows.find((r) => r[0] === name)!, 'flags')).toMatch(/^not-counted: /);
  // TOTAL: no true/false in the per-image columns; how many images are in the totals, in a column of its own
  const total = csv.rows.find((r) => r[0] === 'TOTAL')!;
  expect([csv.get(total, 'in_totals'), csv.get(total, 'in_totals_images')]).toEqual(['', '1']);
});

test('the report says how many boxes of the counted fields the count rule left out, and why (audit 2026-12-06, release)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  await app.selectImage(0);
  // every visible cell counts: nothing found is left out
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-cbc-RBC')).toBeVisible();
  await expect(page.getByTestId('report-left-out-boxes')).toHaveCount(0);
  await page.getByTestId('report-close').click();
  // the stricter rule: the cells cut by the border are drawn faint and counted nowhere; the paper says how many
  await page.getByTestId('count-rule').selectOption('interior');
  const cut = await page.evaluate(() => window.__smearcount.excluded());
  expect(cut.length).toBeGreaterThan(0);
  const n = (c: string) => cut.filter((d) => d.cls === c).length;
  const parts = [['RBC', n('RBC')], ['WBC', n('WBC')], [n('Platelets') === 1 ? 'platelet' : 'platelets', n('Platelets')]].filter(([, k]) => k).map(([c, k]) => `${k} ${c}`);
  await page.getByTestId('export-report').click();
  // the rule is said beside the counts it made, on the results' page, not only in Appendix B (audit 2026-12-07, report)
  await expect(page.getByTestId('report-results').getByTestId('report-counts-rule')).toHaveText('Count rule: cells cut by the image border excluded.');
  await expect(page.getByTestId('report-left-out-boxes')).toHaveText(
    `Found by the detector on the counted fields but not counted as cells: ${parts.length > 1 ? `${cut.length} (${parts.join(', ')})` : parts[0]} cut by the image border, left out by the count rule (cells cut by the image border excluded).`,
  );
  await page.getByTestId('report-close').click();
  // and the JSON's report, beside the counts it qualifies
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const report = JSON.parse(readCard((await d.path())!, 'utf8')).report;
  expect(report.left_out_boxes.count_rule).toEqual({ RBC: n('RBC'), WBC: n('WBC'), Platelets: n('Platelets') });
});

test('Appendix A gives the boxes typed NRBC a column of their own, beside a WBC column that leaves them out as page 1 does (audit 2026-12-07, report)', async ({ page }) => {
  // an image whose one WBC was typed NRBC read "WBC 0" in Appendix A, the cell in no column of it, while
  // page 1 counted it apart as NRBC and the counts CSV gave it wbc 1, erythroblast 1
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  await page.getByTestId('open-gallery').click();
  const tile = page.getByTestId('wbc-tile').first();
  const [imageId] = (await tile.getAttribute('data-key'))!.split('/');
  await tile.click();
  await page.getByTestId('gallery-move-erythroblast').click();
  await page.getByTestId('gallery-close').click();
  const images = await app.images();
  const name = images.find((im) => im.id === imageId)!.name;
  const wbcBoxes = async (id: string) => (await page.evaluate((i) => { window.__smearcount.select(i); return window.__smearcount.current()!.detections.filter((d) => d.cls === 'WBC').length; }, id));
  const boxes = await wbcBoxes(imageId);
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-cbc-NRBC')).toContainText('NRBC1');
  const appendix = page.getByTestId('report-appendix');
  await expect(appendix.locator('th', { hasText: /^NRBC$/ })).toHaveCount(1);
  const row = appendix.locator('tr', { hasText: name });
  const cells = await row.locator('td').allInnerTexts();
  const head = await appendix.locator('thead th').allInnerTexts();
  const at = (h: string) => cells[head.findIndex((t) => t.trim() === h)].trim();
  expect({ WBC: at('WBC'), NRBC: at('NRBC') }).toEqual({ WBC: String(boxes - 1), NRBC: '1' });
  await expect(appendix.getByTestId('report-total-nrbc')).toHaveText('1');
  // and the column still fits a phone's preview (390 px: it pushed the table 50 px past the screen's edge)
  await page.setViewportSize({ width: 390, height: 844 });
  const fit = await page.getByTestId('report').evaluate((el) => ({ widest: Math.max(...Array.from(el.querySelectorAll('table, tr')).map((e) => e.getBoundingClientRect().right)), scroll: el.scrollWidth - el.clientWidth, inner: window.innerWidth }));
  expect(fit.widest).toBeLessThanOrEqual(fit.inner);
  expect(fit.scroll).toBeLessThanOrEqual(0);
});

test('the differential\'s NRBC row has a header of its own, per 100 WBC, on screen, on paper and in the PDF (audit 2026-12-07, report)', async ({ page }) => {
  // erythroblasts are per 100 WBC, outside the 100%; the table's one header put "%" and "Reference %" over the
  // NRBC row's figure and interval, as if they were a part of the differential
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  await page.getByTestId('open-gallery').click();
  await page.getByTestId('wbc-tile').first().click();
  await page.getByTestId('gallery-move-erythroblast').click();
  // every cell verified: the differential is printed, with "no interval set" in the Flag column (immature granulocytes)
  const verifyGroup = page.locator('[data-testid^="gallery-verify-group-"]:enabled');
  while ((await verifyGroup.count()) > 0) await verifyGroup.first().click();
  const unverified = page.locator('[data-testid="wbc-tile"][data-verified="no"]');
  while ((await unverified.count()) > 0) {
    await unverified.first().click();
    await page.getByTestId('gallery-verify').click();
  }
  await page.getByTestId('gallery-close').click();
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-flag-note-immature_granulocyte')).toHaveText('no interval set');
  await expect(page.getByTestId('report-row-erythroblast')).toBeVisible();
  // the header a reader finds above a cell: the nearest row of headers above it in its table, in the cell's column,
  // and whether that header is laid out above the cell (on paper too)
  const headOf = (testId: string) =>
    page.getByTestId(testId).evaluate((td) => {
      const tr = td.closest('tr')!;
      const col = Array.from(tr.children).indexOf(td);
      const rows = Array.from(td.closest('table')!.rows);
      const head = rows.slice(0, rows.indexOf(tr)).reverse().find((r) => r.querySelector('th'))!.children;
      const [h, c] = [head[col].getBoundingClientRect(), td.getBoundingClientRect()];
      const words = (e: Element) => e.textContent!.replace(/\s+/g, ' ').trim();
      return { text: [words(head[col]), words(head[col + 1])], above: h.bottom <= c.top && h.right > c.left && h.left < c.right };
    });
  for (const media of ['screen', 'print'] as const) {
    await page.emulateMedia({ media });
    expect(await headOf('report-pct-neutrophil'), media).toEqual({ text: ['%', 'Reference %'], above: true });
    expect(await headOf('report-pct-erythroblast'), media).toEqual({ text: ['per 100 WBC', 'Reference'], above: true });
  }
  // and within the text's width on A4 and on Letter (186 and 192 mm, 703 and 726 px): the header's words kept to a
  // line widened the table past the page, which cut the Flag column off, the H and L in it too
  for (const width of [703, 726]) {
    await page.setViewportSize({ width, height: 900 });
    const over = await page.getByTestId('report-differential').evaluate((t) => t.getBoundingClientRect().right - t.closest('[data-testid="report"]')!.getBoundingClientRect().right);
    expect(over, `${width} px`).toBeLessThanOrEqual(0);
  }
  // the PDF reads the same, in that order: the differential's rows, the NRBC header, the NRBC row
  const squash = (t: string) => t.normalize('NFKC').replace(/\s+/g, '');
  const text = squash(pdfPageTexts(await page.pdf({ format: 'A4', preferCSSPageSize: true }))[0]);
  const at = (s: string) => text.indexOf(squash(s));
  expect(at('Immature granulocytes')).toBeGreaterThan(at('Reference %'));
  expect(at('Outside the 100% n per 100 WBC Reference')).toBeGreaterThan(at('Immature granulocytes'));
  expect(at('Erythroblasts (NRBC)')).toBeGreaterThan(at('Outside the 100% n per 100 WBC Reference'));
  // each header's last column whole on the page ("Fl" where it was cut)
  expect(text.split('Flag').length - 1).toBe(2);
});

test('"Boxes reviewed" counts the images the report rests on, not a flagged image left out of the counts (audit 2026-12-07, report)', async ({ page }) => {
  // a field counted and not reviewed, and a picture flagged not-smear, left out of the totals, marked reviewed: the
  // sign-off read "Boxes reviewed on 1 of 2 images", as if half of what the counts rest on had been checked
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const grid = nonSmearPictures().find((p) => p.name === 'checkerboard')!;
  await page.getByTestId('file-input').setInputFiles({ name: 'checkerboard.png', mimeType: 'image/png', buffer: toPng(grid) });
  await app.waitReady();
  await expect(page.getByTestId('images-excluded')).toContainText('1 flagged');
  await page.getByTestId('thumb').filter({ hasText: 'checkerboard.png' }).click();
  await page.getByTestId('reviewed').check();
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-review')).toHaveText('Boxes reviewed on 0 of 1 image in the counts; the others are the detector’s counts, not checked by a person.');
  // Appendix B and the disclaimer say the same (they read "reviewed 1 of 2" and "reviewed where marked")
  await expect(page.getByTestId('report-meta')).toContainText(' · 2 images · reviewed 0 of 1 image in the counts (and 1 of 1 flagged image left out) · ');
  await expect(page.getByTestId('report-disclaimer')).toHaveText('Counts by an automated detector; not a diagnosis. Method and per-image counts in the appendix.');
  // and the check before a release says the same: no image the counts rest on was reviewed
  await page.getByTestId('report-sample').fill('S-33');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await page.getByTestId('report-print').click();
  await expect(page.getByTestId('report-confirm')).toContainText('No image was reviewed: the counts of the image are the detector\'s, not checked by a person.');
});
