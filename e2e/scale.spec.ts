import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { AppPage, CLASSES } from './app.po';
import { zoomOutImages } from './data';

test('a zoomed-out field (cells at 0.5x) is detected again at the right scale and counted within 10%', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const items = zoomOutImages().slice(0, 3);
  await app.drop(items.map((i) => i.image));
  await app.waitReady();
  let truth = 0;
  let shown = 0;
  for (let i = 0; i < items.length; i++) {
    await app.selectImage(i);
    const cur = await page.evaluate(() => (window as any).__smearcount.current());
    // Pass 1 saw RBCs at about half the model's scale; pass 2 ran at about twice the size.
    expect(cur.scale.passes).toBe(2);
    expect(cur.scale.estimated).toBeGreaterThan(0.4);
    expect(cur.scale.estimated).toBeLessThan(0.62);
    await expect(page.getByTestId('scale-info')).toContainText(/cells look [\d.]+× smaller than usual; counted at [\d.]+× zoom/);
    const counts = await app.counts();
    for (const c of CLASSES) {
      truth += items[i].truth[c];
      shown += counts[c];
    }
  }
  expect(Math.abs(shown - truth) / truth).toBeLessThanOrEqual(0.1);
});

test('the count rule is applied, shown beside the counts and recorded in the CSV', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const items = zoomOutImages().slice(0, 1);
  await app.drop(items.map((i) => i.image));
  await app.waitReady();
  const all = await app.counts();
  await expect(page.getByTestId('count-rule-shown')).toContainText('cut cells at the border included');
  await page.getByTestId('count-rule').selectOption('interior');
  await expect(page.getByTestId('count-rule-shown')).toContainText('excluded');
  const interior = await app.counts();
  expect(interior.RBC).toBeLessThan(all.RBC);
  const cur = await page.evaluate(() => (window as any).__smearcount.current());
  const t = 0.005 * 480;
  for (const d of cur.detections) {
    expect(d.box.x1 > t && d.box.y1 > t && d.box.x2 < 640 - t && d.box.y2 < 480 - t).toBe(true);
  }
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const rows = readFileSync((await download.path())!, 'utf8').trim().split(/\r\n/).map((l) => l.split(','));
  expect(rows[0][6]).toBe('count_rule');
  expect(rows[1][6]).toBe('interior');
  expect(Number(rows[1][1])).toBe(interior.RBC);
});
