import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

async function serious(page: import('@playwright/test').Page) {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.length} (${v.nodes[0]?.target.join(' ')})`);
}

test('axe-core: no serious or critical violations, empty and with a counted batch', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  expect(await serious(page)).toEqual([]);
  await app.drop(testingImages(2));
  await app.waitReady();
  expect(await serious(page)).toEqual([]);
  await page.getByTestId('export-report').click();
  expect(await serious(page)).toEqual([]);
});

test('? opens the shortcut sheet (which lists Esc); thumbnails take focus and arrows move between them', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(3));
  await app.waitReady();
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts')).toHaveAttribute('open', '');
  await expect(page.getByTestId('shortcuts')).toContainText('Esc');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('shortcuts')).not.toHaveAttribute('open', '');
  await page.getByTestId('thumb').first().focus();
  await expect(page.getByTestId('thumb').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('thumb').nth(1)).toBeFocused();
  await expect(page.getByTestId('thumb').nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('canvas')).toHaveAttribute('role', 'img');
  await expect(page.getByTestId('canvas')).toHaveAttribute('aria-label', /BloodImage_\d+\.jpg: \d+ boxes shown/);
});
