/**
 * Layout and focus: the Sample form fits a laptop (1280x720) and a phone (390x844) with no sideways
 * scroll; on a phone the header is one line, the batch totals show, a flag's explanation sits beside its
 * thumbnail and a selected box's actions stay on screen, docked clear of it; the gallery and the report take
 * focus, keep Tab inside, close on Esc from any field and give focus back.
 */
import { expect, test, type Page } from '@playwright/test';
import { AppPage, isolated } from './app.po';
import { testingImages } from './data';
import { drawnSmear, gaussianBlur, toPng } from '../scripts/nonSmear';

const SAMPLE_FIELDS = ['sample-id', 'sample-operator', 'sample-received', 'sample-collected', 'sample-notes', 'sample-wbc', 'sample-patient', 'sample-ward'];

async function sampleFieldsFit(page: Page, width: number) {
  const panel = page.getByTestId('sample-panel');
  if ((await panel.getAttribute('open')) === null) await panel.locator('summary').click();
  const p = (await panel.boundingBox())!;
  expect(p.x).toBeGreaterThanOrEqual(0);
  expect(p.x + p.width).toBeLessThanOrEqual(width);
  for (const id of SAMPLE_FIELDS) {
    const b = (await page.getByTestId(id).boundingBox())!;
    expect(b.x, id).toBeGreaterThanOrEqual(p.x);
    expect(b.x + b.width, id).toBeLessThanOrEqual(p.x + p.width);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

test.describe('1280x720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });
  test('the Sample form fits; the report and the gallery keep focus inside, close on Esc from a field and give focus back', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(2));
    await app.waitReady();
    await sampleFieldsFit(page, 1280);

    // The report: focus moves in, Tab stays in, Esc from a field closes it, focus returns to its button.
    const opener = page.getByTestId('export-report');
    await opener.focus();
    await page.keyboard.press('Enter');
    const report = page.getByTestId('report');
    await expect(report).toBeVisible();
    const inReport = () => report.evaluate((el) => el.contains(document.activeElement));
    await expect.poll(inReport).toBe(true);
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
      expect(await inReport()).toBe(true);
    }
    await page.getByTestId('report-patient').fill('Doe, J.');
    await page.getByTestId('report-patient').press('Escape');
    await expect(report).toBeHidden();
    await expect(opener).toBeFocused();

    // The gallery, likewise.
    const openGallery = page.getByTestId('open-gallery');
    await openGallery.focus();
    await page.keyboard.press('Enter');
    const gallery = page.getByTestId('gallery');
    await expect(gallery).toBeVisible();
    const inGallery = () => gallery.evaluate((el) => el.contains(document.activeElement));
    await expect.poll(inGallery).toBe(true);
    // aria-modal, and the page behind it inert: out of the accessibility tree and the pointer's reach
    const behind = page.locator('.app > header, .app > aside, .app > main');
    await expect(behind).toHaveCount(4);
    for (const el of await behind.all()) await expect(el).toHaveAttribute('inert', '');
    // (Chromium's own accessibility tree: Playwright's aria snapshot does not leave inert content out)
    const cdp = await page.context().newCDPSession(page);
    const exposed = async (name: string) => {
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      return nodes.filter((n) => !n.ignored && n.name?.value === name).length;
    };
    expect(await exposed('Canvas tools')).toBe(0);
    expect(await exposed('Counts')).toBe(0);
    expect(await exposed('WBC gallery')).toBeGreaterThan(0);
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
      expect(await inGallery()).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(gallery).toBeHidden();
    // the page is back: nothing left inert, and the focus on the opener
    for (const el of await behind.all()) await expect(el).not.toHaveAttribute('inert');
    expect(await exposed('Canvas tools')).toBeGreaterThan(0);
    await expect(openGallery).toBeFocused();
    // Esc from a field of the gallery (a smudge cell's note) closes it too, and keeps what was typed.
    await openGallery.click();
    await expect(gallery).toBeVisible();
    await page.getByTestId('wbc-tile').first().click();
    await page.getByTestId('gallery-move-smudge').click();
    await page.getByTestId('gallery-note').fill('ruptured');
    await page.getByTestId('gallery-note').press('Escape');
    await expect(gallery).toBeHidden();
    await expect(openGallery).toBeFocused();
    await expect.poll(() => page.evaluate(() => window.__smearcount.audit().some((a) => a.to === 'ruptured'))).toBe(true);
    // desktop hints name the keys
    await expect(page.getByTestId('review-hint')).toContainText('press U');
  });
});

test.describe('390x844, touch', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  test('the Sample form fits; one-line header, batch totals, flag text by its thumbnail, actions docked clear of the selected box; no key hints', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(5));
    await app.waitReady();
    // and a field out of focus (drawn here): a flag that does not hang on a classifier's borderline confidence
    const blurred = gaussianBlur(drawnSmear(3), 12, 'out-of-focus-field');
    await page.getByTestId('file-input').setInputFiles([{ name: 'out-of-focus-field.png', mimeType: 'image/png', buffer: toPng(blurred) }]);
    await app.waitReady();

    // one-line header
    const header = (await page.locator('.app > header').boundingBox())!;
    expect(header.height).toBeLessThanOrEqual(48);
    // the batch's totals are on screen, and they are the batch's
    const batch = page.getByTestId('counts-bar-batch');
    await expect(batch).toBeVisible();
    const s = await page.evaluate(() => window.__smearcount.summary());
    await expect(batch).toContainText(`RBC ${s.totals.RBC} · WBC ${s.totals.WBC} · PLT ${s.totals.Platelets}`);
    // a name cut to fit keeps its end, where a camera's names differ (BloodImage_00339.jpg, _00340.jpg…):
    // in the counts bar and under every thumbnail the tail is whole and inside its box
    const tails = await page.locator('[data-testid=counts-bar] .file-name, [data-testid=thumb] .file-name').evaluateAll((els) =>
      els.map((el) => {
        const box = el.parentElement!.getBoundingClientRect();
        const tail = el.querySelector('.file-name-tail')!.getBoundingClientRect();
        return { text: el.querySelector('.file-name-tail')!.textContent, whole: el.textContent, inside: tail.right <= box.right + 0.5 && tail.left >= box.left - 0.5 };
      }),
    );
    expect(tails.length).toBe(7);
    for (const t of tails) expect(t.inside).toBe(true);
    const camera = tails.filter((t) => t.whole?.startsWith('BloodImage'));
    expect(camera.length).toBeGreaterThanOrEqual(5);
    for (const t of camera) {
      expect(t.whole).toMatch(/^BloodImage_\d+\.jpg$/);
      expect(t.text).toMatch(/\d{5}\.jpg$/);
    }
    // ... and a screen reader reads each name whole, not as the two halves the layout splits it into
    for (const el of await page.getByTestId('thumb').all()) await expect(el).toHaveAccessibleName(/BloodImage_\d+\.jpg|out-of-focus-field\.png/);

    // A flagged image (the field out of focus, or one with an unsure WBC type): its explanation in words beside its thumbnail.
    const images = await app.images();
    const flaggedAt = images.findIndex((im) => im.flags.length > 0);
    expect(flaggedAt).toBeGreaterThanOrEqual(0);
    const thumb = page.getByTestId('thumb').nth(flaggedAt);
    await thumb.tap();
    const text = thumb.getByTestId('thumb-flag-text');
    await expect(text).toBeVisible();
    const img = (await thumb.locator('.thumb-img').boundingBox())!;
    const t = (await text.boundingBox())!;
    expect(t.x).toBeGreaterThanOrEqual(img.x + img.width - 1); // to its right
    // on its level: the first flag's chip beside the picture, the words right under the chips
    const chip = (await thumb.getByTestId('image-flag').first().boundingBox())!;
    expect(chip.x).toBeGreaterThanOrEqual(img.x + img.width - 1);
    expect(chip.y).toBeLessThan(img.y + img.height);
    expect(t.y).toBeLessThan(img.y + img.height + 24);
    expect(t.x + t.width).toBeLessThanOrEqual(390);

    // back to a camera image for the canvas
    await page.getByTestId('thumb').first().tap();
    await expect.poll(async () => (await app.current())!.name).toMatch(/^BloodImage_/);

    // The canvas at the top of the screen (the row above it scrolled away), then a tap on a box:
    // its actions dock on the canvas, on screen, clear of the box and the cells around it.
    await page.getByTestId('canvas').evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY));
    const cur = (await app.current())!;
    const target = isolated(cur.detections, 'RBC')!;
    const v = await page.evaluate(() => window.__smearcount.view());
    const c = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
    const bx = { x1: c.x + v.x + target.box.x1 * v.scale, y1: c.y + v.y + target.box.y1 * v.scale, x2: c.x + v.x + target.box.x2 * v.scale, y2: c.y + v.y + target.box.y2 * v.scale };
    await page.touchscreen.tap(bx.x1 + 1, (bx.y1 + bx.y2) / 2);
    await expect.poll(() => page.evaluate(() => window.__smearcount.selectedId())).toBe(target.id);
    const bar = (await page.getByTestId('review-bar').boundingBox())!;
    expect(bar.y + bar.height).toBeLessThanOrEqual(1); // the row the actions used to sit in is off screen
    const actions = page.getByTestId('review-actions');
    await expect(actions).toBeInViewport({ ratio: 1 });
    const a = (await actions.boundingBox())!;
    // across the canvas, off the box and a ring one box wide around it (its neighbours)
    const w = bx.x2 - bx.x1;
    const h = bx.y2 - bx.y1;
    // (the neighbours are on the image: past its edge, where the actions may sit right under it, is none)
    const im = { x1: c.x + v.x, y1: c.y + v.y, x2: c.x + v.x + cur.width! * v.scale, y2: c.y + v.y + cur.height! * v.scale };
    const ring = { x1: Math.max(bx.x1 - w, im.x1), y1: Math.max(bx.y1 - h, im.y1), x2: Math.min(bx.x2 + w, im.x2), y2: Math.min(bx.y2 + h, im.y2) };
    expect(a.x < ring.x2 && a.x + a.width > ring.x1 && a.y < ring.y2 && a.y + a.height > ring.y1).toBe(false);
    expect(a.y + a.height).toBeLessThanOrEqual(c.y + c.height + 1);
    expect(a.width).toBeGreaterThan(0.9 * c.width);
    // and they work from there
    await page.getByTestId('action-relabel-WBC').tap();
    await expect.poll(async () => (await app.current())!.detections.find((d) => d.id === target.id)?.cls).toBe('WBC');
    // touch: no key names in the hints
    await expect(page.getByTestId('review-status')).not.toContainText('Del delete');
    await expect(page.getByTestId('review-status')).not.toContainText('Shift+');

    // The Sample form fits, and typing does not slide the page sideways.
    await sampleFieldsFit(page, 390);
    await page.getByTestId('sample-id').tap();
    await page.getByTestId('sample-id').pressSequentially('S-2026-0815');
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
    await sampleFieldsFit(page, 390);

    // The report preview breaks no word across lines ("RB C"): every word of every cell but the file
    // names (which may break anywhere) lies on one line.
    await page.locator('details.export > summary').tap();
    await page.getByTestId('export-report').tap();
    await expect(page.getByTestId('report')).toBeVisible();
    // its fields' inputs start at one edge (they started where each label ended)
    const lefts = await page.locator('[data-testid=report] .report-field input').evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent).map((e) => Math.round(e.getBoundingClientRect().left)));
    expect(lefts.length).toBeGreaterThanOrEqual(4);
    expect(new Set(lefts).size).toBe(1);
    const broken = await page.getByTestId('report').evaluate((root) => {
      const out: string[] = [];
      for (const cell of Array.from(root.querySelectorAll('th, td, h1, h2, label'))) {
        if (cell.classList.contains('name')) continue;
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const text = n.textContent ?? '';
          for (const m of text.matchAll(/[^\s\-–/]+/g)) {
            const r = document.createRange();
            r.setStart(n, m.index!);
            r.setEnd(n, m.index! + m[0].length);
            const tops = new Set(Array.from(r.getClientRects()).map((q) => Math.round(q.top)));
            if (tops.size > 1) out.push(m[0]);
          }
        }
      }
      return out;
    });
    expect(broken).toEqual([]);
  });
});
