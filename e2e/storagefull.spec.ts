import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { AppPage } from './app.po';
import { testingImages } from './data';

// The service worker's precache fills the origin's storage in the background: kept out, so that the quota
// set below is the batch's alone.
test.use({ serviceWorkers: 'block' });

/** Sets the origin's storage quota as Chromium enforces it (CDP; navigator.storage.estimate() does not show it), or
 * gives the default back (`null`). A database already open keeps the quota it opened with: set it before. */
async function quota(page: Page, bytes: number | null) {
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(page.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', bytes === null ? { origin } : { origin, quotaSize: bytes });
}

/** A 3 MB picture: a real field, its JPEG padded with comment segments (the same pixels, another file). */
function bigPicture(path: string) {
  const jpeg = readFileSync(path);
  const comment = Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd, 0xea]), Buffer.alloc(0xfdea - 2, 0x20)]);
  return { name: 'big-field.jpg', mimeType: 'image/jpeg', buffer: Buffer.concat([jpeg.subarray(0, 2), ...Array<Buffer>(46).fill(comment), jpeg.subarray(2)]) };
}

/** Crashes `page` (no pagehide: nothing more is written) and opens the app in a new tab of its context. */
async function crashAndReopen(page: Page, context: BrowserContext): Promise<AppPage> {
  const second = await context.newPage();
  await second.goto('/icon.svg'); // keeps the browser's storage open while the first tab dies
  const crashed = new Promise((resolve) => page.once('crash', resolve));
  void (await context.newCDPSession(page)).send('Page.crash').catch(() => undefined);
  await crashed;
  const app = new AppPage(second);
  await app.open('?backend=wasm');
  return app;
}

test('storage full: a picture over the quota loses nothing else; after a crash the review is there and the picture named, and it comes back when dropped again', async ({ page, context }) => {
  // audit 2026-12-06: one IndexedDB transaction held the review and the pictures, so one picture over the
  // quota took the technician's review of that save down with it, and the picture was named nowhere
  const app = new AppPage(page);
  await page.goto('/icon.svg');
  // room for a batch of small fields (about 25 KB each), not for a picture of 3 MB
  await quota(page, 1_500_000);
  await app.open('?backend=wasm');
  const [field, other] = testingImages(2);
  const fieldName = field.split('/').pop();
  await app.drop([field]);
  await app.waitReady();

  // a 3 MB picture, and the review of the first field in the same save
  const big = bigPicture(other);
  await page.getByTestId('file-input').setInputFiles([big]);
  await page.getByTestId('reviewed').click();
  await expect(page.getByTestId('reviewed')).toBeChecked();
  await expect
    .poll(() => page.evaluate(() => window.__smearcount.save()), { timeout: 30_000 })
    .toMatchObject({ pending: false, unsaved: expect.arrayContaining(['big-field.jpg']), error: expect.stringMatching(/the storage this browser gives the app on this device is full/) });
  await expect(page.getByTestId('notice-save')).toContainText('big-field.jpg');

  // the tab crashes
  const again = await crashAndReopen(page, context);
  const second = again.page;
  await expect.poll(async () => (await again.images()).map((i) => i.name)).toEqual([fieldName]);
  await again.waitReady();
  await expect(second.getByTestId('reviewed')).toBeChecked();
  // the image without its picture is not dropped unseen: named, with what to do
  await expect(again.fileErrors().filter({ hasText: 'big-field.jpg' })).toContainText('drop the same file again');

  // room again (a database opened afresh takes the new quota): the same file dropped again is in the batch
  await quota(second, null);
  await second.reload();
  await expect.poll(async () => (await again.images()).length).toBe(1);
  await again.waitReady();
  await second.getByTestId('file-input').setInputFiles([big]);
  await expect.poll(async () => (await again.images()).map((i) => [i.name, i.status])).toEqual([
    [fieldName, 'done'],
    ['big-field.jpg', 'done'],
  ]);
  await again.waitReady();
  expect(await second.evaluate(() => window.__smearcount.save())).toMatchObject({ error: null, unsaved: [] });
  await second.reload();
  await expect.poll(async () => (await again.images()).map((i) => i.name)).toEqual([fieldName, 'big-field.jpg']);
});

test('storage full: a file dropped while no save commits is named after a crash, not lost unseen', async ({ page, context }) => {
  // audit 2026-12-06: the intake journal let a dropped file's name go once the save after it ended, failed or
  // not; with the storage full the file was in no saved batch, and after a crash nothing named it
  const app = new AppPage(page);
  await page.goto('/icon.svg');
  await quota(page, 1_500_000);
  await app.open('?backend=wasm');
  const [field, other] = testingImages(2);
  const fieldName = field.split('/').pop()!;
  // the 3 MB picture fails; Chromium counts its bytes against the quota until it reclaims them, so the next
  // save fails whole
  await page.getByTestId('file-input').setInputFiles([bigPicture(other)]);
  await expect.poll(() => page.evaluate(() => window.__smearcount.save().error), { timeout: 30_000 }).toMatch(/storage this browser gives the app on this device is full/);
  await app.drop([field]);
  await expect
    .poll(() => page.evaluate(() => window.__smearcount.save()), { timeout: 30_000 })
    .toMatchObject({ unsaved: expect.arrayContaining([fieldName]), error: expect.stringMatching(/^The batch was not saved: the storage .* is full/) });
  await app.waitReady();
  await page.waitForTimeout(500); // the failed save has ended
  expect(await page.evaluate(() => localStorage.getItem('smearcount.intake'))).toContain(fieldName);

  const again = await crashAndReopen(page, context);
  await again.waitReady();
  await expect(again.fileErrors().filter({ hasText: fieldName })).toContainText('drop it again');
  await expect(again.fileErrors().filter({ hasText: 'big-field.jpg' })).toContainText('drop the same file again');
});
