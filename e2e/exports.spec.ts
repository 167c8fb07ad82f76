/**
 * Same file name, two folders: every export keeps the two images apart, read back with Info-ZIP's
 * unzip (an independent reader) and as plain text.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

async function download(page: Page, testId: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return (await d.path())!;
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
