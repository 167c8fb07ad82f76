/**
 * A day's batch as a technician drops it: good fields with bad files among them. The counts panel says
 * what its totals leave out.
 */
import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { AppPage } from './app.po';
import { testingImages } from './data';

test('the counts panel says how many files were refused, after their notices are dismissed', async ({ page }, info) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  writeFileSync(info.outputPath('empty.jpg'), '');
  writeFileSync(info.outputPath('notes.jpg'), 'not an image at all');
  const good = testingImages(3);
  await app.drop([...good, info.outputPath('empty.jpg'), info.outputPath('notes.jpg')]);
  await app.waitReady();
  await expect(page.getByTestId('images-counted')).toHaveText('3');
  await page.getByTestId('dismiss-all').click();
  await expect(app.fileErrors()).toHaveCount(0);
  await expect(page.getByTestId('images-refused')).toHaveText('(2 files refused, not counted)');
  // the same copy again is counted once, and is no refused file
  await app.drop([good[0]]);
  await app.waitReady();
  await expect(page.getByTestId('images-refused')).toHaveText('(2 files refused, not counted)');
  // a refused file dropped again whole is no longer missing
  writeFileSync(info.outputPath('notes.jpg'), Buffer.from(await (await import('node:fs/promises')).readFile(testingImages(4)[3])));
  await app.drop([info.outputPath('notes.jpg')]);
  await app.waitReady();
  await expect(page.getByTestId('images-counted')).toHaveText('4');
  await expect(page.getByTestId('images-refused')).toHaveText('(1 file refused, not counted)');
});
