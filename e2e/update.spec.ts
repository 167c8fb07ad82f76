import { expect, test, type Browser, type Page } from '@playwright/test';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { AppPage, releaseReport } from './app.po';
import { testingImages } from './data';

const port = Number(process.env.PW_PORT ?? 4173) + 1;

/** The built app (dist/) and a next build made from it, as a rebuild makes one: every script chunk under a
 * new name (the importers' references, index.html and the service worker's precache list following) and
 * the app's version changed in the main chunk. Serving one, then the other, on one port is an update. */
function nextBuild(): string {
  const out = join(tmpdir(), `smearcount-next-${port}`);
  rmSync(out, { recursive: true, force: true });
  cpSync('dist', out, { recursive: true });
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const chunks = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3));
  const rename = (text: string) => chunks.reduce((t, c) => t.replaceAll(`${c}.js`, `${c}-next.js`), text);
  for (const c of chunks) {
    const code = rename(readFileSync(join(out, 'assets', `${c}.js`), 'utf8')).replace(new RegExp(`=\`${version.replaceAll('.', '\\.')}(\\+[0-9a-f]+)?\``), '=`9.9.9-next`');
    writeFileSync(join(out, 'assets', `${c}-next.js`), code);
    rmSync(join(out, 'assets', `${c}.js`));
  }
  const html = rename(readFileSync(join(out, 'index.html'), 'utf8'));
  writeFileSync(join(out, 'index.html'), html);
  const rev = createHash('md5').update(html).digest('hex');
  writeFileSync(join(out, 'sw.js'), rename(readFileSync(join(out, 'sw.js'), 'utf8')).replace(/\{url:"index.html",revision:"\w+"\}/, `{url:"index.html",revision:"${rev}"}`));
  return out;
}

const types: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.onnx': 'application/octet-stream',
};

/** A static server of one build folder at a time, with the headers the app is hosted with. */
async function serve(port: number) {
  let root = 'dist';
  const requests: string[] = [];
  /** Paths answered 404, as a file that failed to upload or a proxy that blocks a type. */
  const missing = new Set<string>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (missing.has(path)) {
      res.statusCode = 404;
      return res.end();
    }
    let file = normalize(join(root, path));
    if (!existsSync(file) || path === '/') file = join(root, 'index.html');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Type', types[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/`,
    deploy: (dir: string) => (root = dir),
    requests,
    missing,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Asks the browser to look for a new service worker now (it does so itself on navigations and daily). */
const checkForUpdate = (page: Page) => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());

/** The main chunk the page runs: the next build's ends in -next.js (a hash of Vite's may end in any letter: one build's main chunk ended in N). */
const running = (page: Page) => page.evaluate(() => document.querySelector('script[type=module]')?.getAttribute('src') ?? '');

/** A window of the app on the first build, ready and stored for offline use (its service worker installed). */
async function openStored(browser: Browser, url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const app = new AppPage(page);
  await page.goto(url + '?backend=wasm');
  await app.waitReady();
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 120_000 });
  return { context, page, app };
}

test.describe('an update deployed while the app is open (vite.config.ts, features/OfflineNotice)', () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  let next: string;
  test.beforeAll(async () => {
    next = nextBuild();
    srv = await serve(port);
  });
  test.afterAll(async () => {
    await srv.close();
    rmSync(next, { recursive: true, force: true });
  });
  test.beforeEach(() => {
    srv.deploy('dist');
    srv.missing.clear();
  });

  test("the window opened on the first visit reloads into the update when asked; the batch, its released report and the microscope profile's count rule come through", async ({ browser }) => {
    // audit 2026-12-06, update: a technician who installed the app and kept that window open all day pressed
    // the update's Reload and nothing happened: the notice stayed, the page ran the old version (the plugin
    // reloads only a page that a service worker controlled when it opened, which the first visit's is not)
    const { context, page, app } = await openStored(browser, srv.url);
    await page.getByTestId('count-rule').selectOption('top-left');
    await app.drop(testingImages(2));
    await app.waitReady();
    const counts = await app.counts('total');
    await page.getByTestId('export-report').click();
    await page.getByTestId('report-sample').fill('S-UPD-1');
    await page.getByTestId('report-verified-by').fill('C. Doe');
    await page.evaluate(() => (window.print = () => undefined));
    await releaseReport(page);
    await expect.poll(() => page.evaluate(() => window.__smearcount.sample().verifiedAt)).toBeTruthy();
    await page.keyboard.press('Escape');
    srv.deploy(next);
    await checkForUpdate(page);
    const update = page.getByTestId('update-available');
    await expect(update).toBeVisible({ timeout: 60_000 });
    await expect(update).toContainText('kept');
    await update.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => running(page), { timeout: 30_000 }).toMatch(/-next\.js$/);
    await app.waitReady();
    await expect(update).toBeHidden();
    expect(await app.counts('total')).toEqual(counts);
    const sample = await page.evaluate(() => window.__smearcount.sample());
    expect(sample.verifiedAt).toBeTruthy();
    await expect(page.getByTestId('count-rule')).toHaveValue('top-left');
    await context.close();
  });

  test('while a batch is being counted the update waits: Reload is offered once the count is done, and the batch is whole after it', async ({ browser }) => {
    // audit 2026-12-06, update: the update's Reload was offered, and applied, with 4 of 6 images being counted, and in a
    // window opened after the first visit a reload cuts the count short
    const { context, page, app } = await openStored(browser, srv.url);
    await page.reload(); // the second visit: a page the service worker controls
    await app.waitReady();
    await app.drop(testingImages(10));
    await page.waitForFunction(() => window.__smearcount.images().some((i) => i.status === 'running'), null, { timeout: 60_000, polling: 50 });
    srv.deploy(next);
    await checkForUpdate(page);
    const update = page.getByTestId('update-available');
    await expect(update).toBeVisible({ timeout: 60_000 });
    const reload = update.getByRole('button', { name: 'Reload' });
    // read at one instant: images still to count, and the button
    const now = await page.evaluate(() => ({
      counting: window.__smearcount.images().filter((i) => i.status === 'queued' || i.status === 'running').length,
      disabled: document.querySelector<HTMLButtonElement>('[data-testid=update-available] button')?.disabled,
      text: document.querySelector('[data-testid=update-available]')?.textContent,
    }));
    expect(now.counting).toBeGreaterThan(0);
    expect(now.disabled).toBe(true);
    expect(now.text).toContain('after this count');
    await app.waitReady();
    await expect(reload).toBeEnabled();
    expect(await running(page)).not.toMatch(/-next\.js$/);
    const counts = await app.counts('total');
    await reload.click();
    await expect.poll(() => running(page), { timeout: 30_000 }).toMatch(/-next\.js$/);
    await app.waitReady();
    expect((await app.images()).map((i) => i.status)).toEqual(Array(10).fill('done'));
    expect(await app.counts('total')).toEqual(counts);
    await context.close();
  });

  test('another window of the app is not reloaded under the technician: it says that a newer version is installed and reloads when asked', async ({ browser }) => {
    // audit 2026-12-06, update: Reload in one window reloaded every other window of the app at once, unasked
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(srv.url + '?backend=wasm');
    await new AppPage(first).waitReady();
    await expect(first.getByTestId('offline-ready')).toBeVisible({ timeout: 120_000 });
    const page = await context.newPage();
    const other = new AppPage(page);
    await page.goto(srv.url + '?backend=wasm');
    await other.waitReady();
    let loads = 0;
    page.on('load', () => loads++);
    srv.deploy(next);
    await checkForUpdate(first);
    await expect(first.getByTestId('update-available')).toBeVisible({ timeout: 60_000 });
    await first.getByTestId('update-available').getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => running(first), { timeout: 30_000 }).toMatch(/-next\.js$/);
    const update = page.getByTestId('update-available');
    await expect(update).toContainText('another window');
    expect(loads).toBe(0);
    expect(await running(page)).not.toMatch(/-next\.js$/);
    await update.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => running(page), { timeout: 30_000 }).toMatch(/-next\.js$/);
    await other.waitReady();
    // one window still owns the batch (services/windowLock.ts): the one that reloaded into the update kept it
    await expect(first.getByTestId('window-owner')).toHaveCount(0);
    await expect(page.getByTestId('window-owner')).toHaveAttribute('data-role', 'elsewhere');
    await context.close();
  });

  test("a service worker that fails to install is said: 'Not stored for offline use', never 'Works offline'", async ({ browser }) => {
    // audit 2026-12-06, offline: with one precached file answered 404 the service worker's install failed and
    // the page said nothing; the technician, told once that the app works offline, could not tell it did not
    const context = await browser.newContext();
    const page = await context.newPage();
    srv.missing.add('/icon-512.png');
    const app = new AppPage(page);
    await page.goto(srv.url + '?backend=wasm');
    await app.waitReady();
    await expect(page.getByTestId('offline-failed')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('offline-failed')).toHaveAttribute('title', /works while this device is online/);
    await expect(page.getByTestId('offline-ready')).toBeHidden();
    // online again, fixed: a reload installs it
    srv.missing.clear();
    await page.reload();
    await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('offline-failed')).toBeHidden();
    await context.close();
  });

  test("the app asks the browser to keep its storage (the saved batch, the profile), and says when it may not", async ({ browser }) => {
    // audit 2026-12-06, offline: navigator.storage.persist() was never called, so even the installed app's
    // saved batch stayed 'best effort', which the browser clears under storage pressure without a word
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const w = window as unknown as { persistAsked: number };
      w.persistAsked = 0;
      const own = navigator.storage.persist.bind(navigator.storage);
      navigator.storage.persist = () => {
        w.persistAsked++;
        return own();
      };
    });
    const page = await context.newPage();
    await page.goto(srv.url + '?backend=wasm');
    const ready = page.getByTestId('offline-ready');
    await expect(ready).toBeVisible({ timeout: 120_000 });
    await expect.poll(() => page.evaluate(() => (window as unknown as { persistAsked: number }).persistAsked)).toBeGreaterThan(0);
    const granted = await page.evaluate(() => navigator.storage.persisted());
    await expect(ready).toHaveAttribute('data-persisted', String(granted));
    if (!granted) await expect(ready).toHaveAttribute('title', /may clear the saved batch/);
    await context.close();
  });

  test('offline, a new window of the installed app starts, restores the batch and counts, the update notice on a phone keeps its Reload in sight', async ({ browser }) => {
    const { context, page, app } = await openStored(browser, srv.url);
    await app.drop(testingImages(1));
    await app.waitReady();
    await context.setOffline(true);
    const other = await context.newPage();
    const second = new AppPage(other);
    await other.goto(srv.url);
    // the batch is the first window's until this one takes it (services/windowLock.ts)
    await other.getByTestId('window-take').click();
    await expect(page.getByTestId('window-owner')).toHaveAttribute('data-role', 'taken');
    await second.waitReady();
    expect((await second.images()).map((i) => i.status)).toEqual(['done']);
    await second.drop(testingImages(2).slice(1));
    await second.waitReady();
    expect(await second.count('RBC')).toBeGreaterThan(5);
    await other.close();
    await context.setOffline(false);
    srv.deploy(next);
    await page.setViewportSize({ width: 390, height: 844 });
    await checkForUpdate(page);
    const button = page.getByTestId('update-available').getByRole('button', { name: 'Reload' });
    await expect(button).toBeVisible({ timeout: 60_000 });
    const box = (await button.boundingBox())!;
    const clip = (await page.getByTestId('update-available').boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(Math.min(390, clip.x + clip.width) + 0.5);
    await context.close();
  });
});
