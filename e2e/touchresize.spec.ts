/**
 * Resizing a box by touch on a phone (390x844, touch screen): the selected box's handles take a finger. They
 * were Konva's 10-px squares, which took a touch only within about 9 px of a corner, where every other
 * control here is 40-44 px. Real touch events through the DevTools protocol, as a finger makes them.
 */
import { expect, test } from '@playwright/test';
import { AppPage, fingers, screenAt, type HookDetection } from './app.po';
import { testingImages } from './data';

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

test("a finger 14 px off the selected box's corner resizes it; in its middle it moves it", async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const cdp = await page.context().newCDPSession(page);
  const cur = (await app.current())!;
  const dist = (d: HookDetection) => Math.hypot((d.box.x1 + d.box.x2) / 2 - cur.width! / 2, (d.box.y1 + d.box.y2) / 2 - cur.height! / 2);
  const t = cur.detections.filter((d) => d.cls === 'RBC').sort((a, b) => dist(a) - dist(b))[0];
  await page.evaluate((id) => window.__smearcount.selectBox(id), t.id);
  await expect(page.getByTestId('review-status')).toBeVisible();
  const box = async () => (await app.current())!.detections.find((d) => d.id === t.id)!.box;

  // where a fingertip lands: beside the corner, not on its 10-px handle
  const corner = await screenAt(page, t.box.x2, t.box.y2);
  const p = { x: corner.x + 14, y: corner.y + 14 };
  await fingers(cdp, 'touchStart', [p]);
  for (let k = 1; k <= 8; k++) await fingers(cdp, 'touchMove', [{ x: p.x + 4 * k, y: p.y + 3 * k }]);
  await fingers(cdp, 'touchEnd', []);
  await expect.poll(async () => (await box()).x2).toBeGreaterThan(t.box.x2 + 10);
  const grown = await box();
  expect(grown.x1).toBeCloseTo(t.box.x1, 3);
  expect(grown.y1).toBeCloseTo(t.box.y1, 3);
  expect(grown.y2).toBeGreaterThan(t.box.y2 + 10);

  // the middle of the box still drags it whole (the handles leave it free)
  const mid = await screenAt(page, (grown.x1 + grown.x2) / 2, (grown.y1 + grown.y2) / 2);
  await fingers(cdp, 'touchStart', [mid]);
  for (let k = 1; k <= 8; k++) await fingers(cdp, 'touchMove', [{ x: mid.x - 2 * k, y: mid.y }]);
  await fingers(cdp, 'touchEnd', []);
  await expect.poll(async () => (await box()).x1).toBeLessThan(grown.x1 - 5);
  const moved = await box();
  expect(moved.x2 - moved.x1).toBeCloseTo(grown.x2 - grown.x1, 3);
});
