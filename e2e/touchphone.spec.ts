/**
 * A new user on a phone (audit 2026-12-07). What the app answers to a tap names the buttons to tap, never a key:
 * a box deleted by a tap said "Undo (Ctrl+Z) brings it back", and a class tapped again "(A accepts and goes on)".
 * And every text field is 16 px at least, or the phone's browser zooms the page into it when it is tapped.
 */
import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

test('by touch, the answers to Delete and to a class tapped again name buttons, not keys', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const said = page.getByTestId('review-said');

  // a box under review, deleted by its button: Undo (the toolbar's button) brings it back
  await page.getByTestId('review-next').tap();
  await expect(page.getByTestId('action-delete')).toBeVisible();
  const gone = (await page.evaluate(() => window.__smearcount.selectedId()))!;
  await page.getByTestId('action-delete').tap();
  await expect(said).toHaveText(/^(RBC|WBC|Platelets) box (deleted|left out): Undo brings it back\.$/);
  await page.getByTestId('toolbar-undo').tap();
  await expect.poll(async () => [...(await app.current())!.detections.map((d) => d.id), ...(await page.evaluate(() => window.__smearcount.belowThreshold())).map((d) => d.id)]).toContain(gone);

  // a counted box, its own class tapped: accepted as it is, and Accept is what goes on
  const box = (await app.current())!.detections.find((d) => d.origin !== 'manual')!;
  await page.evaluate((id) => window.__smearcount.selectBox(id), box.id);
  await page.getByTestId(`action-relabel-${box.cls}`).tap();
  await expect(said).toHaveText(`Already ${box.cls === 'Platelets' ? 'a platelet' : `a${box.cls === 'RBC' ? 'n' : ''} ${box.cls}`}: accepted as it is (Accept does so and goes on).`);
});

/** Text fields in the page under 16 px, with their size: what Safari on an iPhone zooms the page into on a tap. */
const smallFields = (page: import('@playwright/test').Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('input:not([type=checkbox]):not([type=radio]):not([type=range]):not([type=file]):not([type=hidden]), textarea'))
      .map((e) => ({ id: e.dataset.testid ?? e.getAttribute('aria-label') ?? e.tagName, px: parseFloat(getComputedStyle(e).fontSize) }))
      .filter((f) => f.px < 16)
      .map((f) => `${f.id} ${f.px}px`),
  );

test('by touch, the smear factor, the report\'s fields and every other text field are 16 px, so a tap does not zoom the page', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  // the smear factor: typed in and applied
  const { factor, estimate } = await app.estimates('WBC');
  await factor.tap();
  await factor.fill('2000');
  await expect(estimate).toContainText('=');
  // the report's Sample ID and Verified by
  const exportPanel = page.locator('details.export');
  if (!(await exportPanel.evaluate((d: HTMLDetailsElement) => d.open))) await exportPanel.locator('summary').tap();
  await page.getByTestId('export-report').tap();
  await expect(page.getByTestId('report-sample')).toBeVisible();
  await expect(page.getByTestId('report-verified-by')).toBeVisible();
  expect(await page.getByTestId('factor-WBC').count()).toBe(1);
  expect(await smallFields(page)).toEqual([]);
});
