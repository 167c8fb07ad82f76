import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { AppPage, releaseReport } from './app.po';
import { readCsv } from './csv';
import { testingImages } from './data';
import { nonSmearPictures, toPng } from '../scripts/nonSmear';

// Labs in Germany, Brazil, the US and India: the numbers and times a technician types, read as that lab writes
// them, and every time printed with the offset of the day it names.

test.describe('a German lab (de-DE, Europe/Berlin)', () => {
  test.use({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });

  test('a factor typed with a decimal comma or German thousands is read as meant and shown as a German writes it; an ambiguous one is refused, the factor in force kept', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const { factor, estimate } = await app.estimates('WBC');
    // typed key by key, as a technician does: before, a number field made "5,5" 55 and "15.000" 15, silently
    await factor.pressSequentially('5,5');
    await expect(factor).toHaveValue('5,5');
    // shown back as a German lab writes it (before: "× 5.5/µL" and "× 15,000/µL", fifteen there)
    await expect(estimate).toContainText('× 5,5/µL');
    await factor.fill('');
    await factor.pressSequentially('15.000');
    // the field keeps the text typed ("15.0" was not shown back as "15" on the way)
    await expect(factor).toHaveValue('15.000');
    await expect(estimate).toContainText('× 15.000/µL');
    await expect(estimate).toHaveText(/^\d+,\d\d per field × 15\.000\/µL = ≈ [\d.,]+ ×10⁹\/L \(estimate; 95% /);
    await expect(page.getByTestId('mean-RBC')).toHaveText(/^\d+,\d$/);
    await expect(page.getByTestId('threshold-value-Platelets')).toHaveText('0,575');
    await expect(page.getByTestId('factor-error-WBC')).toHaveCount(0);
    const good = await estimate.textContent();
    await factor.fill('2,000');
    await expect(page.getByTestId('factor-error-WBC')).toContainText('2,000 is 2000 in one country and 2 in another');
    await expect(page.getByTestId('factor-error-WBC')).toContainText('the factor in force stays 15.000');
    await expect(factor).toHaveValue('2,000');
    await expect(estimate).toHaveText(good!);
    // the counts CSV under a German browser: every number with a decimal point, none with a decimal comma
    // (a LIS reads these columns as numbers; the file is comma-separated for every country, as the README says)
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = readCsv(readFileSync((await d.path())!, 'utf8'));
    const cells = csv.rows.flat();
    expect(cells.filter((c) => /^-?\d+,\d+$/.test(c))).toEqual([]);
    expect(cells.some((c) => /^\d+\.\d+$/.test(c))).toBe(true);
    // the JSON too, and it says so; the printed report as the lab reads it
    const [j] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const json = JSON.parse(readFileSync((await j.path())!, 'utf8'));
    expect(json.report.number_format).toMatch(/decimal point/);
    expect(json.report.counts.WBC.estimate_printed).toContain('× 15,000/µL');
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-estimate-WBC')).toContainText('× 15.000/µL');
    await expect(page.getByTestId('report-cbc-RBC').locator('td').nth(2)).toHaveText(/^\d+,\d$/);
    await page.getByTestId('report-close').click();
    // after a reload the field holds the factor, and it reads back as the same factor
    await page.getByTestId('factor-WBC').fill('5,5');
    await expect(estimate).toContainText('× 5,5/µL');
    await page.evaluate(() => window.__smearcount.flush());
    await page.reload();
    await app.waitReady();
    const again = await app.estimates('WBC');
    // before: "5.5", beside the estimate's "5,5"
    await expect(again.factor).toHaveValue('5,5');
    await expect(again.estimate).toContainText('× 5,5/µL');
    await expect(page.getByTestId('factor-error-WBC')).toHaveCount(0);
  });

  test('a collection time the clocks skipped is said under the field and printed as typed; one they went over twice gets both offsets', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    await page.getByTestId('sample-collected').fill('2026-03-29T02:30');
    await expect(page.getByTestId('sample-collected-note')).toContainText('No such time on this device\'s clock');
    await page.getByTestId('sample-received').fill('2026-10-25T02:30');
    await expect(page.getByTestId('sample-received-note')).toContainText('happened twice');
    await page.getByTestId('sample-wbc').fill('6,4');
    await page.getByTestId('export-report').click();
    // the analyser's count as typed, with its decimal comma (it was printed 6.4)
    await expect(page.getByTestId('report-sample-times')).toContainText('analyser WBC 6,4 ×10⁹/L');
    // before: "Collected 2026-03-29T03:30:00+02:00", an hour the technician never typed
    await expect(page.getByTestId('report-sample-times')).toContainText(
      "Collected 2026-03-29T02:30 (no such time on this device's clock: the clocks went forward) · received 2026-10-25T02:30:00+02:00 or +01:00 (the clocks went back over this hour)",
    );
    await page.getByTestId('report-close').click();
    // the reference intervals as the report prints them, with a decimal comma, which the editor reads back
    await page.getByTestId('reference-editor').locator('summary').click();
    await expect(page.getByTestId('ref-absolute-low-monocyte')).toHaveValue('0,2');
    await page.getByTestId('ref-absolute-high-monocyte').fill('1,2');
    await page.getByTestId('reference-save').click();
    await expect(page.getByTestId('reference-error')).toHaveCount(0);
    await expect(page.getByTestId('ref-absolute-low-monocyte')).toHaveValue('0,2');
    await expect(page.getByTestId('ref-absolute-high-monocyte')).toHaveValue('1,2');
    // an ordinary time has no note
    await page.getByTestId('sample-collected').fill('2026-03-29T08:15');
    await expect(page.getByTestId('sample-collected-note')).toHaveCount(0);
    // restored after a reload, the count reads as typed (it came back as "6.4")
    await page.evaluate(() => window.__smearcount.flush());
    await page.reload();
    await app.waitReady();
    await expect(page.getByTestId('sample-wbc')).toHaveValue('6,4');
  });
});

test.describe('a German lab with a microscope profile (de-DE)', () => {
  test.use({ locale: 'de-DE', timezoneId: 'Europe/Berlin' });

  test("the profile's blend weight reads with a decimal comma", async ({ page }, info) => {
    const card = JSON.parse(readFileSync(new URL('../models/smearcount-wbc.json', import.meta.url), 'utf8'));
    const dim: number = card.embedding.shape[1];
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    // a profile another workstation learnt: its cells adapt this one's classifier at once, no batch needed
    const profile = {
      format: 'smearcount-microscope-profile',
      version: 1,
      name: 'Scope A',
      updated: '2026-12-01T10:00:00.000Z',
      classifier: { name: 'smearcount-wbc', sha256: card.sha256, embeddingDim: dim, classes: card.classes.map((c: { name: string }) => c.name) },
      fixedScale: null,
      countRule: 'all',
      // neutrophils the model read as lymphocytes and the other way round, each type in its own half of the
      // embedding: adapting to them does better, with a blend weight under 1
      cells: Array.from({ length: 24 }, (_, i) => ({
        type: i % 2 ? 'lymphocyte' : 'neutrophil',
        e: Array.from({ length: dim }, (_, j) => (j < dim / 2 === !(i % 2) ? 1 : 0) + ((i * 7 + j) % 11) / 110),
        modelRight: false,
        p: card.classes.map((_: unknown, t: number) => (t === i % 2 ? 0.3 : t === 1 - (i % 2) ? 0.6 : 0.02)),
      })),
    };
    const file = info.outputPath('scope-a.json');
    writeFileSync(file, JSON.stringify(profile));
    await page.getByTestId('profile-import').setInputFiles(file);
    // before: "blend weight 0.75"
    await expect(page.getByTestId('profile-status')).toContainText(/blend weight [01],\d\d\b/);
    await expect(page.getByTestId('profile-status')).not.toContainText(/\d\.\d/);
  });
});

test.describe('a French lab (fr-FR, Europe/Paris)', () => {
  test.use({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });

  test("a typed WBC's probability and its box's score read with a decimal comma on the canvas, in its tooltip and in the review line", async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const cur = (await page.evaluate(() => window.__smearcount.current()))!;
    const w = cur.detections.find((d) => d.cls === 'WBC' && d.wbc?.origin === 'model' && !d.wbc.category);
    expect(w, 'a WBC the classifier typed').toBeTruthy();
    const drawn = () => page.evaluate(() => window.__smearcount.drawnTexts());
    // the type label beside the box: before, "NEU 0.93" over a French lab's image
    await expect.poll(drawn).toContainEqual(expect.stringMatching(/^[A-Z]{2,4} [01],\d\d( \?)?$/));
    expect((await drawn()).filter((t) => /\d\.\d/.test(t))).toEqual([]);
    // selected: the tooltip and the review line, "WBC 0,97 · neutrophil 0,93" (before: "neutrophil 0.93" beside "score 0,97")
    await page.evaluate((id) => window.__smearcount.selectBox(id), w!.id);
    const comma = (x: number) => x.toFixed(2).replace('.', ',');
    const type = `${w!.wbc!.type.replace('_', ' ')} ${comma(w!.wbc!.p)}`;
    await expect(page.getByTestId('review-status')).toContainText(`WBC · score ${comma(w!.score)} vs threshold`);
    await expect(page.getByTestId('review-status')).toContainText(type);
    await expect.poll(async () => (await drawn()).some((t) => t.startsWith(`WBC ${comma(w!.score)} · ${type}`))).toBe(true);
    expect((await drawn()).filter((t) => /\d\.\d/.test(t))).toEqual([]);
  });
});

test.describe('a US lab (en-US, America/New_York)', () => {
  test.use({ locale: 'en-US', timezoneId: 'America/New_York' });

  test('"2,000" is two thousand, "2.000" is refused as ambiguous', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const { factor, estimate } = await app.estimates('Platelets');
    await factor.pressSequentially('2,000');
    await expect(estimate).toContainText('× 2,000/µL');
    await factor.fill('2.000');
    await expect(page.getByTestId('factor-error-Platelets')).toContainText('in one country');
    await expect(estimate).toContainText('× 2,000/µL');
  });
});

test('a right-to-left file name, or one with an unterminated override, is isolated in the report\'s list of flagged images', async ({ page }) => {
  test.setTimeout(300_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(240_000);
  const board = nonSmearPictures().find((p) => p.name === 'checkerboard')!;
  // U+202E RIGHT-TO-LEFT OVERRIDE: before, it turned the rest of the line round ("… stnuoc eht fo tuo tfel ;…")
  const name = 'slide\u202e1.png';
  await page.getByTestId('file-input').setInputFiles([{ name, mimeType: 'image/png', buffer: toPng(board) }]);
  await app.waitReady(240_000);
  await page.getByTestId('export-report').click();
  const summary = page.getByTestId('report-flag-summary');
  await expect(summary).toContainText(`\u2066${name}\u2069 (`);
  // laid out as written: the words after the name still run left to right (two letters of "left out" or
  // "counted", in order on the line)
  const [first, second] = await summary.evaluate((el) => {
    const node = Array.from(el.childNodes).find((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.includes('\u2069'))!;
    const at = node.textContent!.indexOf('(', node.textContent!.indexOf('\u2069')) + 1;
    const left = (i: number) => {
      const r = document.createRange();
      r.setStart(node, i);
      r.setEnd(node, i + 1);
      return r.getBoundingClientRect().left;
    };
    return [left(at), left(at + 1)];
  });
  expect(second).toBeGreaterThan(first);
});

test('one file name as a Mac and as Windows spell it (NFD, NFC) is one name: a file refused under one is answered by the other, and the same picture again is a copy of itself', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const [field] = testingImages(1);
  const mac = 'Blu\u0308te-7.jpg'; // "Blüte" as macOS hands it over: u + U+0308
  const win = 'Bl\u00fcte-7.jpg'; // as Windows does: ü
  // from the Mac, damaged: refused
  await page.getByTestId('file-input').setInputFiles([{ name: mac, mimeType: 'image/jpeg', buffer: Buffer.from('random bytes, not a JPEG') }]);
  await expect(app.fileErrors()).toHaveCount(1);
  // the whole file, from Windows: counted, and the refused file is answered (before: still "1 file refused")
  await page.getByTestId('file-input').setInputFiles([{ name: win, mimeType: 'image/jpeg', buffer: readFileSync(field) }]);
  await app.waitReady();
  await expect(page.getByTestId('images-counted')).toHaveText('1');
  await expect(page.getByTestId('images-refused')).toHaveCount(0);
  expect((await app.images()).map((i) => i.name)).toEqual([win]);
  // the same picture from the Mac: a copy of this one (before: "Already in this batch as Blüte-7.jpg", its own name)
  await page.getByTestId('file-input').setInputFiles([{ name: mac, mimeType: 'image/jpeg', buffer: readFileSync(field) }]);
  await expect(page.getByTestId('notice-file').filter({ hasText: 'Already in this batch' })).toContainText('Already in this batch: the same image is counted once.');
});

test.describe('a Saudi lab (ar-SA, Asia/Riyadh)', () => {
  test.use({ locale: 'ar-SA', timezoneId: 'Asia/Riyadh' });

  test('a reference interval and the analyser\'s WBC count typed in Arabic-Indic digits are read, not refused', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    // before: "Not a number" and "the interval must be two numbers"
    await page.getByTestId('sample-wbc').fill('\u0666\u066b\u0664');
    await expect(page.getByTestId('sample-wbc-error')).toHaveCount(0);
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-sample-times')).toContainText('analyser WBC 6.4 ×10⁹/L');
    await page.getByTestId('report-close').click();
    await page.getByTestId('reference-editor').locator('summary').click();
    await page.getByTestId('ref-percent-low-neutrophil').fill('\u0664\u0665');
    await page.getByTestId('ref-percent-high-neutrophil').fill('\u0667\u0665\u066b\u0665');
    await page.getByTestId('reference-save').click();
    await expect(page.getByTestId('reference-error')).toHaveCount(0);
    await expect(page.getByTestId('ref-percent-low-neutrophil')).toHaveValue('45');
    await expect(page.getByTestId('ref-percent-high-neutrophil')).toHaveValue('75.5');
    // printed as entered, and as the H/L flag compares it (it was printed "45–76")
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-row-neutrophil')).toContainText('45–75.5');
  });

  test('an Arabic sample ID names the export files (it was "no-sample-id"), and the CSV carries it and Western digits', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const id = '\u0639\u064a\u0646\u0629-\u0667';
    await page.getByTestId('sample-id').fill(id);
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(d.suggestedFilename()).toMatch(new RegExp(`^counts-${id}-\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\dZ\\.csv$`));
    const csv = readFileSync((await d.path())!, 'utf8');
    expect(csv).toContain(`,${id}`);
    // numbers as a LIS reads them, whatever the browser's locale: no Arabic-Indic digit but the ID's own
    expect(csv.split(id).join('')).not.toMatch(/[\u0660-\u0669\u066b\u066c]/);
  });
});

test.describe('an Indian lab (en-IN, Asia/Kolkata, half an hour off the hour)', () => {
  test.use({ locale: 'en-IN', timezoneId: 'Asia/Kolkata' });

  test('the release time is one instant, with +05:30, on the report, in the CSV and in the JSON', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    await page.getByTestId('export-report').click();
    await page.getByTestId('report-sample').fill('S-IN-1');
    await page.getByTestId('report-verified-by').fill('R. Iyer');
    await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
    await releaseReport(page);
    const line = (await page.getByTestId('report-state').textContent())!;
    const at = /at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30)/.exec(line)?.[1];
    expect(at, line).toBeTruthy();
    await page.getByRole('button', { name: 'Close' }).click();
    const [c] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = readCsv(readFileSync((await c.path())!, 'utf8'));
    for (const r of csv.rows) expect(csv.get(r, 'released_at')).toBe(at);
    const [j] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const json = JSON.parse(readFileSync((await j.path())!, 'utf8'));
    expect(json.report.released_at).toBe(at);
    // the record's UTC time and the audit trail's are the same instant, to the second
    expect(Math.floor(Date.parse(json.sample.verifiedAt) / 1000)).toBe(Date.parse(at!) / 1000);
    const entry = (json.audit as { action: string; at: string }[]).find((e) => e.action === 'release')!;
    expect(Math.abs(Date.parse(entry.at) - Date.parse(at!))).toBeLessThan(1000);
  });
});
