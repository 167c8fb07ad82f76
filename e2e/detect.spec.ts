import { expect, test } from '@playwright/test';
import { AppPage, CLASSES } from './app.po';
import { testingImages, truthCounts } from './data';

test('drops Testing images, detects in the worker, and counts close to the ground truth', async ({ page }, info) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const files = testingImages(6);
  await app.drop(files);
  await app.waitReady();

  const imgs = await app.images();
  expect(imgs).toHaveLength(files.length);
  expect(imgs.every((i) => i.status === 'done')).toBe(true);

  // Per image, the counts shown must be what the test hook says the canvas shows.
  const truthTotal = { RBC: 0, WBC: 0, Platelets: 0 };
  const errors = { RBC: 0, WBC: 0, Platelets: 0 };
  for (let i = 0; i < files.length; i++) {
    await app.selectImage(i);
    const cur = await app.current();
    expect(cur?.name).toBe(files[i].split('/').pop());
    const shown = await app.counts();
    for (const c of CLASSES) expect(shown[c]).toBe(cur!.detections.filter((d) => d.cls === c).length);
    const truth = truthCounts(files[i]);
    for (const c of CLASSES) {
      truthTotal[c] += truth[c];
      errors[c] += Math.abs(shown[c] - truth[c]);
    }
    // Boxes are in image pixels of the 640x480 originals.
    for (const d of cur!.detections) {
      expect(d.box.x1).toBeGreaterThanOrEqual(-1);
      expect(d.box.x2).toBeLessThanOrEqual(cur!.width! + 1);
      expect(d.box.y2).toBeLessThanOrEqual(cur!.height! + 1);
    }
  }
  const totals = await app.counts('total');
  // Against complete labels (every visible cell). The card reports RBC count accuracy 0.95 on all of
  // Testing; these 6 images hold ~140 RBCs, so a 6-image sample gets 12% relative error on RBC. WBC
  // and platelets are ~1 per image: at most 0.5 and 1 wrong per image on average.
  expect(errors.RBC / truthTotal.RBC).toBeLessThanOrEqual(0.12);
  expect(errors.WBC).toBeLessThanOrEqual(files.length * 0.5);
  expect(errors.Platelets).toBeLessThanOrEqual(files.length * 1);
  expect(totals.RBC).toBeGreaterThan(0);
  await page.screenshot({ path: info.outputPath('batch.png') });
  await info.attach('batch', { path: info.outputPath('batch.png'), contentType: 'image/png' });
});
