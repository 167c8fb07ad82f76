import { expect, test } from '@playwright/test';
import { AppPage } from './app.po';
import { testingImages } from './data';

/** Counts of the first image, with the app's detector loaded as it is (pre-optimised or not). */
async function countOne(app: AppPage, query: string) {
  await app.open(query);
  await app.drop(testingImages(1));
  await app.waitReady();
  const model = await app.page.evaluate(() => window.__smearcount.model());
  const counts = await app.counts();
  return { model, counts };
}

test.describe('start-up with the pre-optimised models', () => {
  test('the detector loads from its pre-optimised copy and counts as the original does', async ({ page, browser }) => {
    const opt = await countOne(new AppPage(page), '?backend=wasm&threads=1');
    expect(opt.model.optimized).toBe(true);
    const other = await browser.newPage();
    const orig = await countOne(new AppPage(other), '?backend=wasm&threads=1&optimized=off');
    expect(orig.model.optimized).toBe(false);
    expect(opt.counts).toEqual(orig.counts);
    await other.close();
  });
  test('a damaged pre-optimised copy is not fatal: the original model loads and counts', async ({ page }) => {
    await page.route(/\.opt\.onnx$/, async (route) => {
      const res = await route.fetch();
      const body = Buffer.from(await res.body());
      body[body.length - 100] ^= 0xff;
      await route.fulfill({ response: res, body });
    });
    const { model, counts } = await countOne(new AppPage(page), '?backend=wasm&threads=1');
    expect(model.status).toBe('ready');
    expect(model.optimized).toBe(false);
    expect(model.classifier).toBe(true);
    expect(counts.RBC).toBeGreaterThan(5);
    // a copy still being fetched when the test ends (the service worker's, or the classifier's copy fetched again
    // after its check failed) is disposed with the page, and reading its body threw in the handler: the CI of
    // 2026-12-07 failed this test after its assertions, on "apiResponse.body: Response has been disposed"
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  });
});

test.describe("the first visit leaves the compiled runtime for the next (services/runtimeCache.ts)", () => {
  const state = (app: AppPage) => app.page.evaluate(() => window.__smearcount.runtimeCache());

  test('it runs once the service worker is ready and the app idle, and not on the next visit', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm&threads=1');
    await app.waitReady();
    await expect.poll(() => state(app), { timeout: 120_000 }).toBe('done');
    await page.reload();
    await app.waitReady();
    expect(await state(app)).toBe('skipped');
  });

  test('a batch started meanwhile stops it, and counts as usual', async ({ page }) => {
    const app = new AppPage(page);
    await app.open('?backend=wasm&threads=1');
    await app.waitReady();
    await expect.poll(() => state(app), { timeout: 120_000, intervals: [50] }).toBe('running');
    await app.drop(testingImages(1));
    await app.waitReady();
    expect(await state(app)).toBe('stopped');
    expect(await app.count('RBC')).toBeGreaterThan(5);
  });
});
