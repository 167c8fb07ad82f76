/**
 * The desktop rough edges: shortcuts after a click on a checkbox, keys behind the report preview,
 * U on an image with nothing uncertain, and notices that stay reachable in a long batch.
 */
import { expect, test, type Page } from '@playwright/test';
import { AppPage, clickBox, isolated } from './app.po';
import { testingImages } from './data';

const selected = (app: AppPage) => app.page.evaluate(() => window.__smearcount.selectedId());

test('shortcuts work after clicking a checkbox; Esc closes the report and keys do not act behind it; U says when nothing is uncertain', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(3));
  await app.waitReady();

  // After a click on a checkbox (class visibility, Reviewed), U, A and Delete still act.
  await page.getByTestId('visible-Platelets').click();
  await page.getByTestId('visible-Platelets').click();
  await expect(page.getByTestId('visible-Platelets')).toBeFocused();
  await page.keyboard.press('u');
  // U selects the first uncertain box, or (none on this image) says so and moves on.
  await expect.poll(async () => (await selected(app)) !== null || (await page.getByTestId('review-said').isVisible())).toBe(true);
  await page.keyboard.press('Escape');
  // U zoomed to its box, and Esc keeps the view (F fits): the field was fitted again here only because the review
  // line, two rows while a box was selected, gave its room back to the canvas (one row since firstuse.spec)
  await page.keyboard.press('f');
  const target = isolated((await app.current())!.detections)!;
  await clickBox(app, target);
  await expect.poll(() => selected(app)).toBe(target.id);
  await page.getByTestId('reviewed').click();
  await page.getByTestId('reviewed').click();
  await expect(page.getByTestId('reviewed')).toBeFocused();
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await app.current())!.detections.some((d) => d.id === target.id)).toBe(false);
  // Space on the focused checkbox is still the checkbox's.
  await page.keyboard.press(' ');
  await expect(page.getByTestId('reviewed')).toBeChecked();
  await page.keyboard.press(' ');
  await expect(page.getByTestId('reviewed')).not.toBeChecked();

  // The report preview: J does not change the image behind it; Esc closes it.
  const before = (await app.current())!.id;
  await page.getByTestId('export-report').click();
  await expect(page.getByTestId('report')).toBeVisible();
  await page.keyboard.press('j');
  await page.keyboard.press('Delete');
  expect((await app.current())!.id).toBe(before);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('report')).toBeHidden();
  await page.keyboard.press('j');
  await expect.poll(async () => (await app.current())!.id).not.toBe(before);

  // Typing in a text field is not a shortcut.
  await page.getByTestId('factor-WBC').evaluate((el) => (el as HTMLInputElement).closest('details')!.setAttribute('open', ''));
  const id = (await app.current())!.id;
  await page.getByTestId('factor-WBC').fill('');
  await page.getByTestId('factor-WBC').press('j');
  expect((await app.current())!.id).toBe(id);

  // U on an image with nothing uncertain says so. With the narrowest review band most images have none;
  // A accepts whatever is left until U reaches an image's end, which it also says.
  await page.getByTestId('review-band').fill('0.02');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  let nothing = false;
  for (let i = 0; i < 30 && !nothing; i++) {
    const name = (await app.current())!.name;
    await page.keyboard.press('u');
    const said = page.getByTestId('review-said');
    await expect(said.or(page.getByTestId('review-status'))).toBeVisible();
    if (await said.isVisible()) {
      const text = (await said.textContent())!;
      expect(text).toContain(name);
      expect(text).toMatch(/marked reviewed; (now on .+|every image is reviewed)\./);
      nothing = text.startsWith(`Nothing uncertain on ${name}`);
      if (/every image is reviewed/.test(text)) break;
      await page.keyboard.press('Escape');
    } else {
      await page.keyboard.press('a');
      await page.keyboard.press('Escape');
    }
  }
  expect(nothing).toBe(true);
});

test('notices stay reachable when the image column has scrolled to the current image', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 520 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const bad = Array.from({ length: 8 }, (_, i) => ({ name: `broken-${i}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(`not a jpeg ${i}`) }));
  await page.getByTestId('file-input').setInputFiles(bad);
  await expect(app.fileErrors()).toHaveCount(8);
  await app.drop(testingImages(6));
  await app.waitReady();
  await page.getByTestId('thumb').last().click();
  const aside = page.locator('aside.left');
  await aside.evaluate((el) => (el.scrollTop = el.scrollHeight));
  expect(await aside.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  const a = (await aside.boundingBox())!;
  const n = (await app.fileErrors().first().boundingBox())!;
  expect(n.y).toBeGreaterThanOrEqual(a.y - 1);
  expect(n.y + n.height).toBeLessThanOrEqual(a.y + a.height);
  await expect(page.getByTestId('dismiss-all')).toBeInViewport();
});

test('the page itself never scrolls on a desktop: the panels scroll inside it (a wheel over the header once scrolled the app out of view)', async ({ page }) => {
  for (const size of [{ width: 1280, height: 800 }, { width: 1024, height: 768 }]) {
    await page.setViewportSize(size);
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    if (size.width === 1280) {
      await app.drop(testingImages(2));
      await app.waitReady();
    }
    const height = await page.evaluate(() => document.scrollingElement!.scrollHeight);
    expect(height).toBeLessThanOrEqual(size.height + 1);
    await page.mouse.move(size.width / 2, 20);
    await page.mouse.wheel(0, 2000);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(0);
  }
});

test('on a 1920-px screen or projector the right panel widens, so the differential names stay on one line', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const panel = (await page.locator('aside.right').boundingBox())!;
  expect(panel.width).toBeGreaterThanOrEqual(380); // 300 before, where "IG Immature granulocytes" wrapped
  const rows = await page.locator('[data-testid^="diff-"] > th').evaluateAll((ths) =>
    ths
      .filter((th) => th.closest('tr')?.getAttribute('data-testid')?.match(/^diff-[a-z_]+$/))
      .map((th) => {
        const cs = getComputedStyle(th);
        const lh = parseFloat(cs.lineHeight);
        return { text: th.textContent, lines: th.getBoundingClientRect().height / (Number.isNaN(lh) ? 1.3 * parseFloat(cs.fontSize) : lh) };
      }),
  );
  expect(rows.length).toBeGreaterThanOrEqual(5);
  for (const r of rows) expect(r.lines, r.text ?? '').toBeLessThan(1.6);
  // read from across a room: the hints at 14 px, and the gallery's crops 120 px with 14-px labels (audit 2026-12-05)
  const px = (sel: string) => page.locator(sel).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(await px('.hint')).toBeGreaterThanOrEqual(14);
  await page.getByTestId('open-gallery').click();
  const tile = page.getByTestId('wbc-tile').first();
  await expect(tile.locator('img')).toBeVisible();
  const img = (await tile.locator('img').boundingBox())!;
  expect([Math.round(img.width), Math.round(img.height)]).toEqual([120, 120]);
  expect(await px('.tile-label')).toBeGreaterThanOrEqual(14);
});

test('at 1920x1080 the WBC differential is on the first screen with an image open: its heading and its table, no scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  // an image with WBCs is open, and they are typed
  const cur = (await app.current())!;
  expect(cur.detections.some((d) => d.cls === 'WBC' && d.wbc)).toBe(true);
  // nothing has scrolled: neither the page nor the panel
  expect(await page.evaluate(() => [window.scrollY, document.querySelector('aside.right')!.scrollTop])).toEqual([0, 0]);
  const panel = page.getByTestId('differential');
  await expect(panel.getByRole('heading', { name: 'WBC differential' })).toBeInViewport({ ratio: 1 });
  // in view means not clipped by the panel's scroll box either (IntersectionObserver counts the clipping)
  await expect(panel.locator('.diff-table')).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('diff-released-total')).toBeInViewport({ ratio: 1 });
  // the counts stay on the first screen too
  await expect(page.getByTestId('count-RBC')).toBeInViewport({ ratio: 1 });
});

/** How far the differential's table runs past its panel's content box (px; <= 0 fits). */
const tableOverrun = (page: Page) =>
  page.locator('.diff-table').evaluate((t) => {
    const box = t.parentElement!;
    const cs = getComputedStyle(box);
    return t.getBoundingClientRect().right - (box.getBoundingClientRect().right - parseFloat(cs.paddingRight) - parseFloat(cs.borderRightWidth));
  });

for (const vp of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
  test(`at ${vp.width}x${vp.height} the differential's table fits its panel (its last column ran past the edge)`, async ({ page }) => {
    await page.setViewportSize(vp);
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(2));
    await app.waitReady();
    await page.locator('.diff-table').scrollIntoViewIfNeeded();
    expect(await tableOverrun(page)).toBeLessThanOrEqual(0.5);
  });
}

test('a selected box does not follow you to another image (the same id there is another cell)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(2));
  await app.waitReady();
  await app.selectImage(0);
  const cur = (await app.current())!;
  const target = isolated(cur.detections, 'RBC')!;
  await clickBox(app, target);
  await expect.poll(() => page.evaluate(() => window.__smearcount.selectedId())).toBe(target.id);
  await expect(page.getByTestId('action-delete')).toBeVisible();
  // a click on the other thumbnail: nothing is selected there, so Delete and the class keys act on nothing
  await app.selectImage(1);
  await expect.poll(async () => (await app.current())!.id).not.toBe(cur.id);
  expect(await page.evaluate(() => window.__smearcount.selectedId())).toBeNull();
  const classes = async () => (await app.current())!.detections.map((d) => `${d.id}:${d.cls}`).join(' ');
  const before = await classes();
  await page.keyboard.press('Delete');
  await page.keyboard.press('2');
  expect(await classes()).toBe(before);
  // the gallery's jump still lands on its cell: the image first, then the cell
  await page.getByTestId('open-gallery').click();
  const tile = page.locator(`[data-testid="wbc-tile"][data-key^="${cur.id}/"]`).first();
  const key = (await tile.getAttribute('data-key'))!;
  await tile.click();
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await app.current())!.id).toBe(cur.id);
  await expect.poll(() => page.evaluate(() => window.__smearcount.selectedId())).toBe(key.split('/')[1]);
});

test('] and [ step through every box by keyboard, so a confident box can be deleted without a pointer', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  const before = (await app.current())!.detections;
  expect(before.length).toBeGreaterThan(3);
  const selected = () => page.evaluate(() => window.__smearcount.selectedId());
  await page.keyboard.press(']');
  const first = await selected();
  expect(first).not.toBeNull();
  await page.keyboard.press(']');
  const second = await selected();
  expect(second).not.toBeNull();
  expect(second).not.toBe(first);
  await page.keyboard.press('[');
  expect(await selected()).toBe(first);
  // [ from the first box wraps to the last; ] from there wraps back
  await page.keyboard.press('[');
  const last = await selected();
  expect(last).not.toBe(first);
  await page.keyboard.press(']');
  expect(await selected()).toBe(first);
  // every box is reached once in a full round
  const seen = new Set<string>();
  for (let i = 0; i < before.length; i++) {
    seen.add((await selected())!);
    await page.keyboard.press(']');
  }
  expect(seen.size).toBe(before.length);
  // the selected one is deleted by Del
  const target = (await selected())!;
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await app.current())!.detections.map((d) => d.id)).not.toContain(target);
  expect((await app.current())!.detections.length).toBe(before.length - 1);
});

test('the key sheet gives way to the work, and Home / End in the image list go to the first and the last image', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(3));
  await app.waitReady();
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts')).toHaveAttribute('open', '');
  // a key that acts on the canvas closes the sheet, which covered the box it selected
  await page.keyboard.press(']');
  await expect(page.getByTestId('shortcuts')).not.toHaveAttribute('open', '');
  expect(await page.evaluate(() => window.__smearcount.selectedId())).not.toBeNull();
  const names = (await app.images()).map((i) => i.name);
  await page.locator('[data-testid="thumb"][aria-selected="true"]').focus();
  await page.keyboard.press('End');
  await expect.poll(async () => (await app.current())!.name).toBe(names[2]);
  await expect(page.locator('[data-testid="thumb"]').nth(2)).toBeFocused();
  expect(await page.evaluate(() => window.__smearcount.selectedId())).toBeNull();
  await page.keyboard.press('Home');
  await expect.poll(async () => (await app.current())!.name).toBe(names[0]);
  await expect(page.locator('[data-testid="thumb"]').nth(0)).toBeFocused();
});

test('on a 1920-px projector no text of the page is under 13 px: a refused file\'s notice, the engine, the differential\'s target (12 px, a size under the rest)', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.waitReady();
  await page.getByTestId('file-input').setInputFiles({ name: 'not-a-photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a JPEG') });
  await expect(app.fileErrors()).toHaveCount(1);
  // every panel open, the side panel laid out whole (a tall window), as a room would scroll through it
  for (const d of await page.locator('aside details').all()) await d.evaluate((e) => ((e as HTMLDetailsElement).open = true));
  await page.setViewportSize({ width: 1920, height: 4000 });
  const small = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const e = n.parentElement!;
      if (!n.textContent!.trim() || e.closest('.sr-only, .print-report') || !e.checkVisibility({ visibilityProperty: true })) continue;
      const r = e.getBoundingClientRect();
      if (!r.width || r.top > innerHeight) continue;
      const px = parseFloat(getComputedStyle(e).fontSize);
      if (px < 13) out.push(`${px}px ${n.textContent!.trim().slice(0, 30)}`);
    }
    return out;
  });
  expect(small).toEqual([]);
});

test('an image that could not be counted cannot be marked reviewed: its Reviewed box is disabled and says why (audit 2026-12-06)', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(1));
  await app.dropUndecodable();
  await app.waitReady();
  await expect.poll(async () => (await app.images()).map((i) => i.status)).toEqual(['done', 'error']);
  await app.selectImage(1);
  await expect.poll(async () => (await app.current())?.status).toBe('error');
  // it was enabled, and a click did nothing (the store refuses), so the box looked broken
  await expect(page.getByTestId('reviewed')).toBeDisabled();
  await expect(page.getByTestId('reviewed').locator('..')).toHaveAttribute('title', /not counted/);
  await app.selectImage(0);
  await expect(page.getByTestId('reviewed')).toBeEnabled();
});
