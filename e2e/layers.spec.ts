import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { AppPage } from './app.po';
import { completeAnnotationFor, testingImages } from './data';

/** What lies over what (styles.css's list of layers): a layer the user has just opened is on top wherever it
 * is. Each of its controls, or for words alone a 4x4 grid of points over them, is the topmost element there
 * (document.elementFromPoint), as a tap there would find it. Returns what is under something else. */
async function buried(layer: Locator): Promise<string[]> {
  return layer.evaluate((root) => {
    const out: string[] = [];
    const probe = (e: Element, x: number, y: number, name: string) => {
      const hit = document.elementFromPoint(x, y);
      if (!hit || !(e.contains(hit) || hit.contains(e))) out.push(`${name} at ${Math.round(x)},${Math.round(y)} under ${hit?.closest('[data-testid]')?.getAttribute('data-testid') ?? hit?.tagName}`);
    };
    const controls = Array.from(root.querySelectorAll('button, select, input, summary')).filter((b) => (b as HTMLElement).offsetParent);
    for (const b of controls) {
      const r = b.getBoundingClientRect();
      probe(b, r.left + r.width / 2, r.top + r.height / 2, b.textContent ?? '');
    }
    if (!controls.length) {
      const r = root.getBoundingClientRect();
      for (let i = 1; i < 5; i++) for (let j = 1; j < 5; j++) probe(root, r.left + (r.width * i) / 5, r.top + (r.height * j) / 5, 'words');
    }
    return out;
  });
}

/** Selects the image's lowest box (a phone docks its actions at the canvas's top) or its highest (at the foot),
 * and returns where the docked actions are. */
async function selectDocked(page: Page, which: 'low' | 'high') {
  const cur = (await page.evaluate(() => window.__smearcount.current()))!;
  const d = cur.detections.reduce((a, d) => ((which === 'low' ? d.box.y2 > a.box.y2 : d.box.y1 < a.box.y1) ? d : a));
  await page.evaluate((id) => window.__smearcount.selectBox(id), d.id);
  const actions = page.getByTestId('review-actions');
  await expect(actions).toHaveClass(/docked/);
  await expect(actions).toBeInViewport({ ratio: 1 });
  return (await actions.boundingBox())!;
}

const overlap = (a: { y: number; height: number }, b: { y: number; height: number }) => Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);

/** A key of several hint lines: BloodImage_00347's grey speck (a hint a tap opens), its annotation (dashed and
 * dotted white), and, where `more`, the two-edge count rule (faint) and a box relabelled by hand (dotted, a hint). */
async function longKey(page: Page, more: boolean) {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const file = testingImages().find((f) => f.endsWith('BloodImage_00347.jpg'))!;
  await app.drop([file, completeAnnotationFor(file)]);
  await app.waitReady();
  await expect(page.getByTestId('legend-debris')).toBeVisible();
  if (more) {
    await page.locator('summary', { hasText: 'Settings' }).click();
    await page.getByTestId('count-rule').selectOption('top-left');
    await expect(page.getByTestId('legend-excluded')).toBeVisible();
    await page.locator('summary', { hasText: 'Settings' }).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await selectDocked(page, 'high');
    const id = await page.evaluate(() => window.__smearcount.selectedId());
    const cls = (await app.current())!.detections.find((d) => d.id === id)!.cls;
    await page.getByTestId(`action-relabel-${cls === 'RBC' ? 'Platelets' : 'RBC'}`).tap();
    await expect(page.getByTestId('legend-manual')).toBeVisible();
  }
  await expect(page.getByTestId('legend')).toContainText('dotted white: missed');
}

// An upright phone: the key is under the canvas, at the first screen's foot. A hint of it, tapped, opened under its
// words and its box ran past the screen's foot (360x740), where a touch that scrolled the page closed it.
test.describe('360x740 and 320x568, touch: an upright phone', () => {
  test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

  test("the colour key and its hint, tapped, are whole on the screen with the key at the screen's foot", async ({ page }) => {
    await longKey(page, false);
    const legend = page.getByTestId('legend');
    const hint = page.getByTestId('legend-debris');
    const tip = page.getByTestId('legend-debris-tip');
    for (const vp of [{ width: 360, height: 740 }, { width: 320, height: 568 }]) {
      await page.setViewportSize(vp);
      // the key's foot at the screen's foot (the first screen, at 360x740; scrolled to it at 320x568)
      await page.evaluate(() => window.scrollTo(0, 0));
      const key = (await legend.boundingBox())!;
      await page.evaluate((by) => window.scrollBy(0, by), Math.max(0, Math.ceil(key.y + key.height - vp.height)));
      await expect(legend, `${vp.width}x${vp.height}`).toBeInViewport({ ratio: 1 });
      await hint.tap();
      await expect(tip).toBeVisible();
      await expect(tip, `${vp.width}x${vp.height}`).toBeInViewport({ ratio: 1 });
      expect(await buried(tip), `${vp.width}x${vp.height}`).toEqual([]);
      await hint.tap();
      await expect(tip).toBeHidden();
    }
  });
});

test.describe('844x390, touch: a phone on its side', () => {
  test.use({ viewport: { width: 844, height: 390 }, hasTouch: true, isMobile: true });

  test("the colour key's hint, tapped, lies over the selected box's docked actions and is whole on the screen", async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    await page.evaluate(() => window.scrollTo(0, 0));
    // a box relabelled by hand: the key says "dotted: 1 set by hand", a hint a tap opens
    await selectDocked(page, 'high');
    const id = await page.evaluate(() => window.__smearcount.selectedId());
    const cls = (await app.current())!.detections.find((d) => d.id === id)!.cls;
    await page.getByTestId(`action-relabel-${cls === 'RBC' ? 'Platelets' : 'RBC'}`).tap();
    const hint = page.getByTestId('legend-manual');
    const tip = page.getByTestId('legend-manual-tip');
    let overlaps = 0;
    for (const which of ['low', 'high'] as const) {
      const dock = await selectDocked(page, which);
      await hint.tap();
      await expect(tip).toBeVisible();
      await expect(tip).toBeInViewport({ ratio: 1 });
      if (overlap(dock, (await tip.boundingBox())!) > 10) overlaps++;
      expect(await buried(tip), `docked at the ${which === 'low' ? 'top' : 'foot'}`).toEqual([]);
      await hint.tap();
      await expect(tip).toBeHidden();
    }
    // the hint and the actions meet at one of the two places (else this test proves nothing)
    expect(overlaps).toBeGreaterThan(0);
  });

  // the key stands at the middle of the canvas's left edge, and the actions dock across the canvas's top or foot:
  // a key of four hint lines (199 px of the canvas's 280) reached them and lay over their first buttons
  test('a key of four hint lines stays clear of the docked actions, here and at 740x360', async ({ page }) => {
    await longKey(page, true);
    const legend = page.getByTestId('legend');
    for (const vp of [{ width: 844, height: 390 }, { width: 740, height: 360 }]) {
      await page.setViewportSize(vp);
      await page.evaluate(() => window.scrollTo(0, 0));
      for (const which of ['low', 'high'] as const) {
        const dock = await selectDocked(page, which);
        await expect(legend).toBeInViewport({ ratio: 1 });
        const key = (await legend.boundingBox())!;
        const apart = key.x + key.width <= dock.x || dock.x + dock.width <= key.x || overlap(key, dock) <= 0;
        expect(apart, `${vp.width}x${vp.height}, docked at ${Math.round(dock.y)}-${Math.round(dock.y + dock.height)}, the key at ${Math.round(key.y)}-${Math.round(key.y + key.height)}`).toBe(true);
        expect(await buried(page.getByTestId('review-actions')), `${vp.width}x${vp.height}`).toEqual([]);
      }
    }
  });
});

test.describe('1280x720, a mouse: files dragged over the live view', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('the drop overlay lies over the live view, which takes the files dropped on it', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    // no camera here: the live view opens and says so, as it does where the camera is refused
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-view')).toBeVisible();
    await expect(page.getByTestId('live-error')).toBeVisible();
    const file = testingImages(1)[0];
    const name = file.split('/').pop()!;
    const dt = await page.evaluateHandle(
      ({ bytes, name }) => {
        const d = new DataTransfer();
        d.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' }));
        return d;
      },
      { bytes: [...readFileSync(file)], name },
    );
    const view = page.getByTestId('live-view');
    await view.dispatchEvent('dragenter', { dataTransfer: dt });
    const overlay = page.getByTestId('drop-overlay');
    await expect(overlay).toBeVisible();
    // painted on top: the overlay lets the pointer through and the page under the live view is inert, so
    // elementFromPoint passes it by; a point of the stage (black, no camera) shows the overlay's blue over it
    const at = (await page.getByTestId('live-view').locator('.live-stage').boundingBox())!;
    const shot = PNG.sync.read(await page.screenshot({ clip: { x: at.x + at.width / 4, y: at.y + at.height / 4, width: 1, height: 1 } }));
    expect([...shot.data.subarray(0, 3)].map((c) => Math.round(c / 8))).toEqual([31, 44, 65].map((c) => Math.round(c / 8)));
    await view.dispatchEvent('drop', { dataTransfer: dt });
    await expect(overlay).toHaveCount(0);
    await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual([name]);
  });
});
