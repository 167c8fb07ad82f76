import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { copyFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AppPage, deleteCountedBox } from './app.po';
import { testingImages } from './data';
import { GRACE_MS } from '../src/services/windowLock';

// One window of the app owns the batch (services/windowLock.ts). Audit 2026-12-06, two windows: both
// windows could count and save, each as *the* batch of this browser, so the last save replaced the other
// window's work; they were only warned.

const role = (page: Page) => page.getByTestId('window-owner');

async function openApp(context: BrowserContext) {
  const page = await context.newPage();
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  return { page, app };
}

/** Per image: name, status and the boxes it counts, as the window shows them. */
const batchOf = async (app: AppPage) => (await app.images()).map((i) => `${i.name} ${i.status} ${i.count}`);

test.describe('two windows of the app on one batch', () => {
  test('the second window says the batch is open elsewhere; taking it over saves the first window’s work, which turns read-only', async ({ browser }) => {
    const context = await browser.newContext();
    const first = await openApp(context);
    await first.app.drop(testingImages(2));
    await first.app.waitReady();
    await expect(role(first.page)).toHaveCount(0);

    const second = await openApp(context);
    await expect(role(second.page)).toHaveAttribute('data-role', 'elsewhere');
    await expect(role(second.page)).toContainText('open in another window');
    // nothing restored, nothing counted here while the other window works on the batch
    expect(await second.app.images()).toEqual([]);
    await second.app.drop(testingImages(3).slice(2));
    await expect(second.page.getByTestId('notice-save')).toContainText('these files were not added');
    expect(await second.app.images()).toEqual([]);

    // an edit in the first window, then at once the takeover: the edit is handed over, not lost
    const { selected } = await deleteCountedBox(first.page);
    await second.page.getByTestId('window-take').click();
    await expect(role(first.page)).toHaveAttribute('data-role', 'taken');
    await expect(role(first.page)).toContainText('read-only');
    await expect(role(second.page)).toHaveCount(0);
    await second.app.waitReady();
    const handed = await batchOf(first.app);
    expect(await batchOf(second.app)).toEqual(handed);
    expect((await second.app.current())!.detections.some((d) => d.id === selected)).toBe(false);

    // the read-only window takes no edit and no file, by key or drop
    await first.page.keyboard.press('Control+z');
    expect(await batchOf(first.app)).toEqual(handed);
    await first.app.drop(testingImages(3).slice(2));
    await expect(first.page.getByTestId('notice-save')).toContainText('these files were not added');
    expect(await batchOf(first.app)).toEqual(handed);

    // work goes on in the second window; the first, asked, reloads and claims the batch as saved now
    await second.app.drop(testingImages(3).slice(2));
    await second.app.waitReady();
    const now = await batchOf(second.app);
    expect(now).toHaveLength(3);
    await first.page.getByTestId('window-take').click();
    await expect(role(second.page)).toHaveAttribute('data-role', 'taken', { timeout: 30_000 });
    await expect(role(first.page)).toHaveCount(0);
    await first.app.waitReady();
    expect(await batchOf(first.app)).toEqual(now);
    await context.close();
  });

  test('taken over mid-batch, a drop still being read and images being counted: the new owner counts every image, none lost', async ({ browser }) => {
    const context = await browser.newContext();
    const first = await openApp(context);
    await first.app.waitReady();
    const second = await openApp(context);
    await expect(role(second.page)).toHaveAttribute('data-role', 'elsewhere');
    const files = testingImages(8);
    await first.app.drop(files);
    await expect.poll(() => first.page.evaluate(() => window.__smearcount.images().length), { intervals: [20] }).toBeGreaterThan(0);
    await second.page.getByTestId('window-take').click();
    await expect(role(first.page)).toHaveAttribute('data-role', 'taken');
    await expect(role(second.page)).toHaveCount(0);
    await second.app.waitReady(300_000);
    const names = files.map((f) => basename(f)).sort();
    expect((await second.app.images()).map((i) => i.name).sort()).toEqual(names);
    expect((await second.app.images()).filter((i) => i.status !== 'done')).toEqual([]);
    // and that is what is saved: a reload of the new owner restores all of it
    await second.page.reload();
    await second.app.waitReady();
    expect((await second.app.images()).map((i) => `${i.name} ${i.status}`).sort()).toEqual(names.map((n) => `${n} done`));
    await context.close();
  });

  test('the batch passes to a waiting window when the owner closes, not when it reloads', async ({ browser }) => {
    const context = await browser.newContext();
    const first = await openApp(context);
    await first.app.drop(testingImages(1));
    await first.app.waitReady();
    const batch = await batchOf(first.app);
    const second = await openApp(context);
    await expect(role(second.page)).toHaveAttribute('data-role', 'elsewhere');

    // a reload of the owner keeps the batch in that window (its lock is free while it reloads)
    await first.page.reload();
    await first.app.waitReady();
    await second.page.waitForTimeout(GRACE_MS + 1000);
    await expect(role(first.page)).toHaveCount(0);
    expect(await batchOf(first.app)).toEqual(batch);
    await expect(role(second.page)).toHaveAttribute('data-role', 'elsewhere');
    expect(await second.app.images()).toEqual([]);

    await first.page.close();
    await expect(role(second.page)).toHaveCount(0);
    await second.app.waitReady();
    expect(await batchOf(second.app)).toEqual(batch);
    await context.close();
  });

  test('a file dropped while the window restores the batch joins it (the restore replaced the images dropped meanwhile)', async ({ browser }) => {
    const context = await browser.newContext();
    const first = await openApp(context);
    const [one, two] = testingImages(2);
    await first.app.drop([one]);
    await first.app.waitReady();
    // IndexedDB slow to read the stored batch (a large batch, a slow phone): its answers come 2 s late
    await first.page.addInitScript(() => {
      const own = IDBObjectStore.prototype.getAll;
      IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['getAll']>) {
        const req = own.apply(this, args);
        const late = { result: undefined as unknown, error: null as DOMException | null, onsuccess: null as ((e: Event) => void) | null, onerror: null as ((e: Event) => void) | null };
        req.onsuccess = (e) => setTimeout(() => ((late.result = req.result), late.onsuccess?.(e)), 2000);
        req.onerror = (e) => setTimeout(() => ((late.error = req.error), late.onerror?.(e)), 2000);
        return late as unknown as IDBRequest<unknown[]>;
      };
    });
    await first.page.reload();
    await first.app.drop([two]);
    await first.app.waitReady();
    await first.page.waitForTimeout(2500);
    await first.app.waitReady();
    expect((await first.app.images()).map((i) => `${i.name} ${i.status}`).sort()).toEqual([`${basename(one)} done`, `${basename(two)} done`]);
    await context.close();
  });

  test('the report open at the takeover, a release being made: the window that let go closes it, so that nothing is released there unsaved', async ({ browser }) => {
    const context = await browser.newContext();
    const first = await openApp(context);
    await first.app.drop(testingImages(1));
    await first.app.waitReady();
    const second = await openApp(context);
    await expect(role(second.page)).toHaveAttribute('data-role', 'elsewhere');
    await first.page.getByTestId('export-report').click();
    await first.page.getByTestId('report-sample').fill('S-42');
    await first.page.getByTestId('report-verified-by').fill('C. Doe');
    await first.page.evaluate(() => (window.print = () => undefined));
    await second.page.getByTestId('window-take').click();
    await expect(role(first.page)).toHaveAttribute('data-role', 'taken');
    // the read-only window's report (its Release button, its fields) is gone: released there, nothing was saved
    await expect(first.page.getByTestId('report-print')).toHaveCount(0);
    await second.app.waitReady();
    // what was typed before the takeover went with the batch, and the new owner releases it
    await second.page.getByTestId('export-report').click();
    await expect(second.page.getByTestId('report-sample')).toHaveValue('S-42');
    await context.close();
  });

  test('a window opened while the owner was still reading a drop, given the batch later, names no file of that drop as lost', async ({ browser }) => {
    const context = await browser.newContext();
    const first = await openApp(context);
    await first.app.waitReady();
    // each file's hash takes 1.5 s (a slow phone): the drop is still being read when the second window opens
    await first.page.evaluate(() => {
      const own = crypto.subtle.digest.bind(crypto.subtle);
      crypto.subtle.digest = (...a: Parameters<SubtleCrypto['digest']>) => new Promise((r) => setTimeout(r, 1500)).then(() => own(...a));
    });
    // a copy of a field under another name: a duplicate, said as such, counted once
    const [a, b] = testingImages(2);
    const copy = test.info().outputPath('copy-of-first.jpg');
    copyFileSync(a, copy);
    await first.app.drop([a, b, copy]);
    const second = await openApp(context);
    await expect(role(second.page)).toHaveAttribute('data-role', 'elsewhere');
    // the drop still on the intake journal (services/intakeJournal) as the second window started
    expect(await second.page.evaluate(() => localStorage.getItem('smearcount.intake'))).toContain('copy-of-first.jpg');
    await first.app.waitReady();
    await first.page.waitForTimeout(500);
    await first.page.close();
    await expect(role(second.page)).toHaveCount(0);
    await second.app.waitReady();
    expect((await second.app.images()).map((i) => i.name).sort()).toEqual([basename(a), basename(b)].sort());
    // nothing named as a file the page that went never took in (the copy was: 'interrupted … drop it again')
    await expect(second.app.fileErrors()).toHaveCount(0);
    await context.close();
  });

  test('the owner closed mid-drop: the window that gets the batch holds every file read, and names each one not read, with what to do', async ({ browser }) => {
    const context = await browser.newContext();
    const first = await openApp(context);
    await first.app.waitReady();
    const second = await openApp(context);
    await expect(role(second.page)).toHaveAttribute('data-role', 'elsewhere');
    // each file's hash takes 1.5 s (a slow phone)
    await first.page.evaluate(() => {
      const own = crypto.subtle.digest.bind(crypto.subtle);
      crypto.subtle.digest = (...a: Parameters<SubtleCrypto['digest']>) => new Promise((r) => setTimeout(r, 1500)).then(() => own(...a));
    });
    const files = testingImages(4);
    await first.app.drop(files);
    await expect.poll(() => first.page.evaluate(() => window.__smearcount.images().length), { intervals: [20] }).toBeGreaterThan(0);
    await first.page.close();
    await expect(role(second.page)).toHaveCount(0);
    await second.app.waitReady();
    const kept = (await second.app.images()).map((i) => i.name);
    const names = files.map((f) => basename(f));
    // each file either in the batch (counted) or named as not in it, with what to do; none said to be lost to a
    // full storage alone (a picture read but not yet written was: "not saved … (the storage was full)")
    const named = await second.app.fileErrors().allTextContents();
    for (const n of names) expect(kept.includes(n) || named.some((t) => t.includes(n) && /drop (it|the same file) again/.test(t))).toBe(true);
    for (const t of named) expect(t).not.toMatch(/\(the storage was full\)/);
    expect((await second.app.images()).filter((i) => i.status !== 'done')).toEqual([]);
    await context.close();
  });

  test('a browser without Web Locks: each window works, and each says that the other saves over the same batch', async ({ browser }) => {
    const context = await browser.newContext();
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'locks', { configurable: true, get: () => undefined }));
    const first = await openApp(context);
    await first.app.waitReady();
    const second = await openApp(context);
    await second.app.waitReady();
    for (const page of [first.page, second.page]) {
      await expect(page.getByTestId('notice-save')).toContainText('open in another window');
      await expect(role(page)).toHaveCount(0);
    }
    await context.close();
  });
});
