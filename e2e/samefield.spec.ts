import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { AppPage } from './app.po';
import { testingImages } from './data';

test('one field dropped twice at another size is said, naming both files (audit 2026-12-05)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  const [first, second] = testingImages(2);
  // the first field enlarged 2x and saved as a PNG: other bytes, so the hash lets it in
  const png = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
    const canvas = new OffscreenCanvas(bmp.width * 2, bmp.height * 2);
    canvas.getContext('2d')!.drawImage(bmp, 0, 0, canvas.width, canvas.height);
    const out = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let s = '';
    for (let i = 0; i < out.length; i += 0x8000) s += String.fromCharCode(...out.subarray(i, i + 0x8000));
    return btoa(s);
  }, readFileSync(first).toString('base64'));
  await app.drop([first, second]);
  await page.getByTestId('file-input').setInputFiles([{ name: 'field-enlarged.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') }]);
  await app.waitReady();
  expect((await app.images()).map((i) => i.status)).toEqual(['done', 'done', 'done']);
  const said = page.getByTestId('notice-batch');
  await expect(said).toHaveCount(1);
  await expect(said).toContainText(`field-enlarged.png shows the same field as ${first.replace(/^.*\//, '')}`);
  await expect(said).toContainText('remove one of them');
});
