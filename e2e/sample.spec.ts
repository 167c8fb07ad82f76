import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { AppPage, releaseReport, unzipStored } from './app.po';
import { testingImages } from './data';
import type { AuditEntry } from '../src/core/edits/audit';

// This machine can be very loaded (training runs beside the tests): generous limits.
test.setTimeout(900_000);

async function download(page: Page, testId: string) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: d.suggestedFilename(), data: readFileSync((await d.path())!) };
}

test('one sample at a time: the record is required for release, appears in every export, and is cleared with the session', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(3));
  await app.waitReady(600_000);

  // the report cannot be released without a sample ID
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-sample')).toHaveValue('');
  await expect(page.getByTestId('report-print')).toBeDisabled();
  await expect(page.getByTestId('report-needs-sample')).toBeVisible();
  await expect(page.getByTestId('report-verification')).toContainText('Not yet verified');
  await page.getByRole('button', { name: 'Close' }).click();

  // the sample record, entered in the sample panel, is the report's
  await page.getByTestId('sample-id').fill('S/042 B');
  await page.getByTestId('sample-operator').fill('AB');
  await page.getByTestId('sample-collected').fill('2026-11-30T08:15');
  await page.getByTestId('sample-wbc').fill('8.5');
  await page.getByTestId('sample-notes').fill('fasting');

  // every export carries the sample ID in its name and content
  const csv = await download(page, 'export-csv');
  expect(csv.name).toMatch(/^counts-S_042_B-\d{4}-.*\.csv$/);
  const rows = csv.data.toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  expect(rows[0].startsWith('image,') && rows[0].endsWith(',sample_id,models')).toBe(true);
  // and the models that made the numbers (their sha256), as the printed report's Appendix B does
  const sha = /sha256:[0-9a-f]{64}/;
  expect(rows.slice(1).every((r) => r.split(',').at(-2) === 'S/042 B' && sha.test(r.split(',').at(-1)!))).toBe(true);
  const boxes = await download(page, 'export-boxes-csv');
  expect(boxes.name).toContain('S_042_B');
  expect(boxes.data.toString('utf8').split(/\r?\n/)[1].split(',').at(-2)).toBe('S/042 B');
  const coco = await download(page, 'export-coco');
  expect(coco.name).toContain('S_042_B');
  const cocoInfo = JSON.parse(coco.data.toString('utf8')).info;
  expect(cocoInfo.sample_id).toBe('S/042 B');
  expect(cocoInfo.models.detector.sha256).toMatch(/^[0-9a-f]{64}$/);
  const voc = await download(page, 'export-voc');
  expect(voc.name).toContain('S_042_B');
  const xml = unzipStored(voc.data).find((f) => f.name.endsWith('.xml'))!.data.toString('utf8');
  expect(xml).toContain('<sample_id>S/042 B</sample_id>');
  const png = await download(page, 'export-png');
  expect(png.name).toContain('S_042_B');
  expect(png.data.includes(Buffer.from('Sample ID\0S/042 B', 'latin1'))).toBe(true);

  // an edit is recorded in the JSON export's audit trail: what changed, from what to what, when
  const cur = (await page.evaluate(() => window.__smearcount.current()))!;
  const wbc = cur.detections.find((d) => d.cls === 'WBC')!;
  await page.getByTestId('open-gallery').click();
  const tile = page.locator(`[data-testid="wbc-tile"][data-key="${cur.id}/${wbc.id}"]`);
  await tile.click();
  const to = wbc.wbc!.type === 'basophil' ? 'monocyte' : 'basophil';
  await page.getByTestId(`gallery-move-${to}`).click();
  await page.getByTestId('gallery-close').click();
  const json = JSON.parse((await download(page, 'export-json')).data.toString('utf8'));
  expect(json.sample).toMatchObject({ id: 'S/042 B', operator: 'AB', collectedAt: '2026-11-30T08:15', wbcCount: 8.5, notes: 'fasting' });
  expect(json.models.detector.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(json.models.classifier.sha256).toMatch(/^[0-9a-f]{64}$/);
  const change = (json.audit as AuditEntry[]).find((a) => a.field === 'type' && a.cell === wbc.id)!;
  expect(change).toMatchObject({ image: cur.name, action: 'reclassify', from: wbc.wbc!.type, to });
  expect(new Date(change.at).getTime()).toBeGreaterThan(Date.now() - 600_000);
  expect(json.images.length).toBe(3);

  // the report: units, reference intervals and their source, flags, absolute counts, the verification line
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-sample')).toHaveValue('S/042 B');
  await expect(page.getByTestId('report-operator')).toHaveValue('AB');
  await expect(page.getByTestId('report-reference')).toContainText('×10⁹/L');
  await expect(page.getByTestId('report-reference')).toContainText('Dacie and Lewis');
  await expect(page.getByTestId('report-diff-basis')).toContainText('target 100');
  // one verified cell among unverified ones is no differential: no figures, no "100% H" from one cell
  await expect(page.getByTestId('report-diff-unreleased')).toBeVisible();
  // and no caution about percentages that are not printed
  await expect(page.getByTestId('report-diff-warning')).toHaveCount(0);
  await expect(page.getByTestId(`report-abs-${to}`)).toHaveText('–');
  await expect(page.getByTestId(`report-pct-${to}`)).toHaveText('–');
  await expect(page.getByTestId(`report-flag-${to}`)).toHaveText('');
  // the operator is not the verifier by default: the name is typed (here the operator's own)
  await expect(page.getByTestId('report-verified-by')).toHaveValue('');
  await page.getByTestId('report-verified-by').fill('AB');
  await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
  await releaseReport(page);
  await expect(page.getByTestId('report-verification')).toContainText(/Verified by AB at \d{4}-\d\d-\d\dT\d\d:\d\d/);
  await page.getByRole('button', { name: 'Close' }).click();

  // a reload keeps the sample (same session) ...
  await page.evaluate(() => window.__smearcount.flush());
  await page.reload();
  await app.waitReady(600_000);
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-sample')).toHaveValue('S/042 B');
  // ... and its release: the batch rebuilt by the reload is the revision it was released on
  await expect(page.getByTestId('report-verification')).toContainText('Verified by AB');
  await page.getByRole('button', { name: 'Close' }).click();

  // ... "Clear session" empties it, and the next batch's report is not pre-filled
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('clear-session').click();
  await expect(page.getByTestId('sample-id')).toHaveValue('');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-sample')).toHaveValue('');
  await expect(page.getByTestId('report-operator')).toHaveValue('');
  expect((await page.evaluate(() => window.__smearcount.audit())).length).toBe(0);
  // nor after a reload
  await page.reload();
  await app.waitReady(600_000);
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-sample')).toHaveValue('');
  await expect(page.getByTestId('report-operator')).toHaveValue('');
});

// Every image removed, the sample's record and audit trail stayed, and Clear session was off (it asked for
// images): the next sample's pictures joined the last one's ID, and its report's audit trail named the last
// patient's removed pictures.
test("with every image removed, Clear session still clears the sample's record and audit trail, for the next sample", async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await expect(page.getByTestId('clear-session')).toBeDisabled();
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  await page.getByTestId('sample-id').fill('S-OLD');
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('remove-image').click();
  await expect.poll(async () => (await app.images()).length).toBe(0);
  expect((await page.evaluate(() => window.__smearcount.audit())).map((a) => a.action)).toContain('remove-image');
  const clear = page.getByTestId('clear-session');
  await expect(clear).toBeEnabled();
  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    void d.accept();
  });
  await clear.click();
  await expect(page.getByTestId('sample-id')).toHaveValue('');
  expect(asked).toContain("sample's record");
  expect(await page.evaluate(() => window.__smearcount.audit())).toEqual([]);
  await expect(clear).toBeDisabled();
});
