import { expect, test } from '@playwright/test';
import { dirname } from 'node:path';
import { evaluateFolder } from '../scripts/evaluation/evaluate';
import { AppPage, CLASSES } from './app.po';
import { testingImages } from './data';

/**
 * `npm run eval` resizes with the training pipeline's filter (PyTorch's antialiased bilinear, ported
 * to TypeScript), the browser with createImageBitmap's. Both feed the same model and post-processing:
 * on real images their counts must agree closely, so the CLI's figures stand for the app's.
 */
test("the app's counts match npm run eval's on real images", async ({ page }) => {
  const files = testingImages(8);
  const cli = await evaluateFolder(dirname(dirname(files[0])), { limit: files.length });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(files);
  await app.waitReady();
  let diff = 0;
  let total = 0;
  for (let i = 0; i < files.length; i++) {
    await app.selectImage(i);
    const shown = await app.counts();
    const ref = cli.perImage[i];
    expect(ref.image).toBe(files[i].split('/').pop());
    for (const c of CLASSES) {
      expect(Math.abs(shown[c] - ref[c]), `${ref.image} ${c}: app ${shown[c]}, eval ${ref[c]}`).toBeLessThanOrEqual(c === 'RBC' ? 2 : 1);
      diff += Math.abs(shown[c] - ref[c]);
      total += ref[c];
    }
  }
  expect(diff / total).toBeLessThanOrEqual(0.03);
});
