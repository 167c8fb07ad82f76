import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { AppPage, clickBox, isolated } from './app.po';
import { testingImages } from './data';

test('every WBC gets a type, the differential sums to 100%, and a corrected type reaches the CSV', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const files = testingImages(6);
  await app.drop(files);
  await app.waitReady(600_000); // generous: the machine may be busy
  expect((await app.page.evaluate(() => window.__smearcount.model())).classifier).toBe(true);

  let wbcs = 0;
  for (let i = 0; i < files.length; i++) {
    await app.selectImage(i);
    const cur = (await page.evaluate(() => window.__smearcount.current()))!;
    for (const d of cur.detections.filter((x) => x.cls === 'WBC')) {
      wbcs++;
      expect(d.wbc, `${cur.name} ${d.id}`).toBeTruthy();
      expect(d.wbc!.p).toBeGreaterThan(0);
    }
  }
  expect(wbcs).toBeGreaterThan(0);
  // released on verified cells (none yet); the panel can show every typed cell as a preliminary view,
  // which releases nothing. Said once each: the panel said the typed cells three times over, in three lines
  // ("N WBC classified (target 100)", "0 WBC verified (target 100)", "0 verified · N unverified").
  await expect(page.getByTestId('diff-released')).toHaveText('0 WBC verified (target 100)');
  await expect(page.getByTestId('diff-apart')).toHaveText(new RegExp(`^${wbcs} typed, not verified( \\(\\d+ unsure\\))?$`));
  await expect(page.getByTestId('differential')).not.toContainText('classified');
  expect((await page.getByTestId('differential').innerText()).match(/target 100/g)).toHaveLength(1);
  await expect(page.getByTestId('diff-released-total')).toHaveText('–'); // no verified cell: no %
  await page.getByTestId('diff-basis').selectOption('all');
  await expect(page.getByTestId('diff-released')).toHaveText('0 WBC verified (target 100)');
  // the Total row holds what each header says: cells under "This image" and "Batch", a % under "Prelim. %"
  // (the cell count there read as a percentage)
  const prelim = (await page.evaluate(() => window.__smearcount.differential())).preliminary.total;
  await expect(page.getByTestId('diff-total')).toHaveText(String(prelim));
  await expect(page.getByTestId('diff-released-total')).toHaveText('100.0%');
  await expect(page.getByTestId('diff-released-total')).toHaveAttribute('title', `${prelim} cell${prelim === 1 ? '' : 's'}`);
  const types = ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte'];
  let sum = 0;
  for (const t of types) sum += parseFloat((await page.getByTestId(`diff-pct-${t}`).textContent()) ?? '0') || 0;
  expect(Math.abs(sum - 100)).toBeLessThanOrEqual(0.5); // each shown to 0.1%

  // Select a WBC on the first image and set its type with the keyboard (Shift+3: monocyte), then undo-able.
  await app.selectImage(0);
  const cur = (await page.evaluate(() => window.__smearcount.current()))!;
  const wbc = (isolated(cur.detections, 'WBC') ?? cur.detections.find((d) => d.cls === 'WBC'))!;
  await clickBox(app, wbc);
  expect(await page.evaluate(() => window.__smearcount.selectedId())).toBe(wbc.id);
  const target = wbc.wbc!.type === 'monocyte' ? { key: 'Shift+Digit4', type: 'eosinophil' } : { key: 'Shift+Digit3', type: 'monocyte' };
  await page.keyboard.press(target.key);
  const after = (await page.evaluate(() => window.__smearcount.current()))!;
  // a type set on the canvas is the gallery's move: the cell was looked at, so verified, and in the released figures
  expect(after.detections.find((d) => d.id === wbc.id)?.wbc).toMatchObject({ type: target.type, origin: 'manual', verified: true });
  await expect(page.getByTestId('diff-released')).toHaveText('1 WBC verified (target 100)');
  await expect(page.getByTestId('diff-apart')).toHaveText(new RegExp(`^${wbcs - 1} typed, not verified`));

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const rows = readFileSync((await download.path())!, 'utf8').trim().split(/\r\n/).map((l) => l.split(','));
  const col = rows[0].indexOf(target.type);
  const before = cur.detections.filter((d) => d.cls === 'WBC' && d.wbc?.type === target.type).length;
  const row = rows.find((r) => r[0] === cur.name)!;
  expect(Number(row[col])).toBe(before + 1);
  expect(rows.at(-1)![0]).toBe('DIFFERENTIAL_%');

  await page.keyboard.press('Control+z');
  const undone = (await page.evaluate(() => window.__smearcount.current()))!;
  expect(undone.detections.find((d) => d.id === wbc.id)?.wbc?.origin).toBe('model');
  expect(undone.detections.find((d) => d.id === wbc.id)?.wbc?.verified).toBeFalsy();
  await expect(page.getByTestId('diff-released')).toHaveText('0 WBC verified (target 100)');
});

test('WBCs typed in the typing worker get the same types as in the detector worker', async ({ page, browser }) => {
  const files = testingImages(4);
  const typesOf = async (app: AppPage) => {
    const out: Record<string, { type: string; p: number }> = {};
    for (let i = 0; i < files.length; i++) {
      await app.selectImage(i);
      const cur = (await app.page.evaluate(() => window.__smearcount.current()))!;
      for (const d of cur.detections.filter((x) => x.cls === 'WBC')) out[`${cur.name} ${d.id}`] = { type: d.wbc!.type, p: d.wbc!.p };
    }
    return out;
  };
  const app = new AppPage(page);
  await app.open('?backend=wasm&threads=1');
  // started in idle time once the detector is ready
  await expect.poll(() => page.evaluate(() => window.__smearcount.typist()), { timeout: 60_000 }).toBe('ready');
  await app.drop(files);
  await app.waitReady(600_000);
  expect(await page.evaluate(() => window.__smearcount.typist())).toBe('ready');
  const typed = await typesOf(app);
  expect(Object.keys(typed).length).toBeGreaterThan(0);

  const ctx = await browser.newContext();
  const other = new AppPage(await ctx.newPage());
  await other.open('?backend=wasm&threads=1&typist=off');
  await other.drop(files);
  await other.waitReady(600_000);
  expect(await other.page.evaluate(() => window.__smearcount.typist())).toBe('off');
  const ref = await typesOf(other);
  await ctx.close();
  expect(Object.keys(typed).sort()).toEqual(Object.keys(ref).sort());
  for (const k of Object.keys(ref)) {
    expect(typed[k].type, k).toBe(ref[k].type);
    expect(Math.abs(typed[k].p - ref[k].p), k).toBeLessThan(1e-4);
  }
});

test('a WBC with no type (the classifier could not start) is named among the cells kept apart in the report, as in its JSON', async ({ page }) => {
  await page.route(/smearcount-wbc.*\.onnx$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady(600_000);
  expect((await page.evaluate(() => window.__smearcount.model())).classifier).toBe(false);
  // one WBC typed by hand on the canvas: a differential of one verified cell, the other WBCs untyped
  const cur = (await app.current())!;
  const wbc = (isolated(cur.detections, 'WBC') ?? cur.detections.find((d) => d.cls === 'WBC'))!;
  await clickBox(app, wbc);
  await page.keyboard.press('Shift+Digit1');
  const st = await page.evaluate(() => window.__smearcount.differential());
  expect(st).toMatchObject({ verified: 1, typed: 1 });
  expect(st.untyped).toBeGreaterThan(0);
  await page.getByTestId('export-report').click();
  // it read "0 unverified cells; 0 smudge / damaged; 0 other / unidentified": those WBCs were in no row
  await expect(page.getByTestId('report-apart')).toHaveText(`Kept apart from the differential: 0 unverified cells; ${st.untyped} WBC not typed; 0 smudge / damaged; 0 other / unidentified.`);
});

test('absolute counts rest on the analyser WBC corrected for the NRBC verified, unless the analyser corrected it (audit 2026-12-06, differential)', async ({ page }) => {
  test.setTimeout(900_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const files = testingImages(3);
  await app.drop(files);
  await app.waitReady(600_000);
  const keys: string[] = [];
  for (let i = 0; i < files.length; i++) {
    await app.selectImage(i);
    const cur = (await app.current())!;
    for (const d of cur.detections) if (d.cls === 'WBC') keys.push(`${cur.id}/${d.id}`);
  }
  expect(keys.length).toBeGreaterThanOrEqual(2);
  await page.getByTestId('sample-id').fill('S-NRBC');
  await page.getByTestId('sample-wbc').fill('11');
  // every WBC verified in the gallery: the first an erythroblast, the others neutrophils
  await page.getByTestId('open-gallery').click();
  for (const [i, key] of keys.entries()) {
    await page.locator(`[data-testid="wbc-tile"][data-key="${key}"]`).click();
    await page.getByTestId(`gallery-move-${i === 0 ? 'erythroblast' : 'neutrophil'}`).click();
  }
  await page.getByTestId('gallery-close').click();
  expect(await page.evaluate(() => window.__smearcount.differential())).toMatchObject({ verified: keys.length, unverified: 0, untyped: 0, releasable: true });
  // the counts panel keeps the box in its WBC figures (it is drawn as one) and says the estimate and the report
  // leave it out; its WBC estimate is the report's, of leukocytes (before: of every box, above the report's)
  await expect(page.getByTestId('nrbc-note')).toContainText("1 WBC box typed NRBC (nucleated red cells): in the WBC figures above, left out of the WBC estimate and of the report's WBC count");
  expect(await app.count('WBC', 'total')).toBe(keys.length);
  const { factor, estimate } = await app.estimates('WBC');
  await factor.fill('2000');
  await expect(estimate).toContainText(`${((keys.length - 1) / files.length).toFixed(2)} per field × 2,000/µL`);
  const nrbc = (100 / (keys.length - 1)).toFixed(1);
  const corrected = ((11 * 100) / (100 + 100 / (keys.length - 1))).toFixed(2);
  // the sample panel says what the report will use
  await expect(page.getByTestId('sample-wbc-basis')).toHaveText(`Corrected for ${nrbc} NRBC per 100 WBC: ${corrected} ×10⁹/L (11 uncorrected). The report's absolute counts use the corrected count.`);
  await page.getByTestId('export-report').click();
  // 100% neutrophils: their absolute count is the corrected WBC; it read 11.00, the erythroblasts counted as WBCs
  await expect(page.getByTestId('report-abs-neutrophil')).toHaveText(corrected);
  await expect(page.getByTestId('report-wbc-basis')).toHaveText(`absolute counts ×10⁹/L from the WBC corrected for ${nrbc} NRBC per 100 WBC: ${corrected} ×10⁹/L (analyser WBC 11 ×10⁹/L uncorrected, × 100 / (100 + NRBC))`);
  await expect(page.getByTestId('report-sample-times')).toContainText(`analyser WBC 11 ×10⁹/L (uncorrected; corrected for ${nrbc} NRBC per 100 WBC: ${corrected} ×10⁹/L)`);
  // the NRBC absolute count, as an analyser gives it: per 100 of the corrected count (before: '–'); and the cell
  // counts leave the erythroblast out of WBC, with a row of its own (before: counted as a WBC, no NRBC row)
  const per100 = 100 / (keys.length - 1);
  await expect(page.getByTestId('report-abs-erythroblast')).toHaveText(((per100 / 100) * ((11 * 100) / (100 + per100))).toFixed(2));
  await expect(page.getByTestId('report-cbc-WBC').locator('td').first()).toHaveText('WBC, NRBC left out');
  await expect(page.getByTestId('report-cbc-NRBC').locator('td').nth(1)).toHaveText('1');
  await expect(page.getByTestId('report-estimate-WBC')).toContainText(`(${((keys.length - 1) / files.length).toFixed(2)} per field × 2,000/µL`);
  await page.getByRole('button', { name: 'Close' }).click();
  // an analyser that counts NRBC apart: its count is used as entered, and the report says so
  await page.getByTestId('sample-wbc-corrected').check();
  await expect(page.getByTestId('sample-wbc-basis')).toHaveText("The report's absolute counts use 11 ×10⁹/L as entered, not corrected again.");
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-abs-neutrophil')).toHaveText('11.00');
  await expect(page.getByTestId('report-abs-erythroblast')).toHaveText(((per100 / 100) * 11).toFixed(2));
  await expect(page.getByTestId('report-wbc-basis')).toHaveText('absolute counts ×10⁹/L from the analyser WBC 11 ×10⁹/L, entered as already corrected for NRBC by the analyser (not corrected again)');
  await expect(page.getByTestId('report-sample-times')).toContainText('analyser WBC 11 ×10⁹/L (corrected for NRBC by the analyser)');
});

test('a verification taken back in the gallery leaves the cell the model\'s again, with its probability, not a type set by hand (audit 2026-12-06, differential)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  const cur = (await app.current())!;
  const wbc = cur.detections.find((d) => d.cls === 'WBC')!;
  expect(wbc.wbc).toMatchObject({ origin: 'model' });
  const shown = async () => (await app.current())!.detections.find((d) => d.id === wbc.id)!.wbc!;
  await page.getByTestId('open-gallery').click();
  await page.locator(`[data-testid="wbc-tile"][data-key="${cur.id}/${wbc.id}"]`).click();
  await page.getByTestId('gallery-verify').click();
  await expect.poll(async () => (await shown()).verified).toBe(true);
  await page.getByTestId('gallery-verify').click();
  await expect.poll(async () => (await shown()).verified ?? false).toBe(false);
  // it read { origin: 'manual', p: 1 }: an unsure cell taken back was unsure no more, and "Verify all" took it
  expect(await shown()).toEqual(wbc.wbc);
});
