import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppPage, CLASSES, clickBox, isolated, unzipStored, type HookDetection } from './app.po';
import { testingImages } from './data';
import { readCsv } from './csv';

type Rgb = [number, number, number];
const rgbOf = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const near = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) < 40;

/** A platelet's box is round and a red cell's square (core/detection/classMark), on the canvas and in the
 * annotated PNG: colour alone (red against amber, ΔE 38 under deuteranopia) was the only cue. */
async function expectClassShapes(page: Page, dets: HookDetection[], png: Buffer) {
  // the canvas: one Konva rect a box, as before; each platelet's corners rounded by half its shorter side
  const drawn = await page.evaluate(() => window.__smearcount.drawnBoxes());
  expect(drawn).toHaveLength(dets.length);
  const colour = { RBC: '#e5484d', WBC: '#3e63dd', Platelets: '#f5a623' };
  for (const d of dets) {
    const n = drawn.find((x) => x.id === d.id)!;
    const r = d.cls === 'Platelets' ? Math.min(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1) / 2 : 0;
    expect({ stroke: n.stroke, cornerRadius: n.cornerRadius }, `${d.cls} ${d.id}`).toEqual({ stroke: colour[d.cls], cornerRadius: r });
  }
  // the PNG: a red cell's outline runs through its bottom corners; a platelet's stays clear of them (its arc
  // passes r(√2-1) inside) but crosses the middle of its edges. Only where no other box or label is near.
  const clear = (d: HookDetection) => (p: { x: number; y: number }) =>
    dets.every((o) => o === d || p.x < o.box.x1 - 6 || p.x > Math.max(o.box.x2, o.box.x1 + 48) + 6 || p.y < o.box.y1 - 6 || p.y > o.box.y2 + 6);
  const corner = (d: HookDetection) => [{ x: d.box.x2, y: d.box.y2 }, { x: d.box.x1, y: d.box.y2 }].find(clear(d));
  const edge = (d: HookDetection) => {
    const { x1, y1, x2, y2 } = d.box;
    return [{ x: (x1 + x2) / 2, y: y2 }, { x: x2, y: (y1 + y2) / 2 }, { x: x1, y: (y1 + y2) / 2 }].find(clear(d));
  };
  const rbc = dets.find((d) => d.cls === 'RBC' && corner(d));
  const plt = dets.find((d) => d.cls === 'Platelets' && Math.min(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1) >= 16 && corner(d) && edge(d));
  expect(rbc && plt, 'a lone red cell and a lone platelet on the image').toBeTruthy();
  // the 3x3 pixels about each point, read in the browser
  const points = [
    corner(rbc!)!,
    corner(plt!)!,
    edge(plt!)!,
  ];
  const px: Rgb[][] = await page.evaluate(
    async ({ b64, points }) => {
      const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
      const ctx = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d')!;
      ctx.drawImage(bmp, 0, 0);
      return points.map(({ x, y }) => {
        const d = ctx.getImageData(Math.round(x) - 1, Math.round(y) - 1, 3, 3).data;
        return Array.from({ length: 9 }, (_, i) => [d[4 * i], d[4 * i + 1], d[4 * i + 2]] as [number, number, number]);
      });
    },
    { b64: png.toString('base64'), points },
  );
  expect(px[0].some((p) => near(p, rgbOf(colour.RBC))), "the red cell's corner").toBe(true);
  expect(px[1].some((p) => near(p, rgbOf(colour.Platelets))), "the platelet's corner").toBe(false);
  expect(px[2].some((p) => near(p, rgbOf(colour.Platelets))), "the platelet's edge").toBe(true);
}

test.describe('review, correct, export, persist', () => {
  let app: AppPage;
  test.beforeEach(async ({ page }) => {
    app = new AppPage(page);
    await app.open('?backend=wasm');
  });

  test('delete and relabel a box with the keyboard, then undo and redo', async ({ page }) => {
    await app.drop(testingImages(1));
    await app.waitReady();
    const before = await app.counts();
    const cur = (await app.current())!;
    const target = isolated(cur.detections, 'RBC')!;
    expect(target).toBeTruthy();
    await clickBox(app, target);
    expect(await page.evaluate(() => window.__smearcount.selectedId())).toBe(target.id);
    await page.keyboard.press('Delete');
    await expect(page.getByTestId('count-RBC')).toHaveText(String(before.RBC - 1));
    expect((await app.current())!.detections.some((d) => d.id === target.id)).toBe(false);

    const other = isolated((await app.current())!.detections, 'RBC')!;
    await clickBox(app, other);
    await page.keyboard.press('2');
    await expect(page.getByTestId('count-RBC')).toHaveText(String(before.RBC - 2));
    await expect(page.getByTestId('count-WBC')).toHaveText(String(before.WBC + 1));
    const relabeled = (await app.current())!.detections.find((d) => d.id === other.id)!;
    expect(relabeled).toMatchObject({ cls: 'WBC', origin: 'manual' });
    // set by hand, and said so: the RBC's score is no WBC's confidence, on the page or in the boxes export
    await expect(page.getByTestId('review-status')).toContainText("WBC · the model's box, changed by hand");
    // drawn dotted, and the legend says what the dots mean (a faint dashed box is one the count rule left out)
    await expect(page.getByTestId('legend-manual')).toHaveText('dotted: 1 set by hand');
    const [boxesFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-boxes-csv').click()]);
    const boxes = readCsv(readFileSync((await boxesFile.path())!, 'utf8'));
    const at = (r: string[]) => Math.abs(Number(boxes.get(r, 'x1_px')) - relabeled.box.x1) < 0.01 && Math.abs(Number(boxes.get(r, 'y1_px')) - relabeled.box.y1) < 0.01;
    const row = boxes.rows.filter(at);
    expect(row).toHaveLength(1);
    expect([boxes.get(row[0], 'class'), boxes.get(row[0], 'score'), boxes.get(row[0], 'origin')]).toEqual(['WBC', '', 'manual']);
    // the boxes left as the model gave them keep its score
    expect(boxes.rows.filter((r) => boxes.get(r, 'origin') === 'model').every((r) => /^(0\.\d{4}|1)$/.test(boxes.get(r, 'score')))).toBe(true);

    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    expect(await app.counts()).toEqual(before);
    await expect(page.getByTestId('legend-manual')).toHaveCount(0);
    await page.keyboard.press('Control+Shift+z');
    await expect(page.getByTestId('count-RBC')).toHaveText(String(before.RBC - 1));
    await page.keyboard.press('Control+y');
    await expect(page.getByTestId('count-WBC')).toHaveText(String(before.WBC + 1));
  });

  test('draw a new box', async ({ page }) => {
    await app.drop(testingImages(1));
    await app.waitReady();
    const before = await app.counts();
    await page.keyboard.press('Escape');
    await page.keyboard.press('3'); // nothing selected: sets the class for new boxes
    await page.keyboard.press('n');
    const view = await page.evaluate(() => window.__smearcount.view());
    const canvas = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
    const at = (x: number, y: number) => [canvas.x + view.x + x * view.scale, canvas.y + view.y + y * view.scale] as const;
    await page.mouse.move(...at(300, 200));
    await page.mouse.down();
    await page.mouse.move(...at(320, 215), { steps: 4 });
    await page.mouse.move(...at(330, 230), { steps: 4 });
    await page.mouse.up();
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets + 1));
    const added = (await app.current())!.detections.find((d) => d.id.startsWith('u'))!;
    expect(added).toMatchObject({ cls: 'Platelets', origin: 'manual' });
    // The pointer lands on whole screen pixels: within one image pixel of where the drag began and ended.
    expect(Math.abs(added.box.x1 - 300)).toBeLessThanOrEqual(1);
    expect(Math.abs(added.box.y2 - 230)).toBeLessThanOrEqual(1);
  });

  test('place, move and size a new box with the keyboard alone; one undo takes back the moves, the next the box', async ({ page }) => {
    await app.drop(testingImages(1));
    await app.waitReady();
    const before = await app.counts();
    await page.keyboard.press('Escape');
    await page.keyboard.press('3'); // the class for new boxes
    await page.keyboard.press('n');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets + 1));
    await expect(page.getByTestId('review-said')).toContainText('Shift+arrows move it');
    const find = async () => (await app.current())!.detections.find((d) => d.id.startsWith('u'))!;
    const placed = await find();
    expect(placed).toMatchObject({ cls: 'Platelets', origin: 'manual' });
    expect(await page.evaluate(() => window.__smearcount.selectedId())).toBe(placed.id);
    // in the middle of the view, the size of the image's own platelets (or of its RBCs scaled to one)
    const view = await page.evaluate(() => window.__smearcount.view());
    const canvas = (await page.getByTestId('canvas').locator('canvas').first().boundingBox())!;
    const mid = { x: (canvas.width / 2 - view.x) / view.scale, y: (canvas.height / 2 - view.y) / view.scale };
    const side = placed.box.x2 - placed.box.x1;
    expect(Math.abs((placed.box.x1 + placed.box.x2) / 2 - mid.x)).toBeLessThan(1);
    expect(Math.abs((placed.box.y1 + placed.box.y2) / 2 - mid.y)).toBeLessThan(1);
    const rbcs = (await app.current())!.detections.filter((d) => d.cls === 'RBC').map((d) => Math.sqrt((d.box.x2 - d.box.x1) * (d.box.y2 - d.box.y1)));
    const rbc = rbcs.sort((a, b) => a - b)[rbcs.length >> 1];
    expect(side).toBeGreaterThan(0.25 * rbc);
    expect(side).toBeLessThan(0.6 * rbc);
    const step = Math.max(1, Math.round(side / 12));
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('Shift+Alt+ArrowDown');
    await expect.poll(async () => (await find()).box.x1).toBeCloseTo(placed.box.x1 + 3 * step, 3);
    const moved = await find();
    expect(moved.box.y1).toBeCloseTo(placed.box.y1 - step, 3);
    expect(moved.box.x2 - moved.box.x1).toBeCloseTo(side, 3);
    expect(moved.box.y2 - moved.box.y1).toBeGreaterThan(side);
    expect(await page.evaluate(() => window.__smearcount.selectedId())).toBe(placed.id);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await find()).box).toEqual(placed.box);
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets));
  });

  test('keyboard only: N then Enter places the box with Add images or an image row focused, not the focused control; Ctrl+Z takes it back', async ({ page }) => {
    await app.drop(testingImages(2));
    await app.waitReady();
    const before = await app.counts();
    let choosers = 0;
    page.on('filechooser', () => choosers++);
    // a keyboard user always has a control focused: here Add images, which Enter would press
    await page.getByTestId('choose-files').focus();
    await page.keyboard.press('3');
    await page.keyboard.press('n');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets + 1));
    await expect(page.getByTestId('choose-files')).toBeFocused();
    const placed = (await app.current())!.detections.find((d) => d.id.startsWith('u'))!;
    expect(placed).toMatchObject({ cls: 'Platelets', origin: 'manual' });
    expect(await page.evaluate(() => window.__smearcount.selectedId())).toBe(placed.id);
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets));
    // the image list's row: Enter there would select the image; in Draw mode it places the box
    const cur = (await app.current())!.name;
    await page.locator('[data-testid="thumb"][aria-selected="true"]').focus();
    await page.keyboard.press('n');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets + 1));
    expect((await app.current())!.name).toBe(cur);
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets));
    // a text field keeps its Enter (and its letters: N is typed there, Draw mode stays as it was)
    await page.getByTestId('sample-id').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('count-Platelets')).toHaveText(String(before.Platelets));
    expect(choosers).toBe(0);
  });

  test('a platelet relabelled WBC is typed, but its type is unsure however confident the model is', async ({ page }) => {
    // the first Testing images with a platelet clear of other boxes
    await app.drop(testingImages(4));
    await app.waitReady();
    let target: HookDetection | undefined;
    for (let i = 0; i < 4 && !target; i++) {
      await app.selectImage(i);
      target = isolated((await app.current())!.detections, 'Platelets');
    }
    expect(target).toBeTruthy();
    await clickBox(app, target!);
    await page.keyboard.press('2');
    await expect.poll(async () => (await app.current())!.detections.find((d) => d.id === target!.id)?.wbc?.small).toBe(true);
    const w = (await app.current())!.detections.find((d) => d.id === target!.id)!.wbc!;
    expect(w.origin).toBe('model');
    await expect(page.getByTestId('review-status')).toContainText('box too small for a WBC: unsure');
    // U visits it as an unsure type; setting the type by hand settles it
    await page.keyboard.press('Escape');
    await page.keyboard.press('u');
    expect(await page.evaluate(() => window.__smearcount.selectedId())).toBe(target!.id);
    await page.keyboard.press('Shift+2');
    await expect.poll(async () => (await app.current())!.detections.find((d) => d.id === target!.id)?.wbc).toMatchObject({ type: 'lymphocyte', origin: 'manual' });
  });

  test('the counts CSV matches the shown counts after edits', async ({ page }) => {
    const files = testingImages(3);
    await app.drop(files);
    await app.waitReady();
    await app.selectImage(1);
    const cur = (await app.current())!;
    await clickBox(app, isolated(cur.detections, 'RBC')!);
    await page.keyboard.press('Delete');
    const shown: Record<string, Record<string, number>> = {};
    for (let i = 0; i < files.length; i++) {
      await app.selectImage(i);
      shown[(await app.current())!.name] = await app.counts();
    }
    const totals = await app.counts('total');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    // the UTF-8 byte-order mark first, for Excel
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const csv = text.slice(1).trim().split(/\r\n/);
    expect(csv[0]).toBe(
      'image,rbc,wbc,platelets,reviewed,edited,count_rule,cell_scale,passes,neutrophil,lymphocyte,monocyte,eosinophil,basophil,immature_granulocyte,erythroblast,flags,flags_accepted,in_totals,' +
        'smudge,other,engine,source,captured_at,edits,wbc_less_nrbc,reviewed_images,edited_images,flags_accepted_images,in_totals_images,reviewed_in_totals_images,edited_in_totals_images,report_state,verified_by,released_at,release_revision,withdrawn_reason,replaces_release,sample_id,models',
    );
    const all = csv.slice(1).map((l) => l.split(','));
    expect(all.at(-1)![0]).toBe('DIFFERENTIAL_%');
    const rows = all.slice(0, -1);
    expect(rows).toHaveLength(files.length + 1);
    for (const r of rows.slice(0, -1)) {
      expect({ RBC: +r[1], WBC: +r[2], Platelets: +r[3] }).toEqual(shown[r[0]]);
      expect(r[5]).toBe(r[0] === (await Promise.resolve(cur.name)) ? 'true' : 'false');
      expect(r[6]).toBe('all');
    }
    const t = rows[rows.length - 1];
    expect(t[0]).toBe('TOTAL');
    expect({ RBC: +t[1], WBC: +t[2], Platelets: +t[3] }).toEqual(totals);
    // TOTAL: no count in the true/false columns; one image edited, said in its own column
    const col = (name: string) => csv[0].split(',').indexOf(name);
    expect([t[col('reviewed')], t[col('edited')], t[col('edited_images')], t[col('in_totals_images')]]).toEqual(['', '', '1', '3']);
  });

  test('the annotated PNG is the full image, and the COCO export lists the shown boxes', async ({ page }) => {
    await app.drop(testingImages(1));
    await app.waitReady();
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    const buf = readFileSync((await png.path())!);
    expect(buf.subarray(1, 4).toString()).toBe('PNG');
    // the image's width; its 480 rows, then a white band below them with the sample and the release
    expect(buf.readUInt32BE(16)).toBe(640);
    expect(buf.readUInt32BE(20)).toBeGreaterThan(480);
    await expectClassShapes(page, (await app.current())!.detections, buf);
    const [coco] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-coco').click()]);
    const c = JSON.parse(readFileSync((await coco.path())!, 'utf8'));
    const shown = (await app.current())!.detections;
    expect(c.images).toMatchObject([{ id: 1, file_name: (await app.current())!.name, width: 640, height: 480, count_rule: 'all' }]);
    expect(c.info.count_rule).toBe('all');
    expect(c.annotations).toHaveLength(shown.length);
  });

  test('the VOC export round-trips: re-imported as ground truth it scores AP = 1', async ({ page }, info) => {
    await app.drop(testingImages(2));
    await app.waitReady();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-voc').click()]);
    const entries = unzipStored(readFileSync((await download.path())!));
    expect(entries.map((e) => e.name)).toHaveLength(2);
    const dir = info.outputPath('voc');
    mkdirSync(dir, { recursive: true });
    const xmls = entries.map((e) => {
      const p = join(dir, e.name);
      writeFileSync(p, e.data);
      return p;
    });
    await app.drop(xmls);
    await expect(page.getByTestId('ap-batch')).toHaveText('1.000');
    await expect(page.getByTestId('ap-image')).toHaveText('1.000');
    await expect(app.fileErrors()).toHaveCount(0);
  });

  test('a reload restores the batch and the edits', async ({ page }) => {
    await app.drop(testingImages(2));
    await app.waitReady();
    const cur = (await app.current())!;
    const target = isolated(cur.detections)!;
    await clickBox(app, target);
    await page.keyboard.press('Delete');
    const before = { images: await app.images(), current: await app.current(), totals: await app.counts('total') };
    await page.evaluate(() => window.__smearcount.flush());
    await page.reload();
    await app.waitReady();
    await expect.poll(async () => (await app.images()).length).toBe(2);
    expect((await app.images()).map((i) => [i.name, i.status, i.count])).toEqual(before.images.map((i) => [i.name, i.status, i.count]));
    const after = (await app.current())!;
    expect(after.name).toBe(before.current!.name);
    expect(after.detections.map((d) => d.id)).toEqual(before.current!.detections.map((d) => d.id));
    expect(after.detections.some((d) => d.id === target.id)).toBe(false);
    for (const c of CLASSES) await expect(page.getByTestId(`total-${c}`)).toHaveText(String(before.totals[c]));
    // and the restored session can be cleared, after confirmation
    page.once('dialog', (d) => d.accept());
    await page.getByTestId('clear-session').click();
    await expect.poll(async () => (await app.images()).length).toBe(0);
    await page.reload();
    await app.waitReady();
    expect(await app.images()).toHaveLength(0);
  });
  test('an edit followed at once by a reload is kept (the journal written on pagehide)', async ({ page }) => {
    await app.drop(testingImages(1));
    await app.waitReady();
    await page.evaluate(() => window.__smearcount.flush());
    for (const key of ['Delete', '1']) {
      const cur = (await app.current())!;
      // Delete: any lone box; 1 (relabel to RBC): a lone WBC or platelet
      const target = (key === 'Delete' ? isolated(cur.detections) : (isolated(cur.detections, 'WBC') ?? isolated(cur.detections, 'Platelets')))!;
      await clickBox(app, target);
      await page.keyboard.press(key);
      await expect.poll(async () => (await app.current())!.detections.find((d) => d.id === target.id)?.cls ?? null).toBe(key === 'Delete' ? null : 'RBC');
      // no wait for the 200 ms save: the page goes now
      await page.reload();
      await app.waitReady();
      await expect.poll(async () => (await app.images()).length).toBe(1);
      const after = (await app.current())!.detections.find((d) => d.id === target.id);
      expect(after?.cls ?? null, `${key} kept`).toBe(key === 'Delete' ? null : 'RBC');
    }
  });
});
