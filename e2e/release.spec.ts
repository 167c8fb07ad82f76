import { expect, test, type Page } from '@playwright/test';
import { AppPage, deleteCountedBox, releaseReport } from './app.po';
import { testingImages } from './data';
import { readCsv } from './csv';
import { readFileSync } from 'node:fs';

async function download(page: Page, testId: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync((await d.path())!, 'utf8');
}

// This machine can be very loaded (training runs beside the tests): generous limits.
test.setTimeout(900_000);

const TYPES = ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte'];

test('a released report is withdrawn when a box it rests on is deleted, and its differential is never released on unverified cells', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(3));
  await app.waitReady(600_000);
  // the lab asks the panel for a preliminary view on every typed cell: the report still releases verified cells only
  await page.getByTestId('diff-basis').selectOption('all');
  const st = await page.evaluate(() => window.__smearcount.differential());
  expect(st.typed).toBeGreaterThan(0);
  expect(st.verified).toBe(0);
  await expect(page.getByTestId('diff-pct-neutrophil')).not.toHaveText('–');

  await page.getByTestId('export-report').click();
  // before release every copy says what it is, first
  await expect(page.getByTestId('report-state')).toHaveText('PRELIMINARY: not verified, not for clinical use.');
  await page.getByTestId('report-sample').fill('S-22');
  // a report signed by nobody is not released: the sample ID alone is not enough
  await expect(page.getByTestId('report-print')).toBeDisabled();
  await expect(page.getByTestId('report-needs-verifier')).toBeVisible();
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await expect(page.getByTestId('report-needs-verifier')).toHaveCount(0);
  await expect(page.getByTestId('report-diff-unreleased')).toContainText(`0 of 100 cells verified, ${st.typed + st.untyped} not yet`);
  for (const t of TYPES) {
    await expect(page.getByTestId(`report-pct-${t}`)).toHaveText('–');
    await expect(page.getByTestId(`report-flag-${t}`)).toHaveText('');
  }
  await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
  await releaseReport(page);
  await expect(page.getByTestId('report-verification')).toContainText('Verified by C. Doe');
  // released on a revision, to the second; printing again with nothing changed is the same release
  const sample0 = await page.evaluate(() => window.__smearcount.sample());
  await expect(page.getByTestId('report-state')).toContainText(`Released · verified by C. Doe at `);
  await expect(page.getByTestId('report-state')).toContainText(`revision ${sample0.releasedRevision}`);
  await expect(page.getByTestId('report-state')).toHaveText(/at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  await page.waitForTimeout(1100);
  await page.getByTestId('report-print').click();
  expect((await page.evaluate(() => window.__smearcount.sample())).verifiedAt).toBe(sample0.verifiedAt);
  // nothing changed by hand yet, and the report says so
  await expect(page.getByTestId('report-edits')).toHaveText('No box or WBC type was changed by hand.');
  await page.getByRole('button', { name: 'Close' }).click();
  // the exports carry the release: every row of the counts CSV, the JSON's report
  const released = readCsv(await download(page, 'export-csv'));
  for (const r of released.rows) {
    expect([released.get(r, 'report_state'), released.get(r, 'verified_by'), released.get(r, 'release_revision')]).toEqual(['released', 'C. Doe', sample0.releasedRevision]);
  }
  expect(JSON.parse(await download(page, 'export-json')).report).toMatchObject({ state: 'released', verified_by: 'C. Doe', release_revision: sample0.releasedRevision });

  // one box deleted after the release: the report is withdrawn, and the audit trail says why
  const { before, selected } = await deleteCountedBox(page);
  await expect.poll(async () => (await page.evaluate(() => window.__smearcount.current()))!.detections.length).toBe(before.detections.length - 1);
  // the main window says so at once, in the notices
  await expect(page.getByTestId('notice-release')).toContainText('The released report was withdrawn');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-verification')).not.toContainText('Verified by');
  const gone = before.detections.find((d) => d.id === selected)!;
  const cls = gone.cls;
  // the class and which way it went, no nested brackets; where the cell was, as a technician finds it (its part
  // of the image and its centre), not its internal id: that stays in the audit trail's cell field
  const [cx, cy] = [Math.round((gone.box.x1 + gone.box.x2) / 2), Math.round((gone.box.y1 + gone.box.y2) / 2)];
  const name = before.name.replace(/[.]/g, '\\.');
  await expect(page.getByTestId('report-verification')).toContainText(new RegExp(`withdrawn \\(${name}: ${cls} box deleted, (top|bottom|middle)?( ?(left|right))? at x ${cx}, y ${cy}\\)`));
  await expect(page.getByTestId('report-verification')).not.toContainText(`cell ${selected}`);
  await expect(page.getByTestId('report-state')).toContainText('WITHDRAWN: not valid for clinical use');
  const audit = await page.evaluate(() => window.__smearcount.audit());
  expect(audit.filter((a) => a.field === 'release').map((a) => a.action)).toEqual(['release', 'withdraw']);
  // the deletion, then the withdrawal it caused
  expect(audit.slice(-2).map((a) => a.action)).toEqual(['delete', 'withdraw']);
  expect(audit.at(-1)!.to).toContain('box deleted');
  expect(audit.at(-2)).toMatchObject({ cell: selected, field: 'deleted' });
  expect((await page.evaluate(() => window.__smearcount.sample())).verifiedAt).toBeNull();
  // the report says what was changed by hand, overall and on the image
  await expect(page.getByTestId('report-edits')).toContainText('1 box deleted');
  await expect(page.getByTestId('report-image-edits').filter({ hasText: '1 box deleted' })).toHaveCount(1);
  // the sample record's changes are entries of their own, before the release
  const record = audit.filter((a) => a.field === 'sample').map((a) => [a.cell, a.to]);
  expect(record).toEqual([
    ['id', 'S-22'],
    ['verifiedBy', 'C. Doe'],
  ]);
  await page.getByRole('button', { name: 'Close' }).click();
  // a withdrawn copy's exports say so, with the reason the report prints, and name no verifier
  const reason = (await page.evaluate(() => window.__smearcount.sample())).withdrawn as string;
  expect(reason).toMatch(new RegExp(`^${name}: ${cls} box deleted, .*at x ${cx}, y ${cy}$`));
  const withdrawn = readCsv(await download(page, 'export-csv'));
  for (const r of withdrawn.rows) {
    expect([withdrawn.get(r, 'report_state'), withdrawn.get(r, 'verified_by'), withdrawn.get(r, 'release_revision')]).toEqual(['withdrawn', '', '']);
    expect(withdrawn.get(r, 'withdrawn_reason')).toBe(reason);
  }
  const json = JSON.parse(await download(page, 'export-json'));
  expect(json.report).toMatchObject({ state: 'withdrawn', verified_by: '', withdrawn_reason: reason });
  expect(json.report.edits).toMatchObject({ deleted: 1, words: '1 box deleted' });
});

test('a sample ID typed into the report survives an immediate reload', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  await page.getByTestId('export-report').click();
  await page.getByTestId('report-sample').fill('S-RELOAD-7');
  // no wait at all: the reload follows the last keystroke
  await page.reload();
  await app.waitReady(600_000);
  expect((await page.evaluate(() => window.__smearcount.sample())).id).toBe('S-RELOAD-7');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-sample')).toHaveValue('S-RELOAD-7');
});

test('a release is deliberate: a typed verifier, no first focus on the release, and a confirmation that says what nobody checked', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady(600_000);
  await page.getByTestId('sample-id').fill('S-77');
  await page.getByTestId('sample-operator').fill('J. Tech');
  let printed = 0;
  await page.exposeFunction('countPrint', () => printed++);
  await page.evaluate(() => (window.print = () => void (window as unknown as { countPrint(): void }).countPrint()));
  await page.getByTestId('export-report').focus();
  await page.keyboard.press('Enter');
  // the operator is not the verifier by default, not even as a grey placeholder: the field is empty, and
  // the focus is in it, not on "Verify and print"
  const by = page.getByTestId('report-verified-by');
  await expect(by).toBeFocused();
  await expect(by).toHaveValue('');
  expect(await by.getAttribute('placeholder')).not.toBe('J. Tech');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('report-needs-verifier')).toBeVisible();
  await page.keyboard.type('J. Tech');
  // "Verify and print": first a confirmation that says what is unchecked, with the focus on going back
  await page.getByTestId('report-print').focus();
  await page.keyboard.press('Enter');
  const gaps = page.getByTestId('report-confirm-gaps');
  await expect(gaps).toContainText('No image was reviewed: the counts of both images are');
  await expect(gaps).toContainText(/\d+ uncertain box(es are| is) not yet resolved \(U visits them\)/);
  await expect(gaps).toContainText('The WBC differential is below its target: 0 of 100 cells verified');
  await expect(page.getByTestId('report-confirm-back')).toBeFocused();
  // a second Enter goes back, and releases nothing
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('report-confirm')).toHaveCount(0);
  await expect(page.getByTestId('report-print')).toBeFocused();
  expect((await page.evaluate(() => window.__smearcount.sample())).verifiedAt).toBeNull();
  expect(printed).toBe(0);
  // "Release anyway" releases, signed by the name typed
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('report-confirm-release')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('report-state')).toContainText('Released · verified by J. Tech at ');
  await expect.poll(() => printed).toBe(1);
  // printing the same release again asks nothing; the released copy opens on Close
  await page.getByTestId('report-print').click();
  await expect.poll(() => printed).toBe(2);
  await expect(page.getByTestId('report-confirm')).toHaveCount(0);
  await page.getByTestId('report-close').click();
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-close')).toBeFocused();
});

test('a release rests on what the report prints: a review mark or a damaged file after it withdraws it, and an unreleased JSON names no verifier (audit 2026-12-06)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  await page.evaluate(() => (window.print = () => undefined));
  await page.getByTestId('export-report').click();
  await page.getByTestId('report-sample').fill('S-31');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await page.getByRole('button', { name: 'Close' }).click();
  // typed, not released: the JSON's sample record names nobody, as its report and the CSV do
  const before = JSON.parse(await download(page, 'export-json'));
  expect([before.report.state, before.report.verified_by, before.sample.verifiedBy]).toEqual(['preliminary', '', '']);
  await page.getByTestId('export-report').click();
  await releaseReport(page);
  await expect(page.getByTestId('report-review')).toHaveText('Boxes reviewed on 0 of 1 image; the others are the detector’s counts, not checked by a person.');
  await page.getByRole('button', { name: 'Close' }).click();
  const released = JSON.parse(await download(page, 'export-json'));
  expect([released.report.state, released.sample.verifiedBy]).toEqual(['released', 'C. Doe']);

  // the image marked reviewed after the release: the report's "reviewed on 0 of 1" was what was signed
  await page.getByTestId('reviewed').check();
  await expect(page.getByTestId('notice-release')).toContainText('The released report was withdrawn');
  const name = (await app.current())!.name;
  expect((await page.evaluate(() => window.__smearcount.sample())).withdrawn).toBe(`${name}: marked reviewed`);
  const withdrawn = JSON.parse(await download(page, 'export-json'));
  expect([withdrawn.report.state, withdrawn.report.verified_by, withdrawn.sample.verifiedBy]).toEqual(['withdrawn', '', '']);

  // released again, then a damaged file dropped: the report would name it as not in its figures; the withdrawal
  // took the verifier's name, so the corrected report is signed again
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-verified-by')).toHaveValue('');
  await expect(page.getByTestId('report-needs-verifier')).toBeVisible();
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText('Released');
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByTestId('file-input').setInputFiles({ name: 'damaged.jpg', mimeType: 'image/jpeg', buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) });
  await expect.poll(async () => (await page.evaluate(() => window.__smearcount.sample())).withdrawn).toBe('file not counted: damaged.jpg');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-state')).toContainText('WITHDRAWN');
  await expect(page.getByTestId('report-not-counted')).toContainText('damaged.jpg');
});

test('a release covers what the report says of the microscope profile: it stands after a reload, and renaming the profile withdraws it and says why (audit 2026-12-06, report)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady(600_000);
  // verified cells in the profile: Appendix B names it ("… the microscope profile “Bench 1” …")
  await page.getByTestId('profile-name').fill('Bench 1');
  await page.getByTestId('profile-name').blur();
  await page.getByTestId('open-gallery').click();
  const group = (await page.getByTestId('wbc-tile').first().getAttribute('data-type'))!;
  await page.getByTestId(`gallery-verify-group-${group}`).click();
  await page.getByTestId('gallery-close').click();
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-meta')).toContainText('“Bench 1”');
  await page.getByTestId('report-sample').fill('S-PROFILE');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await page.evaluate(() => (window.print = () => undefined));
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText('Released · verified by C. Doe');
  // the reload restores the release before the profile is read again: it stands
  await page.reload();
  await app.waitReady(600_000);
  await expect(page.getByTestId('profile-name')).toHaveValue('Bench 1');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-state')).toContainText('Released · verified by C. Doe');
  await page.getByRole('button', { name: 'Close' }).click();
  // renamed: no figure moves, but the signed line would (before: the release stood, the paper said “Bench 2”)
  await page.getByTestId('profile-name').fill('Bench 2');
  await page.getByTestId('profile-name').blur();
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-state')).toContainText('WITHDRAWN');
  await expect(page.getByTestId('report-state')).toContainText('microscope profile changed what the report says of adaptation');
  await expect(page.getByTestId('report-meta')).toContainText('“Bench 2”');
});

test('a release covers the magnification the report states: set by hand before it, it stands after a reload; changed after it, the release is withdrawn and says why (audit 2026-12-07, release)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  // set by hand before counting: the image is counted at it, and the Method says so
  await page.getByTestId('scale-mode').selectOption(String(1 / 1.25));
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  await page.getByTestId('export-report').click();
  const setAt = 'Magnification: set by hand: cells look 1.25× larger than usual, counted at 0.8× zoom;';
  await expect(page.getByTestId('report-method')).toContainText(setAt);
  await page.getByTestId('report-sample').fill('S-SCALE');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await page.evaluate(() => (window.print = () => undefined));
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText('Released · verified by C. Doe');
  const released = await page.evaluate(() => window.__smearcount.sample());
  // the reload: the setting is the microscope profile's, read after the batch; the release stands throughout
  await page.reload();
  await app.waitReady(600_000);
  await expect(page.getByTestId('scale-mode')).toHaveValue(String(1 / 1.25));
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-state')).toContainText(`Released · verified by C. Doe at ${released.verifiedAt!.slice(0, 10)}`);
  await expect(page.getByTestId('report-method')).toContainText(setAt);
  await page.getByRole('button', { name: 'Close' }).click();
  // another magnification set by hand: no box moves until the image is counted again, but the signed Method line
  // would say the new setting (before: the release stood)
  await page.getByTestId('scale-mode').selectOption(String(1 / 2));
  await expect(page.getByTestId('notice-release')).toContainText('The released report was withdrawn (magnification changed');
  const reason = (await page.evaluate(() => window.__smearcount.sample())).withdrawn as string;
  expect(reason).toBe(
    'magnification changed (“set by hand: cells look 1.25× larger than usual, counted at 0.8× zoom” → “set by hand: cells look 1.25× larger than usual, counted at 0.8× zoom; the setting is now “set by hand: cells look 2× larger than usual, counted at 0.5× zoom”, not applied to 1 of 1 image until it is counted again”)',
  );
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-state')).toContainText('WITHDRAWN');
  await expect(page.getByTestId('report-method')).toContainText('the setting is now “set by hand: cells look 2× larger than usual');
  const audit = await page.evaluate(() => window.__smearcount.audit());
  expect(audit.at(-1)).toMatchObject({ field: 'release', action: 'withdraw', to: `withdrawn: ${reason}` });
});

test('a release restored under another model than the one it was made with is withdrawn on restore, naming both; under the same, it stands (audit 2026-12-07, release: the models and the unsure bar)', async ({ page, request }) => {
  // another detector file the app serves (the shipped detector's int8 copy), as an update of the app could bring
  const manifest = (await (await request.get('/models/optimized.json')).json()) as { models: { file: string; sha256: string; source: { file: string; sha256: string } }[] };
  const other = manifest.models.find((m) => m.source.file === 'smearcount-frcnn.onnx')!;
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  await page.getByTestId('export-report').click();
  await page.getByTestId('report-sample').fill('S-MODELS');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await page.evaluate(() => (window.print = () => undefined));
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText('Released · verified by C. Doe');
  const released = await page.evaluate(() => window.__smearcount.sample());
  // the models the Method names, with the classifier's unsure bar
  expect(released.releasedModels).toMatchObject({ detector: { sha256: other.source.sha256 }, classifier: { lowConfidence: expect.any(Number) } });
  // the same models after a reload: the release stands
  await page.reload();
  await app.waitReady(600_000);
  expect(await page.evaluate(() => window.__smearcount.sample())).toMatchObject({ verifiedAt: released.verifiedAt, withdrawn: '' });
  // opened under another detector: the report would name it, over a release that named the shipped one (before: "Released")
  await app.open(`?backend=wasm&model=/models/${other.file}&sha256=${other.sha256}`);
  await app.waitReady(600_000);
  const was = released.releasedModels!.detector;
  const now = `${other.file.replace(/\.onnx$/, '')} (?model=)`;
  await expect
    .poll(async () => (await page.evaluate(() => window.__smearcount.sample())).withdrawn)
    .toBe(`made with another detector model (${was.name}, sha256 ${was.sha256.slice(0, 12)}… → ${now}, sha256 ${other.sha256.slice(0, 12)}…): release it again`);
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-state')).toContainText('WITHDRAWN');
  await expect(page.getByTestId('report-state')).toContainText('made with another detector model');
});

test('a release withdrawn while the report is open is said to a screen reader as the page says it, not left "released" (audit 2026-12-07, report)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady(600_000);
  await page.evaluate(() => (window.print = () => undefined));
  await page.getByTestId('export-report').click();
  await page.getByTestId('report-sample').fill('S-32');
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await releaseReport(page);
  const said = page.getByTestId('report-announce');
  await expect(said).toHaveText('Report for sample S-32 released, verified by C. Doe.');
  // an edit after the release, on the report itself: the page says WITHDRAWN; the live line said "released" still
  await page.getByTestId('report-patient').fill('Doe, J.');
  await expect(page.getByTestId('report-state')).toHaveText('WITHDRAWN: not valid for clinical use. The release was withdrawn (sample record changed (patient)).');
  await expect(said).toHaveText('Report for sample S-32: WITHDRAWN: not valid for clinical use. The release was withdrawn (sample record changed (patient)).');
  // released again: said as a release again
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await releaseReport(page);
  await expect(page.getByTestId('report-state')).toContainText('Released');
  await expect(said).toHaveText('Report for sample S-32 released, verified by C. Doe.');
});
