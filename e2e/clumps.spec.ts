import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { completeAnnotationFor, testingImages } from './data';
import { layHeap } from './heap';
import { toPng } from '../scripts/nonSmear';
import { decodeImage } from '../scripts/evaluation/decode';
import { parseVoc } from '../src/core/formats/voc';

// A heap of four platelets (copies of the field's own platelet, touching) laid on a CBC Testing field's
// background: the app must say the platelet count is a minimum there, and show where, while the field
// itself carries no such flag.
test('platelets that touch in a heap are flagged as a clump, shown on request, and the field without it is not', async ({ page }) => {
  test.setTimeout(240_000);
  const path = testingImages().find((f) => f.endsWith('BloodImage_00340.jpg'))!;
  const field = await decodeImage(path);
  const made = layHeap(field, parseVoc(readFileSync(completeAnnotationFor(path), 'utf8'), path).objects)!;
  expect(made).not.toBeNull();
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await page.getByTestId('file-input').setInputFiles([
    { name: 'field.jpg', mimeType: 'image/jpeg', buffer: readFileSync(path) },
    { name: 'field-with-heap.png', mimeType: 'image/png', buffer: toPng({ name: 'heap', width: made.image.width, height: made.image.height, data: new Uint8Array(made.image.data) }) },
  ]);
  await app.waitReady(180_000);
  const images = await app.images();
  const byName = Object.fromEntries(images.map((i) => [i.name, i]));
  expect(byName['field.jpg'].flags).not.toContain('platelet-clumps');
  expect(byName['field-with-heap.png'].flags).toContain('platelet-clumps');
  // advisory: the image stays in the totals, and the sentence says what its platelet count is
  expect(byName['field-with-heap.png'].inTotals).toBe(true);
  await page.getByTestId('thumb').filter({ hasText: 'field-with-heap.png' }).click();
  await expect(page.locator('[data-testid="flag-text"][data-flag="platelet-clumps"]')).toContainText('the platelet count and its estimate are a minimum');
  // "Show the clump" selects one of the heap's platelets
  await page.getByTestId('show-clump').click();
  const id = await page.evaluate(() => window.__smearcount.selectedId());
  const cur = (await app.current())!;
  const sel = cur.detections.find((d) => d.id === id)!;
  expect(sel.cls).toBe('Platelets');
  const { x, y, w, h } = made.at;
  expect(sel.box.x1).toBeGreaterThanOrEqual(x - 4);
  expect(sel.box.x2).toBeLessThanOrEqual(x + w + 4);
  expect(sel.box.y1).toBeGreaterThanOrEqual(y - 4);
  expect(sel.box.y2).toBeLessThanOrEqual(y + h + 4);
  // a platelet estimate over a batch with a clump is a minimum, and says why
  await page.getByTestId('estimates').locator('summary').click();
  await page.getByTestId('factor-Platelets').fill('20000');
  await expect(page.getByTestId('estimate-Platelets')).toContainText('= ≥ ');
  await expect(page.getByTestId('estimate-Platelets')).toContainText('a minimum: platelet clumps in 1 field)');
  // two fields' few platelets read far below 150 ×10⁹/L: the panel and the report say to look for clumps first
  await expect(page.getByTestId('estimate-caution-Platelets')).toContainText('scan the smear (its feathered edge first) for platelet clumps');
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report-platelet-caution')).toContainText('platelet clumps by eye');
  await expect(page.getByTestId('report-estimate-Platelets')).toContainText('≥ ');
});
