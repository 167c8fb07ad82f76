/**
 * Correcting boxes at the edges of what an edit means: a stroke in the canvas's margin, a box dragged off
 * the image, a selection whose box an undo took back, a relabel to the class a box already has. Each of
 * these changed a count, lost an edit or made a model box one "set by hand" without anything to see.
 */
import { expect, test, type Page } from '@playwright/test';
import { AppPage, screenAt, type HookDetection } from './app.po';
import { testingImages } from './data';

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
}

const selectedId = (page: Page) => page.evaluate(() => window.__smearcount.selectedId());

/** The model RBC box nearest the image's middle (clear of the edges). */
function middleRbc(dets: HookDetection[], w: number, h: number) {
  const dist = (d: HookDetection) => Math.hypot((d.box.x1 + d.box.x2) / 2 - w / 2, (d.box.y1 + d.box.y2) / 2 - h / 2);
  return dets.filter((d) => d.cls === 'RBC' && d.origin === 'model').sort((a, b) => dist(a) - dist(b))[0];
}

test.describe('edits at the edges', () => {
  let app: AppPage;
  test.beforeEach(async ({ page }) => {
    app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
  });

  test('a box drawn in the margin beside the image is not added (it was counted, 0 px tall and never seen), and the status line says why', async ({ page }) => {
    const before = await app.counts();
    const n = (await app.current())!.detections.length;
    // zoomed out, the image is a small island in the canvas: a stroke above it, in the margin
    for (let i = 0; i < 4; i++) await page.keyboard.press('-');
    const c = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
    const top = await screenAt(page, 0, 0);
    expect(top.y - c.y).toBeGreaterThan(60);
    await page.keyboard.press('n');
    await drag(page, { x: top.x + 20, y: c.y + 10 }, { x: top.x + 60, y: top.y - 10 });
    await expect(page.getByTestId('review-said')).toContainText('No box added: draw it on the image');
    expect(await app.counts()).toEqual(before);
    expect((await app.current())!.detections).toHaveLength(n);
    expect(await selectedId(page)).toBeNull();
    await expect(page.getByTestId('total-RBC')).toHaveText(String(before.RBC));
  });

  test('a box dragged off the image stops at its edge at its own size (it shrank to a line, counted, out of reach); one undo puts it back', async ({ page }) => {
    const cur = (await app.current())!;
    const t = middleRbc(cur.detections, cur.width!, cur.height!);
    await page.evaluate((id) => window.__smearcount.selectBox(id), t.id);
    const from = await screenAt(page, (t.box.x1 + t.box.x2) / 2, (t.box.y1 + t.box.y2) / 2);
    const c = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
    // past the image's top-left corner, into the canvas's margin
    await drag(page, from, { x: c.x + 2, y: c.y + 2 });
    await expect.poll(async () => (await app.current())!.detections.find((d) => d.id === t.id)!.origin).toBe('manual');
    const moved = (await app.current())!.detections.find((d) => d.id === t.id)!;
    expect(moved.box.x1).toBe(0);
    expect(moved.box.y1).toBe(0);
    expect(moved.box.x2 - moved.box.x1).toBeCloseTo(t.box.x2 - t.box.x1, 3);
    expect(moved.box.y2 - moved.box.y1).toBeCloseTo(t.box.y2 - t.box.y1, 3);
    expect(await selectedId(page)).toBe(t.id);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await app.current())!.detections.find((d) => d.id === t.id)).toEqual(t);
  });

  test('an undo that takes back a drawn box clears its selection: the next 3 chooses the class to draw and Ctrl+Y brings the box back', async ({ page }) => {
    const before = await app.counts();
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await drag(page, await screenAt(page, 100, 100), await screenAt(page, 130, 130));
    await expect(page.getByTestId('count-RBC')).toHaveText(String(before.RBC + 1));
    const added = (await app.current())!.detections.find((d) => d.id.startsWith('u'))!;
    expect(await selectedId(page)).toBe(added.id);
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('count-RBC')).toHaveText(String(before.RBC));
    await expect.poll(() => selectedId(page)).toBeNull();
    // with nothing selected, 3 is the class of the next box drawn: not a relabel of the box taken back, whose
    // empty step of the history cleared the redo
    await page.keyboard.press('3');
    await page.keyboard.press('Control+y');
    await expect(page.getByTestId('count-RBC')).toHaveText(String(before.RBC + 1));
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await drag(page, await screenAt(page, 300, 60), await screenAt(page, 315, 75));
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets + 1));
  });

  test("the class a box already has, pressed, accepts it as the model's box (it had become one set by hand, its score gone, with no line in the audit trail); relabelled back, it is the model's box again", async ({ page }) => {
    const cur = (await app.current())!;
    const t = middleRbc(cur.detections, cur.width!, cur.height!);
    await page.evaluate((id) => window.__smearcount.selectBox(id), t.id);
    await expect(page.getByTestId('action-relabel-RBC')).toHaveAttribute('aria-pressed', 'true');
    await page.getByTestId('action-relabel-RBC').click();
    await expect(page.getByTestId('review-said')).toContainText('Already an RBC: accepted as it is');
    await page.keyboard.press('1');
    expect((await app.current())!.detections.find((d) => d.id === t.id)).toEqual(t);
    await expect(page.getByTestId('review-status')).toContainText(`score ${t.score.toFixed(2)}`);
    await expect(page.getByTestId('legend-manual')).toHaveCount(0);
    expect(await page.evaluate(() => window.__smearcount.audit())).toEqual([]);
    // to WBC and back: the model's RBC again, with its score (two lines in the audit trail)
    await page.keyboard.press('2');
    await expect(page.getByTestId('legend-manual')).toHaveText('dotted: 1 set by hand');
    await page.keyboard.press('1');
    await expect(page.getByTestId('legend-manual')).toHaveCount(0);
    expect((await app.current())!.detections.find((d) => d.id === t.id)).toEqual(t);
    expect((await page.evaluate(() => window.__smearcount.audit())).map((a) => [a.field, a.from, a.to])).toEqual([
      ['class', 'RBC', 'WBC'],
      ['class', 'WBC', 'RBC'],
    ]);
  });

  test('Delete pressed from the keyboard keeps the focus in the review bar (it fell to the page, and Tab began again from the top) and says what went', async ({ page }) => {
    const before = await app.counts();
    await page.keyboard.press('u');
    await expect(page.getByTestId('review-status')).toContainText(/1 of \d+/);
    const sel = (await page.evaluate(() => window.__smearcount.selectedId()))!;
    const shown = (await app.current())!.detections.find((d) => d.id === sel);
    // U may first visit a box under the threshold (not counted): its Delete is "Leave out"
    const text = shown ? `${shown.cls} box deleted: Undo (Ctrl+Z) brings it back.` : `${(await page.evaluate(() => window.__smearcount.belowThreshold())).find((d) => d.id === sel)!.cls} box left out: Undo (Ctrl+Z) brings it back.`;
    await page.getByTestId('action-delete').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('review-bar');
    await expect(page.getByTestId('review-said')).toHaveText(text);
    await expect(page.getByTestId('review-announce')).toHaveText(text);
    // the keys still act there: U goes on, Ctrl+Z takes the deletion back
    await page.keyboard.press('Control+z');
    expect(await app.counts()).toEqual(before);
  });

  test('U and ] on a box of a class hidden from view draw it while it is selected (it was accepted or deleted unseen)', async ({ page }) => {
    await page.getByTestId('visible-RBC').uncheck();
    const rbcs = (await app.current())!.detections.filter((d) => d.cls === 'RBC').map((d) => d.id);
    const drawnRbcs = async () => (await page.evaluate(() => window.__smearcount.drawnBoxes().map((b) => b.id))).filter((id) => rbcs.includes(id));
    expect(await drawnRbcs()).toEqual([]);
    // ] steps through every box in reading order, hidden classes too: the one selected is drawn, alone of them
    await page.keyboard.press(']');
    const first = (await selectedId(page))!;
    expect(rbcs).toContain(first);
    await expect.poll(drawnRbcs).toEqual([first]);
    await page.keyboard.press('Escape');
    await expect.poll(drawnRbcs).toEqual([]);
    // U's first uncertain box on this field is an RBC
    await page.keyboard.press('u');
    const sel = (await selectedId(page))!;
    expect(rbcs).toContain(sel);
    await expect.poll(drawnRbcs).toEqual([sel]);
  });

  test("a box under the threshold, visited by U, cannot be dragged while it is not counted (the move was kept, unseen, and the box snapped back)", async ({ page }) => {
    const below = await page.evaluate(() => window.__smearcount.belowThreshold());
    expect(below.length).toBeGreaterThan(0);
    const b = below[0];
    await page.evaluate((id) => window.__smearcount.selectBox(id), b.id);
    await expect(page.getByTestId('review-status')).toContainText('under the threshold');
    const from = await screenAt(page, (b.box.x1 + b.box.x2) / 2, (b.box.y1 + b.box.y2) / 2);
    await drag(page, from, { x: from.x + 20, y: from.y + 12 });
    expect(await page.evaluate(() => window.__smearcount.audit())).toEqual([]);
    expect((await page.evaluate(() => window.__smearcount.belowThreshold())).find((d) => d.id === b.id)).toEqual(b);
    expect(await selectedId(page)).toBe(b.id);
  });

  test("arrowing through the WBC type list is one change of type: one line of the audit trail, one undo (each type passed was an edit, verified, and as many undos)", async ({ page }) => {
    const w = (await app.current())!.detections.find((d) => d.cls === 'WBC' && d.wbc)!;
    await page.evaluate((id) => window.__smearcount.selectBox(id), w.id);
    const list = page.getByTestId('action-wbc-type');
    await list.focus();
    // a closed select on Chromium (Windows, Linux) takes each arrow as a choice, and says it with a change event
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    const now = (await app.current())!.detections.find((d) => d.id === w.id)!.wbc!;
    expect(now.type).not.toBe(w.wbc!.type);
    await expect(list).toHaveValue(now.type);
    expect((await page.evaluate(() => window.__smearcount.audit())).map((a) => [a.field, a.from, a.to])).toEqual([
      ['type', w.wbc!.type, now.type],
      ['verified', 'no', 'yes'],
    ]);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await app.current())!.detections.find((d) => d.id === w.id)!.wbc).toEqual(w.wbc);
  });

  test('a box under the threshold, relabelled (2), is counted as that class: the relabel was kept unseen and the box stayed uncounted', async ({ page }) => {
    const before = await app.counts();
    const b = (await page.evaluate(() => window.__smearcount.belowThreshold()))[0];
    expect(b.cls).not.toBe('WBC');
    await page.evaluate((id) => window.__smearcount.selectBox(id), b.id);
    await expect(page.getByTestId('review-status')).toContainText('under the threshold');
    await page.keyboard.press('2');
    await expect(page.getByTestId('count-WBC')).toHaveText(String(before.WBC + 1));
    expect(await app.counts()).toEqual({ ...before, WBC: before.WBC + 1 });
    expect((await app.current())!.detections.find((d) => d.id === b.id)).toMatchObject({ cls: 'WBC', origin: 'manual' });
    expect(await selectedId(page)).toBe(b.id);
    // one step: Ctrl+Z gives back the box under the threshold, not counted
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('count-WBC')).toHaveText(String(before.WBC));
    expect(await app.counts()).toEqual(before);
    expect((await page.evaluate(() => window.__smearcount.belowThreshold())).find((d) => d.id === b.id)).toEqual(b);
  });

  test('an undo and a redo say what they took back or made again (a move or a type taken back showed nothing that said so), and an undo with nothing left says that', async ({ page }) => {
    const name = (await app.current())!.name;
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('review-said')).toHaveText('Nothing to undo.');
    const cur = (await app.current())!;
    const t = middleRbc(cur.detections, cur.width!, cur.height!);
    await page.evaluate((id) => window.__smearcount.selectBox(id), t.id);
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('review-said')).toHaveText(`Undone on ${name}: box moved.`);
    await expect(page.getByTestId('review-announce')).toHaveText(`Undone on ${name}: box moved.`);
    expect((await app.current())!.detections.find((d) => d.id === t.id)).toEqual(t);
    await page.keyboard.press('Control+y');
    await expect(page.getByTestId('review-said')).toHaveText(`Redone on ${name}: box moved.`);
    await page.evaluate((id) => window.__smearcount.selectBox(id), t.id);
    await page.keyboard.press('2');
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('review-said')).toHaveText(`Undone on ${name}: class RBC → WBC.`);
  });
  test('a focused Delete, Undo or Redo that its own press disables hands the keyboard focus on to the next tool (it fell to the page, the top of the page for a keyboard user)', async ({ page }) => {
    const cur = (await app.current())!;
    const t = middleRbc(cur.detections, cur.width!, cur.height!);
    await page.evaluate((id) => window.__smearcount.selectBox(id), t.id);
    const focused = () => page.evaluate(() => (document.activeElement === document.body ? 'the page' : (document.activeElement as HTMLElement | null)?.textContent?.trim()));
    await page.getByTestId('toolbar-delete').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('toolbar-delete')).toBeDisabled();
    expect(await focused()).toBe('Undo');
    // Enter again: the delete undone, Undo now disabled, the focus on Redo
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('toolbar-undo')).toBeDisabled();
    expect(await focused()).toBe('Redo');
    expect((await app.current())!.detections.find((d) => d.id === t.id)).toBeTruthy();
    // and back: Redo deletes it again and hands the focus to Undo
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Redo' })).toBeDisabled();
    expect(await focused()).toBe('Undo');
    expect((await app.current())!.detections.find((d) => d.id === t.id)).toBeUndefined();
  });
});
