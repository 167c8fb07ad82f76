import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { CALIBRATION } from '../src/core/quality/calibration';
import { FLAG_CODES, FLAG_SHORT } from '../src/core/quality/flags';
import { oilField100x, testingImages, upscale } from './data';
import { drawnSmear, gaussianBlur, nonSmearPictures, toPng } from '../scripts/nonSmear';
import { decodeImage, encodeJpeg, monochromeCopy } from '../scripts/evaluation/decode';


/** Nearest-neighbour enlargement by an integer factor. */
// Pictures made here (no dataset file): what a new user might drop by mistake, and a badly blurred smear.
const KEEP = ['checkerboard', 'checkerboard-pink', 'gradient', 'text-page', 'white-noise'];
const pictures = [...nonSmearPictures().filter((p) => KEEP.includes(p.name)), gaussianBlur(drawnSmear(3), 12, 'blurred-smear')];

test('non-smear pictures are flagged and kept out of the totals until accepted (one click, undoable)', async ({ page }) => {
  // six images through the model in one test: allow for a loaded machine
  test.setTimeout(480_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(240_000);
  const before = await app.counts('total');
  expect(before.RBC).toBeGreaterThan(10);

  await page.getByTestId('file-input').setInputFiles(pictures.map((p) => ({ name: `${p.name}.png`, mimeType: 'image/png', buffer: toPng(p) })));
  await app.waitReady(240_000);

  const images = await page.evaluate(() => window.__smearcount.images());
  expect(images).toHaveLength(1 + pictures.length);
  // the assessment ran in its own worker, off the page's thread
  expect(page.workers().map((w) => w.url()).some((u) => /quality\.worker/.test(u))).toBe(true);
  expect(images[0].flags.filter((f) => f !== 'wbc-type-unsure')).toEqual([]);
  for (const p of pictures) {
    const im = images.find((i) => i.name === `${p.name}.png`)!;
    expect(im.status).toBe('done');
    expect(im.flags.some((f) => f === 'not-smear' || f === 'out-of-focus'), `${p.name}: ${im.flags}`).toBe(true);
    expect(im.inTotals).toBe(false);
    await expect(page.getByTestId('thumb').filter({ hasText: `${p.name}.png` }).getByTestId('image-flag').first()).toBeVisible();
  }
  // the totals are the smear's alone
  expect(await app.counts('total')).toEqual(before);
  await expect(page.getByTestId('images-counted')).toHaveText('1');
  await expect(page.getByTestId('images-excluded')).toContainText(`${pictures.length} flagged`);

  // the export records the flags and leaves the flagged images out of TOTAL
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const rows = readFileSync((await download.path())!, 'utf8').trim().split(/\r\n/).map((l) => l.split(','));
  const col = { flags: rows[0].indexOf('flags'), accepted: rows[0].indexOf('flags_accepted'), inTotals: rows[0].indexOf('in_totals') };
  const grid = rows.find((r) => r[0] === 'checkerboard.png')!;
  expect(grid[col.flags]).toContain('not-smear');
  expect([grid[col.accepted], grid[col.inTotals]]).toEqual(['false', 'false']);
  // the smear has no flag to accept
  expect(rows[1][col.accepted]).toBe('');
  const total = rows.find((r) => r[0] === 'TOTAL')!;
  expect({ RBC: +total[1], WBC: +total[2], Platelets: +total[3] }).toEqual(before);

  // accept the flagged picture with the most detections: it is counted; Undo takes it out again
  const target = images.filter((i) => i.name !== images[0].name).sort((a, b) => b.count - a.count)[0];
  await page.getByTestId('thumb').filter({ hasText: target.name }).click();
  await expect(page.getByTestId('flags-notice')).toBeVisible();
  const own = await app.counts();
  await page.getByTestId('accept-flags').click();
  await expect(page.getByTestId('images-counted')).toHaveText('2');
  expect(await app.counts('total')).toEqual({ RBC: before.RBC + own.RBC, WBC: before.WBC + own.WBC, Platelets: before.Platelets + own.Platelets });
  await expect(page.getByTestId('thumb').filter({ hasText: target.name }).getByTestId('image-flag').first()).toBeVisible();
  // the flag's sentence follows: accepted, it no longer says the image is left out
  const said = page.getByTestId('thumb').filter({ hasText: target.name }).getByTestId('thumb-flag-text');
  await expect(said).toContainText('You accepted it: it is counted in the batch totals.');
  await expect(said).not.toContainText('left out of the batch totals');
  // the export says it was the technician's choice, next to the flags (audit 2026-12-05)
  const [again] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const after = readFileSync((await again.path())!, 'utf8').trim().split(/\r\n/).map((l) => l.split(','));
  expect(after[0][col.accepted]).toBe('flags_accepted');
  const kept = after.find((r) => r[0] === target.name)!;
  expect([kept[col.flags].length > 0, kept[col.accepted], kept[col.inTotals]]).toEqual([true, 'true', 'true']);
  // on TOTAL the count of accepted images has its own column; flags_accepted stays true/false or empty
  expect(after.find((r) => r[0] === 'TOTAL')![col.accepted]).toBe('');
  expect(after.find((r) => r[0] === 'TOTAL')![after[0].indexOf('flags_accepted_images')]).toBe('1');
  // the report says the same: this image counted by the technician's decision, the others left out
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-flag-summary')).toContainText(`${target.name} (`);
  await expect(page.getByTestId('report-flag-summary')).toContainText('counted: accepted by the technician');
  await expect(page.getByTestId('report-flag-summary')).toContainText('left out of the counts');
  // and Appendix A's row, whose counts are in its Total row
  await expect(page.getByTestId('report-appendix').locator('tr', { hasText: target.name }).getByTestId('report-flags')).toContainText('(accepted: counted)');
  // in the words the thumbnails and the flag notice use ("not a smear", "too dark"), never the codes
  // ("not-smear", "under-exposed"): the legend, the list of flagged images and Appendix A alike
  const printed = [page.getByTestId('report-flag-summary'), page.getByTestId('report-flag-legend'), ...(await page.getByTestId('report-flags').all())];
  for (const el of printed) for (const code of FLAG_CODES.filter((c) => c.includes('-'))) await expect(el).not.toContainText(code);
  await expect(page.getByTestId('report-flag-summary')).toContainText(`checkerboard.png (${FLAG_SHORT['not-smear']}`);
  await expect(page.getByTestId('report-flag-legend').locator('b')).toContainText([FLAG_SHORT['not-smear']]);
  const targetFlags = images.find((i) => i.name === target.name)!.flags;
  for (const f of targetFlags.filter((x) => x !== 'wbc-type-unsure')) await expect(page.getByTestId('report-appendix').locator('tr', { hasText: target.name }).getByTestId('report-flags')).toContainText(FLAG_SHORT[f]);
  await page.getByTestId('report-close').click();
  // and the audit trail
  expect((await page.evaluate(() => window.__smearcount.audit())).at(-1)).toMatchObject({ image: target.name, field: 'counted', to: 'counted' });
  await page.getByTestId('unaccept-flags').click();
  await expect(page.getByTestId('images-counted')).toHaveText('1');
  await expect(said).toContainText('left out of the batch totals');
  expect(await app.counts('total')).toEqual(before);
});

test('a grainy field (a dim field at a high camera gain) is flagged noisy and left out, and so is a dim field whose grain is as large beside its cells; the same field clean is counted', async ({ page }) => {
  test.setTimeout(300_000);
  const clean = drawnSmear(5);
  let s = 11;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const data = new Uint8Array(clean.data);
  for (let p = 0; p < clean.width * clean.height; p++) {
    // Gaussian grain of sigma 30 (Box-Muller), the same on the three channels, as a sensor's luminance noise
    const n = 30 * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    for (let c = 0; c < 3; c++) data[p * 4 + c] = Math.max(0, Math.min(255, Math.round(clean.data[p * 4 + c] + n)));
  }
  const grainy = { ...clean, name: 'grainy-field', data };
  // at 0.3 of the brightness with grain of sigma 3: the grain of sigma 10 at full brightness, beside its cells
  const dim = new Uint8Array(clean.data);
  for (let p = 0; p < clean.width * clean.height; p++) {
    const n = 3 * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    for (let c = 0; c < 3; c++) dim[p * 4 + c] = Math.max(0, Math.min(255, Math.round(clean.data[p * 4 + c] * 0.3 + n)));
  }
  const dimGrainy = { ...clean, name: 'dim-field-at-gain', data: dim };
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await page.getByTestId('file-input').setInputFiles([clean, grainy, dimGrainy].map((p) => ({ name: `${p.name}.png`, mimeType: 'image/png', buffer: toPng(p) })));
  await app.waitReady(240_000);
  const images = await page.evaluate(() => window.__smearcount.images());
  const byName = Object.fromEntries(images.map((i) => [i.name, i]));
  expect(byName['drawn-smear-5.png'].flags).not.toContain('noisy');
  expect(byName['grainy-field.png'].flags).toContain('noisy');
  expect(byName['grainy-field.png'].inTotals).toBe(false);
  expect(byName['dim-field-at-gain.png'].flags).toContain('noisy');
  expect(byName['dim-field-at-gain.png'].flags).not.toContain('under-exposed');
  // its grain is under the bar of a field at full brightness: the bar scales with the brightness
  expect(byName['dim-field-at-gain.png'].quality!.pixels.noise!).toBeLessThan(CALIBRATION.noise!.maxNoise);
  await page.getByTestId('thumb').filter({ hasText: 'grainy-field.png' }).click();
  await expect(page.locator('[data-testid="flag-text"][data-flag="noisy"]')).toContainText('The image is grainy');
  await expect(page.getByTestId('accept-flags')).toBeVisible();
});

test('a field saved at JPEG quality 5 is flagged compressed and left out; the same field from a monochrome camera is counted, its WBC types unsure; dimmed, counted; nearly black, left out as too dark; brightened 1.5x, left out as too bright', async ({ page }) => {
  test.setTimeout(300_000);
  const [path] = testingImages(1);
  const field = await decodeImage(path);
  const heavy = Buffer.from(await encodeJpeg(field, 5));
  const grey = toPng({ name: 'grey-camera', ...monochromeCopy(field) });
  // a camera's large picture of the same field (3x, nearest neighbour): the quality worker is handed a copy
  // at its read size (1,024 px), not the 1920x1440 bitmap
  const large = Buffer.from(await encodeJpeg(upscale(field, 3), 92));
  const largeHeavy = Buffer.from(await encodeJpeg(upscale(field, 3), 2));
  // the images audit's over-exposed field (1.7x, clipped): left out, and told what happened; at 1.5x it still
  // shows most of its cells, and lost a quarter of them (validation copies), with no flag before
  const brighter = (f: number, name: string) => ({ name, width: field.width, height: field.height, data: field.data.map((v, i) => (i % 4 === 3 ? v : Math.min(255, Math.round(v * f)))) });
  const bright = brighter(1.7, 'over-exposed');
  // the same field lit too little: at 0.3 of its brightness it is counted as it is, in colour (not "no colour");
  // at 0.03 (the audit's nearly black field) it is too dark to count
  const dimmed = (f: number, name: string) => ({ name, width: field.width, height: field.height, data: field.data.map((v, i) => (i % 4 === 3 ? v : Math.round(v * f))) });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await page.getByTestId('file-input').setInputFiles([
    { name: 'original.jpg', mimeType: 'image/jpeg', buffer: readFileSync(path) },
    { name: 'heavy-q5.jpg', mimeType: 'image/jpeg', buffer: heavy },
    { name: 'grey-camera.png', mimeType: 'image/png', buffer: grey },
    { name: 'large-3x.jpg', mimeType: 'image/jpeg', buffer: large },
    { name: 'large-3x-q2.jpg', mimeType: 'image/jpeg', buffer: largeHeavy },
    { name: 'over-exposed.png', mimeType: 'image/png', buffer: toPng(bright) },
    { name: 'bright-1.5.png', mimeType: 'image/png', buffer: toPng(brighter(1.5, 'bright-1.5')) },
    { name: 'dim.png', mimeType: 'image/png', buffer: toPng(dimmed(0.3, 'dim')) },
    { name: 'nearly-black.png', mimeType: 'image/png', buffer: toPng(dimmed(0.03, 'nearly-black')) },
  ]);
  await app.waitReady(240_000);
  const images = await page.evaluate(() => window.__smearcount.images());
  const byName = Object.fromEntries(images.map((i) => [i.name, i]));
  const original = byName['original.jpg'];
  expect(original.flags).not.toContain('compressed');
  expect(original.flags).not.toContain('monochrome');
  expect(original.inTotals).toBe(true);
  // the large copy reads as the field it is: the same colour signature, no flag of its own, the counts close
  const big = byName['large-3x.jpg'];
  expect(big.flags.filter((f) => f !== 'wbc-type-unsure')).toEqual(original.flags.filter((f) => f !== 'wbc-type-unsure'));
  // read smaller than its own size, its blocks are judged on a window at its own resolution, against a bar
  // that grows with its size; the same picture at quality 2 is flagged
  expect(big.quality!.pixels.longSide).toBe(3 * field.width);
  expect(big.quality!.pixels.blockiness!).toBeLessThan(3);
  expect(byName['large-3x-q2.jpg'].flags).toContain('compressed');
  expect(byName['large-3x-q2.jpg'].quality!.pixels.blockiness!).toBeGreaterThan(9 * 7);
  big.quality!.pixels.colour.forEach((c, i) => expect(Math.abs(c - original.quality!.pixels.colour[i]), `colour[${i}]`).toBeLessThan(0.03));
  expect(Math.abs(big.count - original.count)).toBeLessThanOrEqual(Math.max(3, 0.1 * original.count));
  await page.getByTestId('thumb').filter({ hasText: 'large-3x.jpg' }).click();
  await expect.poll(() => page.evaluate(() => window.__smearcount.current()?.width)).toBe(3 * field.width);
  expect(byName['over-exposed.png'].inTotals).toBe(false);
  expect(byName['over-exposed.png'].flags.filter((f) => f !== 'wbc-type-unsure')).toEqual(['over-exposed']);
  expect(byName['bright-1.5.png'].flags).toContain('over-exposed');
  expect(byName['bright-1.5.png'].inTotals).toBe(false);
  await page.getByTestId('thumb').filter({ hasText: 'over-exposed.png' }).click();
  await expect(page.locator('[data-testid="flag-text"][data-flag="over-exposed"]')).toContainText('Lower the lamp or the camera\'s exposure');
  // dim but countable: no flag of its own; nearly black: left out, and told why, not "unfamiliar colour"
  expect(byName['dim.png'].flags.filter((f) => f !== 'wbc-type-unsure')).toEqual(original.flags.filter((f) => f !== 'wbc-type-unsure'));
  expect(byName['dim.png'].inTotals).toBe(true);
  expect(Math.abs(byName['dim.png'].count - original.count)).toBeLessThanOrEqual(Math.max(3, 0.1 * original.count));
  expect(byName['nearly-black.png'].flags.filter((f) => f !== 'wbc-type-unsure')).toEqual(['under-exposed']);
  expect(byName['nearly-black.png'].inTotals).toBe(false);
  await page.getByTestId('thumb').filter({ hasText: 'nearly-black.png' }).click();
  await expect(page.locator('[data-testid="flag-text"][data-flag="under-exposed"]')).toContainText('Raise the lamp or the camera\'s exposure');
  // the heavy copy: its blocks show, the flag keeps it out and says what to do
  expect(byName['heavy-q5.jpg'].quality!.pixels.blockiness!).toBeGreaterThan(3 * original.quality!.pixels.blockiness!);
  expect(byName['heavy-q5.jpg'].flags).toContain('compressed');
  expect(byName['heavy-q5.jpg'].inTotals).toBe(false);
  await page.getByTestId('thumb').filter({ hasText: 'heavy-q5.jpg' }).click();
  await expect(page.locator('[data-testid="flag-text"][data-flag="compressed"]')).toContainText('Save or send the original.');
  // the monochrome copy: a smear without colour, counted, not "not a smear"; every WBC's type is unsure
  const mono = byName['grey-camera.png'];
  expect(mono.flags).toContain('monochrome');
  expect(mono.flags).not.toContain('not-smear');
  expect(mono.flags).not.toContain('unfamiliar-colour');
  expect(mono.inTotals).toBe(true);
  await page.getByTestId('thumb').filter({ hasText: 'grey-camera.png' }).click();
  await expect(page.locator('[data-testid="flag-text"][data-flag="monochrome"]')).toContainText('no colour');
  const cur = await page.evaluate(() => window.__smearcount.current());
  const wbcs = cur!.detections.filter((d) => d.cls === 'WBC');
  expect(wbcs.length).toBeGreaterThan(0);
  for (const w of wbcs) expect(w.wbc).toMatchObject({ origin: 'model', grey: true });
  const rbc = (n: typeof images[number]) => n.count;
  expect(Math.abs(rbc(mono) - rbc(original)) / rbc(original)).toBeLessThan(0.15);
});

test('a 100x field, a few huge red cells each cut by the border, is flagged for its cell size and left out; the whole field is counted', async ({ page }) => {
  test.setTimeout(300_000);
  // audit 2026-12-06: a third of a CBC field enlarged 3x (cells 3x the usual size, as at 100x oil against
  // the training's 40x-ish fields). Its 5 red cells all touch an edge: no interior cell, so neither the first
  // pass's estimate nor the kept pass read their size, and it was counted at the usual zoom with no flag.
  const { path, ...oil } = await oilField100x();
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await page.getByTestId('file-input').setInputFiles([
    { name: 'whole-field.jpg', mimeType: 'image/jpeg', buffer: readFileSync(path) },
    { name: 'oil-100x.png', mimeType: 'image/png', buffer: toPng(oil) },
  ]);
  await app.waitReady(240_000);
  const images = await page.evaluate(() => window.__smearcount.images());
  const byName = Object.fromEntries(images.map((i) => [i.name, i]));
  expect(byName['whole-field.jpg'].flags).not.toContain('scale-out-of-range');
  expect(byName['whole-field.jpg'].inTotals).toBe(true);
  const big = byName['oil-100x.png'];
  // found, but none whole: the size comes from the cut cells alone
  expect(big.quality!.detections.rbc).toBeGreaterThanOrEqual(2);
  expect(big.quality!.detections.cellScale).toBeNull();
  expect(big.quality!.detections.cutScale!).toBeGreaterThan(CALIBRATION.scale.max);
  expect(big.flags).toContain('scale-out-of-range');
  expect(big.inTotals).toBe(false);
  await page.getByTestId('thumb').filter({ hasText: 'oil-100x.png' }).click();
  await expect(page.locator('[data-testid="flag-text"][data-flag="scale-out-of-range"]')).toContainText(/The cells look at least \d\.\d× larger than usual/);
});

test('a field under a vignette and under an off-centre lamp is evened out before it is counted: counted as the field evenly lit, not called out of focus, flagged uneven-light with what to fix', async ({ page }) => {
  test.setTimeout(300_000);
  const [path] = testingImages(1);
  const field = await decodeImage(path);
  const { width: w, height: h } = field;
  // the stress sets' light (models/make_stress_sets.py): the corners at a quarter of the centre's light; a lamp
  // giving 0.45 of the light on the left and 1.15 on the right (clipped)
  const lit = (name: string, light: (x: number, y: number) => number) => {
    const data = new Uint8Array(field.data);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const l = light(x, y);
        for (let c = 0; c < 3; c++) data[(y * w + x) * 4 + c] = Math.min(255, Math.round(field.data[(y * w + x) * 4 + c] * l));
      }
    }
    return { name: `${name}.png`, mimeType: 'image/png', buffer: toPng({ name, width: w, height: h, data }) };
  };
  const radial2 = (x: number, y: number) => (((x - (w - 1) / 2) / (w / 2)) ** 2 + ((y - (h - 1) / 2) / (h / 2)) ** 2) / 2;
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await page.getByTestId('file-input').setInputFiles([
    { name: 'original.jpg', mimeType: 'image/jpeg', buffer: readFileSync(path) },
    lit('vignette', (x, y) => 1 - 0.75 * radial2(x, y)),
    lit('lamp-off-centre', (x) => 0.45 + (0.7 * x) / (w - 1)),
  ]);
  await app.waitReady(240_000);
  const images = await page.evaluate(() => window.__smearcount.images());
  const byName = Object.fromEntries(images.map((i) => [i.name, i]));
  const original = byName['original.jpg'];
  expect(original.flags).not.toContain('uneven-light');
  expect(original.quality!.pixels.light!).toBeGreaterThan(0.8);
  for (const name of ['vignette.png', 'lamp-off-centre.png']) {
    const im = byName[name];
    expect(im.flags, name).toContain('uneven-light');
    // the dark part's weak edges no longer read as blur, and the image stays in the totals
    expect(im.flags, name).not.toContain('out-of-focus');
    expect(im.inTotals, name).toBe(true);
    expect(im.quality!.pixels.light!, name).toBeLessThan(0.7);
    expect(Math.abs(im.count - original.count), name).toBeLessThanOrEqual(Math.max(3, 0.05 * original.count));
  }
  await page.getByTestId('thumb').filter({ hasText: 'vignette.png' }).click();
  const said = page.locator('[data-testid="flag-text"][data-flag="uneven-light"]');
  await expect(said).toContainText('The light is uneven across the field');
  await expect(said).toContainText('Köhler');
  await expect(said).not.toContainText('left out');
  await expect(page.getByTestId('thumb').filter({ hasText: 'vignette.png' })).toContainText('uneven light');
});
