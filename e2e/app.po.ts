import { expect, type CDPSession, type Page } from '@playwright/test';

export type Cls = 'RBC' | 'WBC' | 'Platelets';
export const CLASSES: Cls[] = ['RBC', 'WBC', 'Platelets'];

// The test hook's types come from the app (src/app/testHook.ts): a reader a test relies on cannot drift.
export type { HookDetection, TestHook } from '../src/app/testHook';
import type { HookDetection } from '../src/app/testHook';
import { undecodablePng } from './data';

/** Page object for the app: drives it through data-testids and reads it through window.__smearcount. */
export class AppPage {
  constructor(readonly page: Page) {}

  async open(query = '') {
    await this.page.goto(`/${query}`);
    await expect(this.status).toHaveAttribute('data-state', /loading|ready/);
  }

  get status() {
    return this.page.getByTestId('status');
  }

  /** Waits until the model is loaded and nothing is pending. The store is checked first because it
   * changes synchronously on a drop, while the DOM attribute follows on React's next commit. */
  async waitReady(timeout = 120_000) {
    await this.page.waitForFunction(() => window.__smearcount?.idle(), null, { timeout, polling: 100 });
    await expect(this.status).toHaveAttribute('data-state', 'ready', { timeout });
  }

  async drop(files: string[]) {
    await this.page.getByTestId('file-input').setInputFiles(files);
  }

  /** Adds a file the intake takes in and cannot decode (data.ts's undecodablePng): an image of the batch that
   * is never counted. */
  async dropUndecodable(name = 'broken-field.png') {
    await this.page.getByTestId('file-input').setInputFiles([{ name, mimeType: 'image/png', buffer: undecodablePng() }]);
  }

  /** Opens the counts panel's smear estimates: a class's factor field and the estimate it gives. */
  async estimates(cls: Cls = 'WBC') {
    await this.page.getByTestId('estimates').locator('summary').click();
    return { factor: this.page.getByTestId(`factor-${cls}`), estimate: this.page.getByTestId(`estimate-${cls}`) };
  }

  async count(cls: Cls, scope: 'count' | 'total' = 'count'): Promise<number> {
    const t = await this.page.getByTestId(`${scope}-${cls}`).textContent();
    // a whole number, grouped as the browser's country groups it ("1,363", "1.363", "1 363")
    return Number(t?.replace(/[^\d-]/g, ''));
  }

  async counts(scope: 'count' | 'total' = 'count') {
    return { RBC: await this.count('RBC', scope), WBC: await this.count('WBC', scope), Platelets: await this.count('Platelets', scope) };
  }

  current() {
    return this.page.evaluate(() => window.__smearcount.current());
  }

  images() {
    return this.page.evaluate(() => window.__smearcount.images());
  }

  async selectImage(index: number) {
    await this.page.getByTestId('thumb').nth(index).click();
  }

  fileErrors() {
    return this.page.getByTestId('file-error');
  }

  /** Opens the toolbar's More menu where there is one (a page 700 px wide or less keeps the less used
   * tools there: Fit, Gallery, Redo, the classes shown, Reviewed); elsewhere every tool is in the row. */
  async moreTools() {
    const more = this.page.getByTestId('toolbar-more');
    if ((await more.isVisible()) && (await more.getAttribute('aria-expanded')) !== 'true') await more.click();
  }
}

/** "Verify and print", then "Release anyway": a first release of work not all checked (no image reviewed,
 * uncertain boxes left, a differential short of its target: every batch these tests release) asks first. */
export async function releaseReport(page: Page) {
  await page.getByTestId('report-print').click();
  await expect(page.getByTestId('report-confirm')).toBeVisible();
  await page.getByTestId('report-confirm-release').click();
}

/** Deletes a counted box of the current image through the review keys (U may first visit a box under the
 * threshold, not counted: it goes on to a counted one); the image as it was before, and the deleted box's id. */
export async function deleteCountedBox(page: Page) {
  const before = (await page.evaluate(() => window.__smearcount.current()))!;
  let selected = '';
  for (let i = 0; i < 50 && !before.detections.some((d) => d.id === selected); i++) {
    await page.getByTestId('review-next').click();
    await expect(page.getByTestId('action-delete')).toBeVisible();
    selected = (await page.evaluate(() => window.__smearcount.selectedId()))!;
  }
  await page.getByTestId('action-delete').click();
  return { before, selected };
}

export async function clickBox(app: AppPage, d: HookDetection) {
  const view = await app.page.evaluate(() => window.__smearcount.view());
  const canvas = await app.page.getByTestId('canvas').locator('canvas').first().boundingBox();
  const cx = (d.box.x1 + d.box.x2) / 2;
  const cy = (d.box.y1 + d.box.y2) / 2;
  // Click near the top-left edge inside the box: the stroke has the widest hit area and the
  // centre may lie inside a neighbouring box too.
  const x = canvas!.x + view.x + (d.box.x1 + 0.5 * (cx - d.box.x1) * 0.1) * view.scale;
  const y = canvas!.y + view.y + cy * view.scale;
  await app.page.mouse.click(x, y);
}

/** A box whose left edge (mid-height) lies inside no other box, so a click there selects it. */
export function isolated(dets: HookDetection[], cls?: Cls): HookDetection | undefined {
  return dets.find((d) => {
    if (cls && d.cls !== cls) return false;
    const x = d.box.x1 + 0.05 * (d.box.x2 - d.box.x1) * 0.5;
    const y = (d.box.y1 + d.box.y2) / 2;
    return !dets.some((o) => o !== d && x >= o.box.x1 - 4 && x <= o.box.x2 + 4 && y >= o.box.y1 - 4 && y <= o.box.y2 + 4);
  });
}

/** Entries of a stored (uncompressed) ZIP, as our exporter writes it. */
export function unzipStored(buf: Buffer): { name: string; data: Buffer }[] {
  const out: { name: string; data: Buffer }[] = [];
  let o = 0;
  while (buf.readUInt32LE(o) === 0x04034b50) {
    const size = buf.readUInt32LE(o + 18);
    const nameLen = buf.readUInt16LE(o + 26);
    const extra = buf.readUInt16LE(o + 28);
    const name = buf.subarray(o + 30, o + 30 + nameLen).toString('utf8');
    const start = o + 30 + nameLen + extra;
    out.push({ name, data: buf.subarray(start, start + size) });
    o = start + size;
  }
  return out;
}

/** Screen position of an image point, in the canvas's view as it stands. */
export async function screenAt(page: Page, x: number, y: number) {
  const v = await page.evaluate(() => window.__smearcount.view());
  const c = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
  return { x: c.x + v.x + x * v.scale, y: c.y + v.y + y * v.scale };
}

/** One touch event of a gesture, through CDP: the points are the fingers (none on touchEnd). */
export async function fingers(cdp: CDPSession, type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) {
  await cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : points.map((p, i) => ({ x: p.x, y: p.y, id: i + 1 })) });
}
