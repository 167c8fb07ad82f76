/**
 * One image out of the batch: a wrong field, or a picture that is not a smear but reads as one. Asked
 * first; the totals, the list, the saved batch and the audit trail follow; the other images stay.
 */
import { expect, test, type Dialog } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

test('Remove image takes the current image out of the totals and the saved batch, after asking', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const files = testingImages(3);
  await app.drop(files);
  await app.waitReady();
  const names = files.map((f) => f.split('/').pop()!);
  const before = await app.counts('total');
  await app.selectImage(1);
  const second = await app.counts('count');

  // Dismissed: nothing changes.
  page.once('dialog', (d) => {
    expect(d.message()).toContain(names[1]);
    void d.dismiss();
  });
  await page.getByTestId('remove-image').click();
  expect((await app.images()).map((i) => i.name)).toEqual(names);

  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('remove-image').click();
  await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual([names[0], names[2]]);
  await expect(page.getByTestId('thumb')).toHaveCount(2);
  // the next image is shown where the removed one was
  expect((await app.current())?.name).toBe(names[2]);
  const after = await app.counts('total');
  expect(after).toEqual({ RBC: before.RBC - second.RBC, WBC: before.WBC - second.WBC, Platelets: before.Platelets - second.Platelets });
  const audit = await page.evaluate(() => window.__smearcount.audit());
  expect(audit.at(-1)).toMatchObject({ action: 'remove-image', field: 'image', image: names[1], from: `RBC ${second.RBC}, WBC ${second.WBC}, PLT ${second.Platelets}`, to: 'removed' });

  // The saved batch follows: a reload brings back the two images left.
  await app.waitReady();
  await page.reload();
  await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual([names[0], names[2]]);
  await app.waitReady();
  expect(await app.counts('total')).toEqual(after);

  // With a box selected (] from the list), Del in the list deletes that box, as the review hint says, and
  // asks nothing about the image.
  await app.selectImage(0);
  await page.getByTestId('thumb').nth(0).focus();
  const n0 = (await app.current())!.detections.length;
  await page.keyboard.press(']');
  const box = await page.evaluate(() => window.__smearcount.selectedId());
  expect(box).toBeTruthy();
  let asked = false;
  const refuse = (d: Dialog) => {
    asked = true;
    void d.dismiss();
  };
  page.on('dialog', refuse);
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await app.current())!.detections.length).toBe(n0 - 1);
  page.off('dialog', refuse);
  expect(asked).toBe(false);
  expect((await app.images()).map((i) => i.name)).toEqual([names[0], names[2]]);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await app.current())!.detections.length).toBe(n0);
  await page.keyboard.press('Escape');

  // Del on an image in the list removes that image, and no box: the canvas's Del is for boxes.
  await app.selectImage(1);
  const boxes = (await app.current())!.detections.length;
  await app.selectImage(0);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('thumb').nth(0).focus();
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual([names[2]]);
  expect((await app.current())?.detections.length).toBe(boxes);
  // the focus stays in the list, on the new current image, not on the page's body (audit M1)
  await expect(page.getByTestId('thumb').nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('thumb').nth(0)).toBeFocused();
});

test('an image removed just before a reload stays removed: it does not come back into the totals, and its audit entry stays', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const files = testingImages(5);
  await app.drop(files);
  await app.waitReady();
  // Remove image, then a reload at once (no waiting for the save): four times in a row
  for (let i = 0; i < 4; i++) {
    const current = (await app.current())!.name;
    const left = (await app.images()).map((im) => im.name).filter((n) => n !== current);
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('remove-image').click();
    await expect.poll(async () => (await app.images()).length).toBe(left.length);
    await page.reload();
    await app.waitReady();
    expect((await app.images()).map((im) => im.name), `after reload ${i + 1}`).toEqual(left);
    // and the audit trail still says so
    const removals = (await page.evaluate(() => window.__smearcount.audit())).filter((a) => a.action === 'remove-image').map((a) => a.image);
    expect(removals.at(-1), `audit after reload ${i + 1}`).toBe(current);
    expect(removals).toHaveLength(i + 1);
    expect(await app.count('RBC', 'total')).toBe((await page.evaluate(() => window.__smearcount.summary())).totals.RBC);
  }
  await expect(page.getByTestId('thumb')).toHaveCount(1);
});

test('Del on an image still being counted says why nothing happens, and removes nothing', async ({ page }) => {
  // the model held back: the first images are decoded and wait, "running", for the detector
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\.onnx$/, async (route) => {
    await held;
    await route.continue();
  });
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const files = testingImages(3);
  await app.drop(files);
  const running = page.locator('[data-testid="thumb"][data-status="running"]');
  await expect(running.first()).toBeVisible();
  const name = (await running.first().locator('.name').textContent())!;
  let asked = false;
  page.on('dialog', (d) => {
    asked = true;
    void d.dismiss();
  });
  await running.first().focus();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('review-said')).toHaveText(`${name} is being counted: it can be removed once its count is in.`);
  expect(asked).toBe(false);
  release();
  await app.waitReady();
  expect((await app.images()).map((i) => [i.name, i.status])).toEqual(files.map((f) => [f.split('/').pop(), 'done']));
});

test('Ctrl+Z after Remove image brings the image back where it was, with its counts and edits; Ctrl+Y takes it out again; a reload keeps it back, and its edit undoable', async ({ page }) => {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  const files = testingImages(3);
  await app.drop(files);
  await app.waitReady();
  const names = files.map((f) => f.split('/').pop()!);
  const before = await app.counts('total');
  await app.selectImage(1);
  // an edit on it first: it comes back with the image
  await page.getByTestId('thumb').nth(1).focus();
  await page.keyboard.press(']');
  await page.keyboard.press('Delete');
  const edited = (await app.current())!.detections.length;
  const totals = await app.counts('total');
  page.once('dialog', (d) => {
    expect(d.message()).toContain('Undo (Ctrl+Z) brings it back');
    void d.accept();
  });
  await page.getByTestId('remove-image').click();
  await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual([names[0], names[2]]);
  // before: the removal was no step of the history (its image's steps left with it): "Nothing to undo."
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual(names);
  await expect(page.getByTestId('review-said')).toHaveText(`Undone on ${names[1]}: image removed.`);
  expect((await app.current())?.name).toBe(names[1]);
  expect((await app.current())!.detections.length).toBe(edited);
  expect(await app.counts('total')).toEqual(totals);
  await expect(page.getByTestId('thumb')).toHaveCount(3);
  await page.keyboard.press('Control+y');
  await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual([names[0], names[2]]);
  await expect(page.getByTestId('review-said')).toHaveText(`Redone on ${names[1]}: image removed.`);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual(names);
  // the saved batch has it again, picture and all
  await app.waitReady();
  await page.reload();
  await app.waitReady();
  expect((await app.images()).map((i) => i.name)).toEqual(names);
  expect(await app.counts('total')).toEqual(totals);
  // and the edit made before the removal is still the next step back
  await app.selectImage(0);
  await page.getByTestId('thumb').nth(0).focus();
  await page.keyboard.press('Control+z');
  await expect.poll(async () => app.counts('total')).toEqual(before);
  await page.keyboard.press('Control+y');
  await expect.poll(async () => app.counts('total')).toEqual(totals);
});
