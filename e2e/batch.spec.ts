/**
 * A day's batch as a technician drops it: good fields with bad files among them. The counts panel says
 * what its totals leave out.
 */
import { expect, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { AppPage } from './app.po';
import { testingImages, variants } from './data';
import { nonSmearPictures, toPng } from '../scripts/nonSmear';

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

test('a 150-file drop: the progress counts every file from the start, and Clear session in the middle leaves nothing of it for the next sample', async ({ page }, info) => {
  test.setTimeout(600_000);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  const files = variants(info.outputPath('drop'), 150);
  await app.drop(files);
  // read as fast as it changes while the files are checked: the total never reads less than the drop
  const seen: string[] = [];
  await expect
    .poll(
      async () => {
        const t = (await page.getByTestId('progress').textContent().catch(() => '')) ?? '';
        if (t) seen.push(t);
        return (await app.images()).length;
      },
      { intervals: [30], timeout: 120_000 },
    )
    .toBe(150);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.filter((t) => !/^\d+\/150 done/.test(t))).toEqual([]);
  await app.waitReady(540_000);

  // the next sample: Clear session while a drop is still being checked
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('clear-session').click();
  await expect(page.getByTestId('thumb')).toHaveCount(0);
  await app.drop(variants(info.outputPath('second'), 150));
  await expect.poll(async () => (await app.images()).length, { intervals: [20] }).toBeGreaterThan(0);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('clear-session').click();
  await page.getByTestId('sample-id').fill('NEXT-1');
  await app.waitReady();
  await page.waitForTimeout(1000);
  expect(await app.images()).toEqual([]);
  await expect(page.getByTestId('progress')).toHaveCount(0);
});

test('on a phone, a copy of an image already in the batch is not among the files not counted', async ({ page }, info) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  writeFileSync(info.outputPath('empty.jpg'), '');
  const good = testingImages(2);
  await app.drop([...good, info.outputPath('empty.jpg')]);
  await app.waitReady();
  await app.drop([good[1]]);
  await app.waitReady();
  const name = good[1].split('/').pop()!;
  // the notices' one line and the counts bar say the same: one file refused, the copy counted once
  await expect(page.getByTestId('counts-bar-batch')).toContainText('Batch (2 counted, 1 file refused)');
  await expect(page.getByTestId('notices-status')).not.toContainText('files not counted');
  await expect(page.getByTestId('notices-status')).toContainText(name);
  await expect(app.fileErrors()).toHaveCount(1);
  await page.getByTestId('notices-toggle').click();
  await expect(page.getByTestId('notice-file').filter({ hasText: `${name}: Already in this batch` })).toBeVisible();
});

test('a dropped folder of two days keeps each day together in the list, as the same folder chosen does', async ({ page }) => {
  const fields = testingImages(4).map((p) => [...readFileSync(p)]);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await page.evaluate((fields) => {
    // what Chromium's webkitGetAsEntry() gives for a dropped folder "slides" holding day2/ and day1/, listed in
    // the order the file system gives them (not sorted)
    const file = (path: string, bytes: number[]) => ({
      isFile: true,
      isDirectory: false,
      name: path.split('/').pop()!,
      fullPath: path,
      file: (ok: (f: File) => void) => ok(new File([new Uint8Array(bytes)], path.split('/').pop()!, { type: 'image/jpeg' })),
    });
    const dir = (path: string, children: unknown[]) => ({
      isFile: false,
      isDirectory: true,
      name: path.split('/').pop()!,
      fullPath: path,
      createReader: () => {
        let given = false;
        return { readEntries: (ok: (e: unknown[]) => void) => (ok(given ? [] : children), (given = true)) };
      },
    });
    const root = dir('/slides', [
      dir('/slides/day2', [file('/slides/day2/field-2.jpg', fields[3]), file('/slides/day2/field-1.jpg', fields[2])]),
      dir('/slides/day1', [file('/slides/day1/field-10.jpg', fields[1]), file('/slides/day1/field-1.jpg', fields[0])]),
    ]);
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { types: ['Files'], files: [], items: [{ kind: 'file', webkitGetAsEntry: () => root }] } });
    window.dispatchEvent(drop);
  }, fields);
  await app.waitReady();
  // by folder, then by name in it (field-10 after field-2, as numbers): never day2, day1, day2, day1. A name two
  // folders share is shown with its folder
  await expect(page.getByTestId('thumb').locator('.name')).toHaveText(['slides/day1/field-1.jpg', 'field-10.jpg', 'slides/day2/field-1.jpg', 'field-2.jpg']);
});

test('Cancel from the keyboard: the focus stays on the progress line when the button goes', async ({ page }, info) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  await app.drop(variants(info.outputPath('cancel'), 40));
  await page.waitForFunction(() => window.__smearcount.images().filter((i) => i.status === 'done').length >= 2);
  await page.getByTestId('cancel-batch').focus();
  await page.keyboard.press('Enter');
  await app.waitReady();
  await expect(page.getByTestId('cancel-batch')).toHaveCount(0);
  await expect(page.getByTestId('progress')).toBeFocused();
});

test("an annotation waiting for its image is the sample's: after Clear session the next sample's image of that name has no reference", async ({ page }) => {
  const [image, other] = testingImages(2);
  const xml = image.replace('/Images/', '/Annotations/').replace(/\.jpe?g$/i, '.xml');
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  // the last sample: a field, and an annotation whose image it never had
  await app.drop([other, xml]);
  await app.waitReady();
  await expect(page.getByTestId('notice-file')).toContainText('no image named');
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('clear-session').click();
  await expect(page.getByTestId('notice-file')).toHaveCount(0);
  await app.drop([image]);
  await app.waitReady();
  await expect(page.getByTestId('count-RBC')).not.toHaveText('');
  expect(await page.evaluate(() => window.__smearcount.groundTruthAp().images)).toBe(0);
  await expect(page.getByTestId('ap-image')).toHaveCount(0);
  // dropped with it in the same session, the annotation is used
  await app.drop([xml]);
  await expect.poll(() => page.evaluate(() => window.__smearcount.groundTruthAp().images)).toBe(1);
});

test('an image left out of the totals says so in the list to a screen reader, not only by striking its counts through', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const picture = nonSmearPictures().find((p) => p.name === 'checkerboard')!;
  await app.drop(testingImages(1));
  await page.getByTestId('file-input').setInputFiles([{ name: 'checkerboard.png', mimeType: 'image/png', buffer: toPng(picture) }]);
  await app.waitReady();
  const [smear, board] = [page.getByTestId('thumb').nth(0), page.getByTestId('thumb').nth(1)];
  await expect(board).toHaveAttribute('data-counted', 'false');
  await expect(board).toHaveAccessibleName(/left out of the batch totals/);
  await expect(smear).not.toHaveAccessibleName(/left out/);
});
