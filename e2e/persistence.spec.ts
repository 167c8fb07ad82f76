import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { AppPage, deleteCountedBox, releaseReport } from './app.po';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { testingImages, tiff12bit } from './data';
import { decodeImage } from '../scripts/evaluation/decode';

/** Counts `n` CBC Testing fields, sets a platelet estimate factor, and releases the report as sample `id`:
 * the report is left open, released. */
async function releaseWithEstimate(page: Page, n: number, id: string): Promise<AppPage> {
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.drop(testingImages(n));
  await app.waitReady();
  await page.getByTestId('estimates').locator('summary').click();
  await page.getByTestId('factor-Platelets').fill('15000');
  await page.getByTestId('export-report').click();
  await page.getByTestId('report-sample').fill(id);
  await page.getByTestId('report-verified-by').fill('C. Doe');
  await page.evaluate(() => (window.print = () => undefined)); // no print dialog in a test
  await releaseReport(page);
  return app;
}

/** Drops one field from the saved sample record, as a record saved by an earlier version lacked it: from
 * IndexedDB and from its synchronous copy in localStorage (services/samplePersist), which a restore reads
 * first. Run from a page of the app's origin that does not run the app (so that nothing saves over it). */
async function dropFromSavedSample(page: Page, where: 'lab' | 'sample', field: string) {
  await page.evaluate(
    ({ where, field }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('smearcount-sample');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('sample', 'readwrite');
          const st = tx.objectStore('sample');
          const get = st.get('current');
          get.onsuccess = () => {
            const v = get.result as Record<'lab' | 'sample', Record<string, unknown>>;
            delete v[where][field];
            st.put(v, 'current');
          };
          if (where === 'sample') {
            const copy = JSON.parse(localStorage.getItem('smearcount-sample-record') ?? '{}') as Record<string, unknown>;
            delete copy[field];
            localStorage.setItem('smearcount-sample-record', JSON.stringify(copy));
          }
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    { where, field },
  );
}

test.describe('the batch survives', () => {
  test('a reload right after "Ready", 10 times in a row', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    const files = testingImages(10);
    for (let i = 0; i < 10; i++) {
      await app.drop([files[i]]);
      await app.waitReady();
      // "Ready" promises a reload restores what is shown: reload at once, no waiting for a save.
      await page.reload();
      await expect.poll(async () => (await app.images()).length, { message: `after reload ${i + 1}` }).toBe(i + 1);
      await app.waitReady();
      const imgs = await app.images();
      expect(imgs.map((im) => im.status)).toEqual(Array(i + 1).fill('done'));
      expect(imgs.map((im) => im.name)).toEqual(files.slice(0, i + 1).map((f) => f.split('/').pop()));
    }
  });

  test('a threshold changed and a box deleted just before a reload are both there after it', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    await page.getByTestId('threshold-Platelets').fill('0.8');
    const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    const before = await app.counts();
    await deleteCountedBox(page);
    await expect.poll(async () => sum(await app.counts())).toBe(sum(before) - 1);
    const after = await app.counts();
    // at once: no wait for the save
    await page.reload();
    await expect.poll(async () => (await app.images()).length).toBe(1);
    await app.waitReady();
    await expect(page.getByTestId('threshold-value-Platelets')).toHaveText('0.8');
    expect(await app.counts()).toEqual(after);
  });

  test('the undo history survives a reload: an edit saved, and one made just before the reload, are undone and redone after it (first-use audit)', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const total = async () => Object.values(await app.counts()).reduce((a, b) => a + b, 0);
    const n = await total();
    const deleteOne = async () => {
      await page.keyboard.press(']');
      await expect.poll(() => page.evaluate(() => window.__smearcount.selectedId())).not.toBeNull();
      await page.keyboard.press('Delete');
    };
    const reload = async () => {
      await page.reload();
      await expect.poll(async () => (await app.images()).length).toBe(1);
      await app.waitReady();
    };
    await deleteOne();
    await expect.poll(total).toBe(n - 1);
    // committed: past the bounded write delay
    await page.waitForTimeout(1500);
    await reload();
    expect(await total()).toBe(n - 1);
    // Undo was off here, Ctrl+Z did nothing
    await expect(page.getByTestId('toolbar-undo')).toBeEnabled();
    await page.keyboard.press('Control+z');
    await expect.poll(total).toBe(n);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(total).toBe(n - 1);
    // and a deletion the page is reloaded right after (the journal's)
    await deleteOne();
    await expect.poll(total).toBe(n - 2);
    await reload();
    expect(await total()).toBe(n - 2);
    await page.keyboard.press('Control+z');
    await expect.poll(total).toBe(n - 1);
    await page.keyboard.press('Control+z');
    await expect.poll(total).toBe(n);
    await expect(page.getByTestId('toolbar-undo')).toBeDisabled();
  });

  test('a threshold and the count rule set just before a reload are kept, as an edit is (first-use audit: 0.8 came back as 0.475)', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const reload = async () => {
      await page.reload();
      await expect.poll(async () => (await app.images()).length).toBe(1);
      await app.waitReady();
      // the microscope profile (its count rule) is read after the batch
      await page.waitForTimeout(1000);
    };
    await page.getByTestId('threshold-RBC').fill('0.8');
    // at once: within the bounded write delay
    await reload();
    await expect(page.getByTestId('threshold-value-RBC')).toHaveText('0.8');
    // the magnification and the count rule are the microscope profile's too, read after the batch: set last
    await page.getByTestId('threshold-Platelets').fill('0.7');
    await page.getByTestId('scale-mode').selectOption(String(1 / 2));
    await page.getByTestId('count-rule').selectOption('interior');
    await reload();
    const shown = async () => [
      await page.getByTestId('threshold-value-RBC').textContent(),
      await page.getByTestId('threshold-value-Platelets').textContent(),
      await page.getByTestId('scale-mode').inputValue(),
      await page.getByTestId('count-rule').inputValue(),
    ];
    expect(await shown()).toEqual(['0.8', '0.7', '0.5', 'interior']);
  });

  test('settings changed while the saved batch is being restored are the ones kept: the technician set them last', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    // IndexedDB slow to answer (a large batch, a slow phone): the batch, the sample record and the microscope
    // profile come 1.5 s late
    await page.addInitScript(() => {
      for (const name of ['get', 'getAll'] as const) {
        const own = IDBObjectStore.prototype[name] as (...a: unknown[]) => IDBRequest;
        (IDBObjectStore.prototype as unknown as Record<string, unknown>)[name] = function (this: IDBObjectStore, ...args: unknown[]) {
          const req = own.apply(this, args);
          const late = { result: undefined as unknown, error: null as DOMException | null, onsuccess: null as ((e: Event) => void) | null, onerror: null as ((e: Event) => void) | null };
          req.onsuccess = (e) => setTimeout(() => ((late.result = req.result), late.onsuccess?.(e)), 1500);
          req.onerror = (e) => setTimeout(() => ((late.error = req.error), late.onerror?.(e)), 1500);
          return late;
        };
      }
    });
    await page.reload();
    // set while the restore reads: nothing of the batch is back yet
    await page.getByTestId('threshold-Platelets').fill('0.8');
    await page.getByTestId('count-rule').selectOption('interior');
    await page.getByTestId('scale-mode').selectOption(String(1 / 2));
    // and a smear estimate's factor, kept with the sample record
    await page.getByTestId('estimates').locator('summary').click();
    await page.getByTestId('factor-Platelets').fill('15000');
    expect(await app.images()).toEqual([]);
    await expect.poll(async () => (await app.images()).length, { timeout: 30_000 }).toBe(1);
    await app.waitReady();
    // the microscope profile (scale, count rule) is read last, 1.5 s after the batch
    await page.waitForTimeout(2500);
    const shown = async () => [
      await page.getByTestId('threshold-value-Platelets').textContent(),
      await page.getByTestId('count-rule').inputValue(),
      await page.getByTestId('scale-mode').inputValue(),
      await page.getByTestId('factor-Platelets').inputValue(),
    ];
    expect(await shown()).toEqual(['0.8', 'interior', '0.5', '15000']);
    // and saved as such
    await page.reload();
    await expect.poll(async () => (await app.images()).length, { timeout: 30_000 }).toBe(1);
    await app.waitReady();
    await page.waitForTimeout(2000);
    expect(await shown()).toEqual(['0.8', 'interior', '0.5', '15000']);
  });

  test('the files a batch refused come back with it after a reload, with the reason', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    await page.getByTestId('file-input').setInputFiles([{ name: 'broken.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a jpeg') }]);
    await expect(app.fileErrors()).toHaveCount(1);
    const reason = (await app.fileErrors().textContent())!;
    expect(reason).toContain('broken.jpg');
    await app.waitReady(); // "Ready": the notice is saved with the batch
    await page.reload();
    await expect.poll(async () => (await app.images()).length).toBe(1);
    await expect(app.fileErrors()).toHaveCount(1);
    await expect(app.fileErrors()).toHaveText(reason);
    // dismissed, it stays dismissed
    await app.fileErrors().getByRole('button', { name: 'Dismiss' }).click();
    await app.waitReady();
    await page.reload();
    await expect.poll(async () => (await app.images()).length).toBe(1);
    await app.waitReady();
    await expect(app.fileErrors()).toHaveCount(0);
  });

  test('a reload while a drop is still being read: every file comes back, or is named as not read with what to do', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    // a batch of one field, saved, then a drop of six more
    const fields = testingImages(7);
    await app.drop([fields[6]]);
    await app.waitReady();
    // a 16-bit TIFF is read (converted) on the page, the slowest file of a drop
    const tiff = tiff12bit(await decodeImage(fields[5]));
    const files = [
      ...fields.slice(0, 5).map((f) => ({ name: basename(f), mimeType: 'image/jpeg', buffer: readFileSync(f) })),
      { name: 'camera-16bit.tif', mimeType: 'image/tiff', buffer: tiff },
    ];
    await page.getByTestId('file-input').setInputFiles(files);
    // the drop is being read: reload at once (the audit's reload came 0.7 s after the drop; the last two of
    // eight files were lost and nothing named them)
    await page.waitForFunction(() => localStorage.getItem('smearcount.intake') !== null);
    await page.reload();
    await app.waitReady();
    await page.waitForTimeout(500); // the restore's own save
    await app.waitReady();
    const kept = (await app.images()).map((im) => im.name);
    const named = await app.fileErrors().allTextContents();
    const lost = files.map((f) => f.name).filter((n) => !kept.includes(n));
    // the TIFF at the end of the drop was not read before the reload
    expect(lost).toContain('camera-16bit.tif');
    for (const n of lost) expect(named.find((t) => t.includes(n)), n).toContain('reloaded or closed while this file was being read');
    // and the report names them among the files not counted
    await page.getByTestId('export-report').click();
    for (const n of lost) await expect(page.getByTestId('report-not-counted')).toContainText(n);
    await page.getByTestId('report-close').click();
    // named once: another reload neither loses the names nor repeats them
    await page.reload();
    await app.waitReady();
    await expect(app.fileErrors()).toHaveCount(lost.length);
    // dropped again, the file joins the batch and leaves the list of files not counted
    await page.getByTestId('file-input').setInputFiles(files.filter((f) => lost.includes(f.name)));
    await expect.poll(async () => (await app.images()).length).toBe(files.length + 1);
    await app.waitReady();
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-not-counted')).toHaveCount(0);
  });

  test('a crashed tab: the finished images come back, the rest are counted again', async ({ page, context }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm&threads=1');
    const files = testingImages(20);
    await app.drop(files);
    // What IndexedDB holds (committed transactions only), read beside the app. The crash comes once every
    // image of the batch is stored and at least two are stored counted, but not all: killed mid-batch.
    // (Waiting for the app's save to be idle instead never happened mid-batch on a quiet machine: with an
    // image finishing every ~100 ms a save was always pending, and all 20 were done first.)
    const committed = () =>
      page.evaluate(
        () =>
          new Promise<{ done: string[]; images: number; blobs: number } | null>((resolve) => {
            const r = indexedDB.open('smearcount');
            r.onerror = () => resolve(null);
            r.onsuccess = () => {
              const db = r.result;
              try {
                const tx = db.transaction(['images', 'blobs']);
                const all = tx.objectStore('images').getAll();
                const blobs = tx.objectStore('blobs').count();
                tx.oncomplete = () => {
                  db.close();
                  const ims = all.result as { name: string; status: string }[];
                  resolve({ done: ims.filter((i) => i.status === 'done').map((i) => i.name), images: ims.length, blobs: blobs.result });
                };
                tx.onerror = () => (db.close(), resolve(null));
              } catch {
                db.close();
                resolve(null); // not created yet
              }
            };
          }),
      );
    let doneAtCrash: string[] = [];
    await expect
      .poll(
        async () => {
          const c = await committed();
          if (c && c.images === files.length && c.blobs === files.length) doneAtCrash = c.done;
          return doneAtCrash.length >= 2 ? (doneAtCrash.length < files.length ? 'mid-batch' : 'all done before the crash') : 'waiting';
        },
        { timeout: 120_000, intervals: [20] },
      )
      .toBe('mid-batch');
    // A second tab on the same origin (a static file, not the app) keeps the browser context and its
    // IndexedDB alive while the first tab's renderer is killed: no pagehide, no unload, nothing more runs.
    const second = await context.newPage();
    await second.goto('/icon.svg');
    const crashed = new Promise((resolve) => page.once('crash', resolve));
    const cdp = await context.newCDPSession(page);
    void cdp.send('Page.crash').catch(() => undefined);
    await crashed;

    const again = new AppPage(second);
    await again.open('?backend=wasm');
    await expect.poll(async () => (await again.images()).length).toBe(files.length);
    const restored = await again.images();
    for (const name of doneAtCrash) expect(restored.find((i) => i.name === name)?.status, name).toBe('done');
    await again.waitReady();
    expect((await again.images()).every((i) => i.status === 'done')).toBe(true);
  });

  test('a released report with a smear estimate is the same report after a reload: its estimate, its release (audit 2026-12-05)', async ({ page }) => {
    const app = await releaseWithEstimate(page, 3, 'S-1');
    const state = (await page.getByTestId('report-state').textContent())!;
    const estimate = (await page.getByTestId('report-estimate-Platelets').textContent())!;
    expect(state).toContain('Released · verified by C. Doe');
    expect(estimate).toMatch(/^≈ /);
    await page.getByTestId('report-close').click();
    await app.waitReady();
    // before: the factor was not kept, so the report still said "Released" with its estimate gone ("not set")
    await page.reload();
    await expect.poll(async () => (await app.images()).length).toBe(3);
    await app.waitReady();
    await expect(page.getByTestId('factor-Platelets')).toHaveValue('15000');
    await page.getByTestId('export-report').click();
    await expect(page.getByTestId('report-state')).toHaveText(state);
    await expect(page.getByTestId('report-estimate-Platelets')).toHaveText(estimate);
  });
  test('a batch counted by an earlier model and restored after an update says which model made its figures (audit 2026-12-06)', async ({ page, context }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    await app.drop(testingImages(1));
    await app.waitReady();
    const [im] = await app.images();
    await page.close();
    // The saved image as an earlier build left it: counted and typed by models of other hashes. Edited from a
    // page of the same origin that does not run the app, so that nothing saves over it.
    const other = await context.newPage();
    await other.goto('/icon.svg');
    await other.evaluate(
      (id) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('smearcount');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('images', 'readwrite');
            const st = tx.objectStore('images');
            const get = st.get(id);
            get.onsuccess = () => {
              const v = get.result as { detector?: { name: string; sha256: string }; classifiers?: { name: string; sha256: string }[] };
              v.detector = { name: v.detector!.name, sha256: 'e'.repeat(64) };
              v.classifiers = v.classifiers!.map((c) => ({ name: c.name, sha256: 'f'.repeat(64) }));
              st.put(v, id);
            };
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
        }),
      im.id,
    );
    const again = new AppPage(other);
    await again.open('?backend=wasm');
    await expect.poll(async () => (await again.images()).length).toBe(1);
    await again.waitReady();
    await other.getByTestId('export-report').click();
    // before: the loaded models only, as if they had counted and typed the image
    await expect(other.getByTestId('report-meta')).toContainText(`1 of the images was counted by another detector model: smearcount-frcnn (sha256 ${'e'.repeat(16)}…)`);
    await expect(other.getByTestId('report-meta')).toContainText(`1 of the images holds WBC types from another classifier model: smearcount-wbc (sha256 ${'f'.repeat(16)}…)`);
    await other.getByTestId('report-close').click();
    const [csv] = await Promise.all([other.waitForEvent('download'), other.getByTestId('export-csv').click()]);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text).toContain(`1 image counted by smearcount-frcnn sha256:${'e'.repeat(64)}`);
    expect(text).toContain(`1 image typed by smearcount-wbc sha256:${'f'.repeat(64)}`);
  });

  /** Releases 2 fields as sample `id`, closes the page, drops `field` from the saved record (as an earlier
   * version saved it), and restores the batch in a new page, whose report it opens. */
  async function releaseThenRestoreWithout(page: Page, context: BrowserContext, id: string, where: 'lab' | 'sample', field: string): Promise<Page> {
    const app = await releaseWithEstimate(page, 2, id);
    await expect(page.getByTestId('report-state')).toContainText('Released');
    await page.getByTestId('report-close').click();
    await app.waitReady();
    await page.close();
    const other = await context.newPage();
    await other.goto('/icon.svg');
    await dropFromSavedSample(other, where, field);
    const again = new AppPage(other);
    await again.open('?backend=wasm');
    await expect.poll(async () => (await again.images()).length).toBe(2);
    await again.waitReady();
    await other.getByTestId('export-report').click();
    return other;
  }

  test('a release restored on other figures than it rests on is withdrawn at once, and says why', async ({ page, context }) => {
    // A saved record whose lab settings lack the factor (as every record did before the factors were kept):
    // the release was made on figures the restored batch no longer has.
    const other = await releaseThenRestoreWithout(page, context, 'S-2', 'lab', 'estimateFactors');
    // before: "Released · verified by C. Doe …" over an estimate that read "not set"
    await expect(other.getByTestId('report-state')).toContainText('WITHDRAWN');
    await expect(other.getByTestId('report-state')).toContainText('differs from the one released');
  });

  test('a release made by an earlier version, whose revision covered less, is withdrawn on restore and says so', async ({ page, context }) => {
    // the record as the app saved it before RELEASE_SCHEME (store/release): no scheme, so scheme 1, whose
    // revision left out review marks and refused files; the figures themselves are untouched
    const other = await releaseThenRestoreWithout(page, context, 'S-3', 'sample', 'releasedScheme');
    await expect(other.getByTestId('report-state')).toContainText('WITHDRAWN');
    await expect(other.getByTestId('report-state')).toContainText('released by an earlier version of the app');
    await expect(other.getByTestId('report-state')).not.toContainText('differs from the one released');
  });
});
