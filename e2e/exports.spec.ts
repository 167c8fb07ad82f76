/**
 * Same file name, two folders: every export keeps the two images apart, read back with Info-ZIP's
 * unzip (an independent reader) and as plain text.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { AppPage, deleteCountedBox, releaseReport, unzipStored } from './app.po';
import { testingImages, upscale } from './data';
import { decodeImage, encodeJpeg } from '../scripts/evaluation/decode';
import { readCsv } from './csv';

async function download(page: Page, testId: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return (await d.path())!;
}

/** A PNG's iTXt chunks (uncompressed, as the app writes them): keyword to text. */
function pngText(buf: Buffer): Record<string, string> {
  const text: Record<string, string> = {};
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    const data = buf.subarray(at + 8, at + 8 + len);
    if (buf.subarray(at + 4, at + 8).toString('latin1') === 'iTXt') {
      const k = data.indexOf(0);
      text[data.subarray(0, k).toString('latin1')] = data.subarray(k + 5).toString('utf8');
    }
    at += 12 + len;
  }
  return text;
}

async function exportedNames(page: Page) {
  const voc = execFileSync('unzip', ['-Z1', await download(page, 'export-voc')]).toString().trim().split('\n');
  const coco = JSON.parse(readFileSync(await download(page, 'export-coco'), 'utf8')).images.map((i: { file_name: string }) => i.file_name);
  const csv = readFileSync(await download(page, 'export-csv'), 'utf8').trim().split('\r\n').slice(1, -2).map((l) => l.split(',')[0]);
  const png = [];
  for (let i = 0; i < 2; i++) {
    await page.getByTestId('thumb').nth(i).click();
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    // The download's name goes on with the sample ID and a time stamp.
    png.push(d.suggestedFilename().replace(/-annotated-.*\.png$/, '-annotated.png'));
  }
  return { voc, coco, csv, png };
}

const NAME = 'BloodImage_00339.jpg';

test('two images of the same name dropped without folders: a short suffix keeps them apart everywhere', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const [a, b] = testingImages(2);
  await page.getByTestId('file-input').setInputFiles([
    { name: NAME, mimeType: 'image/jpeg', buffer: readFileSync(a) },
    { name: NAME, mimeType: 'image/jpeg', buffer: readFileSync(b) },
  ]);
  await app.waitReady();
  const n = await exportedNames(page);
  const stems = n.voc.map((v) => v.replace(/\.xml$/, ''));
  expect(stems).toHaveLength(2);
  expect(new Set(stems).size).toBe(2);
  for (const s of stems) expect(s).toMatch(/^BloodImage_00339-[0-9a-f]{6,}$/);
  expect(n.coco).toEqual(stems.map((s) => `${s}.jpg`));
  expect(n.csv).toEqual(stems.map((s) => `${s}.jpg`));
  expect(n.png).toEqual(stems.map((s) => `${s}-annotated.png`));
});

test('two images of the same name in two chosen folders keep their folder paths', async ({ page }, info) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const root = info.outputPath('batch');
  const [a, b] = testingImages(2);
  for (const [day, src] of [['day1', a], ['day2', b]] as const) {
    mkdirSync(join(root, day), { recursive: true });
    copyFileSync(src, join(root, day, NAME));
  }
  await page.getByTestId('folder-input').setInputFiles(root);
  await app.waitReady();
  const n = await exportedNames(page);
  expect(n.voc).toEqual(['batch/day1/BloodImage_00339.xml', 'batch/day2/BloodImage_00339.xml']);
  expect(n.coco).toEqual(['batch/day1/BloodImage_00339.jpg', 'batch/day2/BloodImage_00339.jpg']);
  expect(n.csv).toEqual(n.coco);
  expect(n.png).toEqual(['batch_day1_BloodImage_00339-annotated.png', 'batch_day2_BloodImage_00339-annotated.png']);
});

const TYPES = ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte', 'erythroblast'];

test('the exports carry the released report: its state, verifier, time, revision and figures as the report prints them', async ({ page }) => {
  test.setTimeout(600_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady(600_000);
  // every WBC verified, one by one in the gallery: the report then prints the differential
  await page.getByTestId('open-gallery').click();
  const left = page.locator('[data-testid="wbc-tile"][data-verified="no"]');
  expect(await page.getByTestId('wbc-tile').count()).toBeGreaterThan(0);
  for (let i = 0; i < 60 && (await left.count()) > 0; i++) {
    await left.first().click();
    await page.keyboard.press('v');
  }
  await expect(left).toHaveCount(0);
  await page.keyboard.press('Escape');

  await page.getByTestId('export-report').click();
  await page.getByTestId('report-sample').fill('S-77');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  // short of the target, H/L are printed with the technician's reason
  await page.getByTestId('report-short-reason').fill('leukopenia');
  await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText('Released · verified by C. Doe at ');
  const stateLine = (await page.getByTestId('report-state').textContent())!;
  // the Flag column's letters, without the marks beside them ("*", "no interval set")
  const flagOf = (t: string) => page.getByTestId(`report-flag-${t}`).evaluate((td) => Array.from(td.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim());
  const printed: Record<string, { pct: string; abs: string; flag: string }> = {};
  for (const t of TYPES) printed[t] = { pct: (await page.getByTestId(`report-pct-${t}`).textContent())!, abs: (await page.getByTestId(`report-abs-${t}`).textContent())!, flag: await flagOf(t) };
  expect(printed.neutrophil.pct).not.toBe('–');
  await page.getByTestId('report-close').click();
  const sample = await page.evaluate(() => window.__smearcount.sample());
  const summary = await page.evaluate(() => window.__smearcount.summary());

  // counts CSV: the UTF-8 BOM, the release on every row, and the report's percentages as printed (one decimal)
  const text = readFileSync(await download(page, 'export-csv'), 'utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const counts = readCsv(text);
  expect(counts.header.slice(-8)).toEqual(['report_state', 'verified_by', 'released_at', 'release_revision', 'withdrawn_reason', 'replaces_release', 'sample_id', 'models']);
  for (const r of counts.rows) {
    expect([counts.get(r, 'report_state'), counts.get(r, 'verified_by'), counts.get(r, 'release_revision'), counts.get(r, 'withdrawn_reason')]).toEqual(['released', 'C. Doe', sample.releasedRevision, '']);
    // the time the report prints, to the second
    expect(stateLine).toContain(`at ${counts.get(r, 'released_at')} · revision`);
    expect(counts.get(r, 'models')).toMatch(/engine wasm(-threads)? x\d/);
  }
  const total = counts.rows.find((r) => r[0] === 'TOTAL')!;
  expect({ RBC: +total[1], WBC: +total[2], Platelets: +total[3] }).toEqual(summary.totals);
  const pct = counts.rows.find((r) => r[0] === 'DIFFERENTIAL_%')!;
  expect(counts.rows.indexOf(pct)).toBe(counts.rows.indexOf(total) + 1);
  expect(counts.get(pct, 'flags')).toMatch(/^report: \d+ verified cells \(target 100\)/);
  for (const t of TYPES) if (printed[t].pct !== '–') expect(counts.get(pct, t)).toBe(printed[t].pct);
  // and the H / L the report prints beside them, in a row of their own (audit 2026-12-07, report: the CSV had none)
  const flag = counts.rows.at(-1)!;
  expect([flag[0], counts.get(flag, 'flags')]).toEqual(['DIFFERENTIAL_FLAG', expect.stringMatching(/^H \/ L: above \/ below the reference interval in %/)]);
  for (const t of TYPES) expect(counts.get(flag, t), t).toBe(printed[t].flag);
  for (const r of counts.rows.slice(0, counts.rows.indexOf(total))) expect(counts.get(r, 'source')).toBe('file');

  // boxes CSV: every box, counted or not and why, with the WBC's verification, category and note
  const boxes = readCsv(readFileSync(await download(page, 'export-boxes-csv'), 'utf8'));
  expect(boxes.header.slice(-13, -8)).toEqual(['counted', 'left_out', 'wbc_verified', 'wbc_category', 'wbc_note']);
  const counted = boxes.rows.filter((r) => boxes.get(r, 'counted') === 'true');
  expect(counted.length).toBe(summary.totals.RBC + summary.totals.WBC + summary.totals.Platelets);
  for (const r of boxes.rows.filter((x) => boxes.get(x, 'counted') === 'false')) expect(boxes.get(r, 'left_out')).toMatch(/^(count-rule|optics|debris|image-not-in-totals)$/);
  for (const r of counted.filter((x) => x[1] === 'WBC')) expect(boxes.get(r, 'wbc_verified')).toBe('true');

  // JSON: the release and the figures exactly as printed
  const json = JSON.parse(readFileSync(await download(page, 'export-json'), 'utf8'));
  expect(json.report).toMatchObject({ state: 'released', verified_by: 'C. Doe', release_revision: sample.releasedRevision, state_line: stateLine });
  for (const k of ['RBC', 'WBC', 'Platelets'] as const) expect(json.report.counts[k].counted).toBe(summary.totals[k]);
  expect(json.report.differential.printed).toBe(true);
  for (const row of json.report.differential.rows as { type: string; percent_printed: string; absolute_printed: string }[]) {
    expect([row.percent_printed, row.absolute_printed]).toEqual([printed[row.type].pct, printed[row.type].abs]);
  }
  expect(json.report.edits.words).toBe('');
  expect(json.models.engines[0].backend).toMatch(/^wasm/);
});

test('a counts CSV exported while images are still being counted names every dropped file (audit 2026-12-05)', async ({ page }) => {
  test.setTimeout(600_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm&threads=1');
  await app.waitReady();
  const files = testingImages(10);
  await app.drop(files);
  // the export is enabled as soon as one image is counted: export then, with the others still waiting
  await page.waitForFunction(() => window.__smearcount.images().some((i) => i.status === 'done'), null, { polling: 20 });
  const counts = readCsv(readFileSync(await download(page, 'export-csv'), 'utf8'));
  const rows = counts.rows.slice(0, -2);
  const waiting = rows.filter((r) => counts.get(r, 'flags') === 'not-counted: still being counted');
  expect(waiting.length).toBeGreaterThan(0);
  // every file has its row: counted, or said to be still counting (in no total, no counts)
  expect(rows.map((r) => r[0]).sort()).toEqual(files.map((f) => f.split('/').pop()).sort());
  for (const r of waiting) expect([counts.get(r, 'in_totals'), r[1]]).toEqual(['false', '']);
  const total = counts.rows.at(-2)!;
  expect(total[0]).toBe('TOTAL');
  expect(Number(counts.get(total, 'in_totals_images'))).toBe(rows.length - waiting.length);
  // the per-image true/false columns stay empty on TOTAL: a LIS typing them as booleans reads every row
  for (const c of ['reviewed', 'edited', 'flags_accepted', 'in_totals']) expect(counts.get(total, c)).toBe('');
});

/** What each file that leaves the app says of the release, read as a reader of its format would: the boxes
 * CSV's columns (one value a column over every row), each VOC XML's <smearcount> (Python's ElementTree on
 * what Info-ZIP's unzip gives), COCO's info.release, the PNG's iTXt chunks, its size and its footer band. */
async function releaseSaid(page: Page) {
  const boxes = readCsv(readFileSync(await download(page, 'export-boxes-csv'), 'utf8'));
  const cols = ['report_state', 'verified_by', 'released_at', 'release_revision', 'withdrawn_reason', 'replaces_release'];
  const csv = [...new Set(boxes.rows.map((r) => JSON.stringify(cols.map((c) => boxes.get(r, c)))))].map((x) => JSON.parse(x) as string[]);
  const zipPath = await download(page, 'export-voc');
  const voc = unzipStored(readFileSync(zipPath)).map((e) => {
    const xml = execFileSync('unzip', ['-p', zipPath, e.name]).toString('utf8');
    const py = 'import sys, json, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.read()); print(json.dumps({c.tag: c.text or "" for c in r.find("smearcount")}))';
    const { models, ...release } = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py], { input: xml }).toString()) as Record<string, string>;
    // and the models that made the figures, as the CSVs' models column says them
    expect(models).toBe(boxes.get(boxes.rows[0], 'models'));
    return release;
  });
  const coco = JSON.parse(readFileSync(await download(page, 'export-coco'), 'utf8')).info.release;
  const buf = readFileSync(await download(page, 'export-png'));
  const text = pngText(buf);
  const cur = (await page.evaluate(() => window.__smearcount.current()))!;
  const im = { width: cur.width!, height: cur.height! };
  // the band below the image: white, with dark text on it
  const band = await page.evaluate(async ({ b64, h }) => {
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
    const ctx = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, h, bmp.width, bmp.height - h).data;
    let dark = 0;
    let white = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] + d[i + 1] + d[i + 2] < 150) dark++;
      else if (d[i] + d[i + 1] + d[i + 2] > 750) white++;
    }
    return { w: bmp.width, h: bmp.height, dark, white, n: d.length / 4 };
  }, { b64: buf.toString('base64'), h: im.height });
  expect([band.w, band.h > im.height]).toEqual([im.width, true]);
  expect(band.dark).toBeGreaterThan(50);
  expect(band.white / band.n).toBeGreaterThan(0.6);
  const { Models, ...png } = text;
  expect(Models).toBe(boxes.get(boxes.rows[0], 'models'));
  return { csv, voc, coco, png };
}

test('every export says whether its figures were released: preliminary, then released by whom and when, then withdrawn by an edit', async ({ page }) => {
  test.setTimeout(600_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  const preliminary = 'PRELIMINARY: not verified, not for clinical use.';
  let said = await releaseSaid(page);
  expect(said.csv).toEqual([['preliminary', '', '', '', '', '']]);
  expect(said.voc).toEqual([{ report_state: 'preliminary', report_state_line: preliminary, verified_by: '', released_at: '', release_revision: '', withdrawn_reason: '', replaces_release: '' }]);
  expect(said.coco).toMatchObject({ state: 'preliminary', state_line: preliminary, verified_by: '' });
  expect(said.png).toEqual({ 'Report state': 'preliminary', Release: preliminary });

  await page.getByTestId('export-report').click();
  await page.getByTestId('report-sample').fill('S-78');
  await page.getByTestId('report-verified-by').fill('Zoë Doe');
  await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText('Released · verified by Zoë Doe at ');
  const line = (await page.getByTestId('report-state').textContent())!;
  await page.getByTestId('report-close').click();
  const sample = await page.evaluate(() => window.__smearcount.sample());
  said = await releaseSaid(page);
  const at = /at (\S+) · revision/.exec(line)![1];
  expect(said.csv).toEqual([['released', 'Zoë Doe', at, sample.releasedRevision, '', '']]);
  expect(said.voc).toEqual([{ report_state: 'released', report_state_line: line, verified_by: 'Zoë Doe', released_at: at, release_revision: sample.releasedRevision, withdrawn_reason: '', replaces_release: '' }]);
  expect(said.coco).toMatchObject({ state: 'released', state_line: line, verified_by: 'Zoë Doe', released_at: at, release_revision: sample.releasedRevision });
  expect(said.png).toEqual({ 'Report state': 'released', Release: line });

  // one box deleted: the release is withdrawn, and no file says released or names the verifier
  await deleteCountedBox(page);
  await expect(page.getByTestId('notice-release')).toContainText('The released report was withdrawn');
  const reason = (await page.evaluate(() => window.__smearcount.sample())).withdrawn as string;
  expect(reason).toContain('box deleted');
  const withdrawn = `WITHDRAWN: not valid for clinical use. The release was withdrawn (${reason}).`;
  said = await releaseSaid(page);
  expect(said.csv).toEqual([['withdrawn', '', '', '', reason, '']]);
  expect(said.voc).toEqual([{ report_state: 'withdrawn', report_state_line: withdrawn, verified_by: '', released_at: '', release_revision: '', withdrawn_reason: reason, replaces_release: '' }]);
  expect(said.coco).toMatchObject({ state: 'withdrawn', state_line: withdrawn, verified_by: '', withdrawn_reason: reason });
  expect(said.png).toEqual({ 'Report state': 'withdrawn', Release: withdrawn });

  // verified and printed again: a corrected report, which names the release it replaces (the paper a clinician
  // may hold), on the report and in every file; before, it read as a first release
  await page.getByTestId('export-report').click();
  // signed again: the withdrawal took the verifier's name (the first signer may never have seen the change)
  await expect(page.getByTestId('report-verified-by')).toHaveValue('');
  await page.getByTestId('report-verified-by').fill('Zoë Doe');
  await releaseReport(page);
  const replaces = `replaces the release of ${at} (revision ${sample.releasedRevision}), withdrawn (${reason})`;
  await expect(page.getByTestId('report-state')).toContainText(`· CORRECTED: ${replaces}`);
  const corrected = (await page.getByTestId('report-state').textContent())!;
  // and at the foot of every printed page
  expect(await page.locator('[data-testid="report"] style').textContent()).toContain(`CORRECTED, replaces revision ${sample.releasedRevision}`);
  await page.getByTestId('report-close').click();
  const again = await page.evaluate(() => window.__smearcount.sample());
  const at2 = /at (\S+) · revision/.exec(corrected)![1];
  said = await releaseSaid(page);
  expect(said.csv).toEqual([['released', 'Zoë Doe', at2, again.releasedRevision, '', replaces]]);
  expect(said.voc).toEqual([{ report_state: 'released', report_state_line: corrected, verified_by: 'Zoë Doe', released_at: at2, release_revision: again.releasedRevision, withdrawn_reason: '', replaces_release: replaces }]);
  expect(said.coco).toMatchObject({ state: 'released', state_line: corrected, replaces_release: replaces });
  expect(said.png).toEqual({ 'Report state': 'released', Release: corrected });
});

test('?model= loads another detector: the report, every export and the image name that model, not the shipped card', async ({ page, request }) => {
  test.setTimeout(600_000);
  // another detector file the app serves: the shipped detector's int8 copy (another file, another sha256)
  const manifest = (await (await request.get('/models/optimized.json')).json()) as { models: { file: string; sha256: string; source: { file: string; sha256: string } }[] };
  const other = manifest.models.find((m) => m.source.file === 'smearcount-frcnn.onnx')!;
  const shipped = other.source.sha256;
  expect(other.sha256).not.toBe(shipped);
  const app = new AppPage(page);
  await app.open(`?backend=wasm&model=/models/${other.file}&sha256=${other.sha256}`);
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  const name = `${other.file.replace(/\.onnx$/, '')} (?model=)`;
  const counts = readCsv(readFileSync(await download(page, 'export-csv'), 'utf8'));
  const boxes = readCsv(readFileSync(await download(page, 'export-boxes-csv'), 'utf8'));
  for (const csv of [counts, boxes]) {
    for (const r of csv.rows) {
      expect(csv.get(r, 'models')).toContain(`${name} sha256:${other.sha256}`);
      expect(csv.get(r, 'models')).not.toContain(shipped);
    }
  }
  const json = JSON.parse(readFileSync(await download(page, 'export-json'), 'utf8'));
  expect(json.models.detector).toEqual({ name, sha256: other.sha256 });
  // each image records the model loaded as the one that counted it: none is said to be counted by another
  expect(json.models.otherDetectors).toBeUndefined();
  const coco = JSON.parse(readFileSync(await download(page, 'export-coco'), 'utf8'));
  expect(coco.info.models.detector).toEqual({ name, sha256: other.sha256 });
  // the VOC files and the PNG name it too (they named no model at all)
  for (const e of unzipStored(readFileSync(await download(page, 'export-voc')))) {
    const models = /<models>([^<]*)<\/models>/.exec(e.data.toString('utf8'))?.[1];
    expect(models).toContain(`${name} sha256:${other.sha256}`);
  }
  const png = readFileSync(await download(page, 'export-png'));
  expect(png.includes(Buffer.from(`iTXtModels\0\0\0\0\0`, 'latin1'))).toBe(true);
  expect(png.includes(Buffer.from(`${name} sha256:${other.sha256}`, 'utf8'))).toBe(true);
  expect(png.includes(Buffer.from(shipped, 'utf8'))).toBe(false);
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-meta')).toContainText(`model ${name} (sha256 ${other.sha256.slice(0, 16)}…)`);
  await expect(page.getByTestId('report-meta')).not.toContainText(shipped.slice(0, 16));
});

test('a photo past what a browser\'s canvas holds gets its annotated PNG drawn smaller, saying so; a PNG that cannot be drawn is said, not a click that did nothing', async ({ page }) => {
  test.setTimeout(300_000);
  // a CBC field at 8x (5120x3840, 19.7 MP), as a phone's 24 MP camera gives: Safari draws no canvas over 16.8 MP
  const big = Buffer.from(await encodeJpeg(upscale(await decodeImage(testingImages(1)[0]), 8), 85));
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await page.getByTestId('file-input').setInputFiles([{ name: 'phone-24mp.jpg', mimeType: 'image/jpeg', buffer: big }]);
  await app.waitReady();
  const png = readFileSync(await download(page, 'export-png'));
  // IHDR: width and height, the first chunk
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  expect(w * h).toBeLessThanOrEqual(4096 * 4096);
  expect(w).toBeGreaterThan(4300); // as large as fits: 0.92 of 5120, less the footer band's share (about 0.88)
  expect(w).toBeLessThan(5120);
  expect(h).toBeGreaterThan(Math.floor((3840 * w) / 5120)); // the image, and the footer's band below it
  // what the footer says, kept as text too
  const text = pngText(png);
  const said = /^Drawn at ([\d.]+)% of the image's size \(a browser draws at most 16\.8 megapixels\); the box coordinates in the other exports are the image's own\.$/.exec(text.Scale);
  expect(said, text.Scale).not.toBeNull();
  expect(Math.abs(Number(said![1]) - (w / 5120) * 100)).toBeLessThan(0.2);

  // a canvas the browser will not encode (out of memory, a limit of its own): the technician is told
  await page.evaluate(() => {
    OffscreenCanvas.prototype.convertToBlob = () => Promise.reject(new DOMException('The canvas is too large', 'EncodingError'));
  });
  let downloaded = false;
  page.on('download', () => (downloaded = true));
  await page.getByTestId('export-png').click();
  await expect(page.getByTestId('notice-export')).toContainText('phone-24mp.jpg');
  await expect(page.getByTestId('notice-export')).toContainText('The export failed: the annotated PNG could not be drawn (The canvas is too large).');
  expect(downloaded).toBe(false);
});
