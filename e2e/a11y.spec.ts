import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { AppPage, releaseReport } from './app.po';
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

test('landmarks have distinct names, no second banner, no empty header cell; the ratio tips by Tab; the live region speaks English; an old U answer goes', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  const rules = ['landmark-unique', 'landmark-no-duplicate-banner', 'landmark-banner-is-top-level', 'landmark-complementary-is-top-level', 'empty-table-header'];
  const found = async () => (await new AxeBuilder({ page }).withRules(rules).analyze()).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(await found()).toEqual([]);
  await expect(page.getByRole('complementary', { name: 'Images' })).toHaveCount(1);
  await expect(page.getByRole('complementary', { name: 'Results and settings' })).toHaveCount(1);
  await expect(page.getByRole('banner')).toHaveCount(1);
  // the tables' first header cell has words for a screen reader
  await expect(page.locator('.counts thead th').first()).toHaveText('Class');
  await expect(page.locator('.diff-table thead th').first()).toHaveText('WBC type');

  // the gallery open: its head is not a banner either
  await page.getByTestId('open-gallery').click();
  await expect(page.getByTestId('gallery')).toBeVisible();
  expect(await found()).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('gallery')).toBeHidden();

  // The ratio's explanation: a Tab stop whose description is the tip, shown while it has focus; Esc hides it.
  const tip = page.getByTestId('ratio-wbc-tip');
  for (let i = 0; i < 120 && !(await tip.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(tip).toBeFocused();
  const text = page.getByTestId('ratio-wbc-tip-text');
  await expect(text).toBeVisible();
  await expect(text).toHaveAttribute('role', 'tooltip');
  expect(await tip.getAttribute('aria-describedby')).toBe(await text.getAttribute('id'));
  await expect(tip).toHaveAccessibleName('About WBC : RBC');
  await expect(tip).toHaveAccessibleDescription(/1 : 500 means one WBC for every 500 RBCs counted/);
  await page.keyboard.press('Escape');
  await expect(text).toBeHidden();
  await expect(tip).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('ratio-platelets-tip')).toBeFocused();
  await expect(page.getByTestId('ratio-platelets-tip-text')).toBeVisible();
  await expect(page.getByTestId('ratio-platelets-tip')).toHaveAccessibleDescription(/one platelet for every 15 RBCs/);

  // "1 platelet", not "1 platelets"
  const n = Number(await page.getByTestId('count-Platelets').textContent());
  const rbc = await page.getByTestId('count-RBC').textContent();
  const wbc = await page.getByTestId('count-WBC').textContent();
  await expect(page.getByTestId('counts-announce')).toHaveText(new RegExp(`: ${rbc} RBC, ${wbc} WBC, ${n} ${n === 1 ? 'platelet' : 'platelets'}\\.$`));

  // U's answer about the last image ("Nothing uncertain on X: marked reviewed; now on Y.") goes once ]
  // selects a box and the box's own hint takes its place.
  await page.getByTestId('review-band').fill('0.02');
  const said = page.getByTestId('review-said');
  // U once, then A on each box it shows (a second U would pass over a box, and U says it was skipped)
  for (let i = 0; i < 30 && !(await said.isVisible()); i++) {
    await page.keyboard.press(i === 0 ? 'u' : 'a');
    await expect(said.or(page.getByTestId('review-status'))).toBeVisible();
  }
  await expect(said).toContainText('marked reviewed');
  await page.keyboard.press(']');
  await expect(page.getByTestId('review-status')).toBeVisible();
  await expect(said).toHaveCount(0);
});

test('a screen reader hears the review, the gallery\'s verifications and the release; Verify and print is reached by Tab; wide-screen sample labels', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();

  // L12: at 1920 px the sample record's labels are a size up with the rest of the panel, not 12 px
  const label = page.getByTestId('sample-id').locator('xpath=..');
  expect(await label.evaluate((el) => getComputedStyle(el).fontSize)).toBe('14px');

  // M6: the box a key selects, and where the review stands, in one polite sentence
  const review = page.getByTestId('review-announce');
  await expect(review).toHaveAttribute('role', 'status');
  await page.keyboard.press(']');
  await expect(review).toHaveText(/^(RBC|WBC|Platelets), (score \d\.\d\d|set by hand)/);
  await page.keyboard.press('Escape');
  await page.keyboard.press('u');
  // the first uncertain box ("1 of n: RBC, score …"), or U's answer about an image with none
  await expect(review).toHaveText(/^1 of \d+: (RBC|WBC|Platelets), |marked reviewed/);
  await page.keyboard.press('Escape');

  // the gallery: V on a cell, and V again, each said once
  await page.getByTestId('open-gallery').click();
  const key = await page.getByTestId('wbc-tile').first().getAttribute('data-key');
  const tile = page.locator(`[data-testid="wbc-tile"][data-key="${key}"]`);
  await tile.click();
  await expect(tile).toHaveAttribute('tabindex', '0'); // selected: the one Tab stop
  await expect(page.getByTestId('gallery-selected')).toBeVisible();
  const gallery = page.getByTestId('gallery-announce');
  await expect(gallery).toHaveAttribute('role', 'status');
  await expect(gallery).toHaveText('');
  const n = await page.getByTestId('wbc-tile').count();
  await page.keyboard.press('v');
  await expect(tile).toHaveAttribute('data-verified', 'yes');
  await expect(gallery).toHaveText(new RegExp(`^[a-z /]+ verified; 1 of ${n} verified\\.$`, 'i'));
  await page.keyboard.press('v');
  await expect(gallery).toHaveText(`1 cell no longer verified; 0 of ${n} verified.`);
  await page.getByTestId('gallery-close').click();

  // L3: Verify and print is reached by Tab before the record is complete, says why it waits, and a press
  // takes the technician to the missing field instead of releasing
  await page.getByTestId('export-report').click();
  const print = page.getByTestId('report-print');
  await expect(print).toHaveAttribute('aria-disabled', 'true');
  await expect(print).toBeDisabled(); // to assistive technology
  await page.getByTestId('report-close').focus();
  await page.keyboard.press('Shift+Tab');
  await expect(print).toBeFocused();
  await expect(print).toHaveAccessibleDescription('Enter the sample ID to release the report.');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('report-sample')).toBeFocused();
  expect((await page.evaluate(() => window.__smearcount.sample())).verifiedAt).toBeNull();
  await page.keyboard.type('S-7');
  await print.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('report-verified-by')).toBeFocused();
  await page.keyboard.type('A. Tech');
  // M6: the release is said in the dialog, once
  await page.evaluate(() => (window.print = () => undefined));
  const said = page.getByTestId('report-announce');
  await expect(said).toHaveAttribute('role', 'status');
  await expect(said).toHaveText('');
  await releaseReport(page);
  await expect(said).toHaveText('Report for sample S-7 released, verified by A. Tech.');
  expect((await page.evaluate(() => window.__smearcount.sample())).verifiedAt).not.toBeNull();
});

test('E reaches the exports: the first one takes the focus, Enter downloads it; typed in a field, E is a letter; folded on a narrow screen, the panel opens', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  // nothing counted yet: it says so, and the focus stays
  await page.keyboard.press('e');
  await expect(page.getByTestId('review-said')).toHaveText(/Nothing counted yet: the exports open once an image is counted\./);
  await app.drop(testingImages(1));
  await app.waitReady();
  await expect(page.getByTestId('shortcuts')).toContainText('the exports');
  // Caps Lock on: the same key
  await page.keyboard.press('E');
  await expect(page.getByTestId('export-csv')).toBeFocused();
  await expect(page.getByTestId('export-csv')).toBeInViewport();
  const [csv] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(csv.suggestedFilename()).toMatch(/counts.*\.csv$/);
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('export-boxes-csv')).toBeFocused();
  // typed into the sample ID, E is a letter
  await page.getByTestId('sample-id').fill('');
  await page.getByTestId('sample-id').pressSequentially('E7e');
  await expect(page.getByTestId('sample-id')).toHaveValue('E7e');
  await expect(page.getByTestId('sample-id')).toBeFocused();
  // a narrow screen folds the panel under the canvas: E opens it
  await page.setViewportSize({ width: 800, height: 900 });
  await page.reload();
  await app.waitReady();
  await expect(page.getByTestId('export-csv')).toBeHidden();
  await page.keyboard.press('e');
  await expect(page.getByTestId('export-csv')).toBeFocused();
  await expect(page.getByTestId('export-csv')).toBeInViewport();
});

test('G opens the WBC gallery and Esc closes it; the key sheet lists the gallery\'s keys', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  await page.keyboard.press('g');
  await expect(page.getByTestId('review-said')).toHaveText(/No typed WBC in the batch yet/);
  await expect(page.getByTestId('gallery')).toHaveCount(0);
  await app.drop(testingImages(2));
  await app.waitReady();
  await expect(page.getByTestId('shortcuts')).toContainText('the WBC gallery');
  await expect(page.getByTestId('shortcuts')).toContainText('V verifies');
  await expect(page.getByTestId('open-gallery-panel')).toBeEnabled();
  await page.keyboard.press('g');
  await expect(page.getByTestId('gallery')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('gallery')).toHaveCount(0);
});

test('a 1280-px laptop at 200% zoom (640 px): ? shows the key sheet (it opened inside the closed More menu); the menu closes when Tab leaves it and gives the focus back on Esc', async ({ page }) => {
  await page.setViewportSize({ width: 640, height: 450 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  const more = page.getByTestId('toolbar-more');
  const panel = page.getByTestId('toolbar-more-panel');
  const inPanel = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid="toolbar-more-panel"]'));
  const sheet = page.locator('[data-testid="shortcuts"] dl');
  await page.keyboard.press('?');
  await expect(sheet).toBeVisible();
  // whole on the screen, its last line reached by scrolling it (it hung past the window's bottom edge)
  await expect(sheet).toBeInViewport({ ratio: 0.99 });
  await expect(sheet).toContainText('next uncertain box');
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  await expect(panel).toBeHidden();
  // ? twice: shown, then gone with the menu it is in
  await page.keyboard.press('?');
  await expect(sheet).toBeVisible();
  await page.keyboard.press('?');
  await expect(sheet).toBeHidden();
  await expect(panel).toBeHidden();
  await more.focus();
  await page.keyboard.press('Enter');
  await expect(panel).toBeVisible();
  await page.keyboard.press('Tab');
  expect(await inPanel()).toBe(true);
  await page.keyboard.press('Tab');
  // Esc on a tool inside: the panel closes and the focus is on More again, not on a tool it hid
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(more).toBeFocused();
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  // open again and Tab past the last tool: the panel closes rather than staying over the canvas
  await page.keyboard.press('Enter');
  await expect(panel).toBeVisible();
  let steps = 0;
  do {
    await page.keyboard.press('Tab');
    steps++;
  } while ((await inPanel()) && steps < 20);
  expect(steps).toBeGreaterThan(3);
  await expect(panel).toBeHidden();
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  expect(await page.evaluate(() => (document.activeElement as HTMLElement).checkVisibility())).toBe(true);
});

test('a screen reader hears the model load and a batch of 6 once each (the status line flipped Counting… / Saving… per image, and counted the download by the percent, each time read out)', async ({ page }) => {
  // every change of every live region's words from the page's first moment, as a screen reader would be told them
  await page.addInitScript(() => {
    const w = window as unknown as { said: string[] };
    w.said = [];
    const seen = new Map<Element, string>();
    const scan = () => {
      for (const r of Array.from(document.querySelectorAll('[aria-live]:not([aria-live="off"]), [role="status"], [role="alert"]'))) {
        if (r.closest('[aria-hidden="true"], [hidden]') || getComputedStyle(r).display === 'none') continue;
        const t = (r.textContent ?? '').trim();
        if (seen.get(r) !== t) {
          seen.set(r, t);
          if (t) w.said.push(t);
        }
      }
    };
    new MutationObserver(scan).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  const said = () => page.evaluate(() => (window as unknown as { said: string[] }).said);
  const loading = (await said()).filter((t) => /Loading/.test(t));
  expect(loading.length).toBeLessThanOrEqual(1);
  expect((await said()).filter((t) => /^Ready/.test(t))).toHaveLength(1);
  const before = (await said()).length;
  await app.drop(testingImages(6));
  await app.waitReady();
  await expect(page.getByTestId('status')).toContainText('Ready');
  const batch = (await said()).slice(before);
  // Counting… once, Ready once; the image's counts once it is shown
  expect(batch.filter((t) => /Counting|Saving/.test(t))).toEqual(['Counting…']);
  expect(batch.filter((t) => /^Ready/.test(t))).toEqual(['Ready']);
  expect(batch.filter((t) => /: \d+ RBC/.test(t))).toHaveLength(1);
  expect(batch.join(' ')).not.toMatch(/WASM/);
});

// 640 px with a keyboard (a 1280-px laptop at 200%; a phone with a keyboard): the gallery opened from the More
// menu, and closed, gave the focus back to its Gallery button, hidden with the menu as the gallery took the
// focus: the focus fell to the page's body, and the next Tab began at the top (audit 2026-12-07).
test('640 px: the gallery opened from the More menu gives the focus back to More when it closes', async ({ page }) => {
  await page.setViewportSize({ width: 640, height: 450 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const more = page.getByTestId('toolbar-more');
  const panel = page.getByTestId('toolbar-more-panel');
  await more.focus();
  await page.keyboard.press('Enter');
  await expect(panel).toBeVisible();
  await panel.getByRole('button', { name: 'Gallery' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gallery')).toBeVisible();
  await expect(panel).toBeHidden();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('gallery')).toHaveCount(0);
  await expect(more).toBeFocused();
  // and by the gallery's Close button too
  await page.keyboard.press('Enter');
  await panel.getByRole('button', { name: 'Gallery' }).focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('gallery-close').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gallery')).toHaveCount(0);
  await expect(more).toBeFocused();
});
