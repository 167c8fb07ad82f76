import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AppPage } from './app.po';
import { testingImages } from './data';

// The installed app (vite.config.ts's manifest, index.html, services/launchFiles.ts). Audit 2026-12-06,
// install: the manifest had no id, no maskable icon (a launcher cut the cells off at the edges, or showed
// the icon small on a white plate), no icon for iOS's home screen, and the installed app could not open an
// image from the operating system.

type Icon = { src: string; sizes: string; type: string; purpose?: string };

/** The image's size and how far from its centre any pixel unlike the corner's (the background) lies, as a
 * fraction of its width. */
const drawn = (page: Page, src: string) =>
  page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const { data, width, height } = g.getImageData(0, 0, c.width, c.height);
    const bg = [data[0], data[1], data[2]];
    let reach = 0;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) > 24) reach = Math.max(reach, Math.hypot(x + 0.5 - width / 2, y + 0.5 - height / 2) / width);
      }
    return { width, height, bg, opaque: data[3] === 255, reach };
  }, src);

test('the web app manifest: its start is its identity, icons that fit every launcher (maskable in the safe zone), file handling, one theme colour', async ({ page }) => {
  await page.goto('/');
  const href = await page.locator('link[rel=manifest]').getAttribute('href');
  const url = new URL(href!, page.url());
  const res = await page.request.get(url.href);
  expect(res.ok()).toBe(true);
  const m = await res.json();
  const at = (u: string) => new URL(u, url).href;
  // no id: the start is the identity, at the host's root the same as the id '/' that the first installs had
  // (an id would resolve against the host's root, and an app served at a sub-path would take that: hosting.spec)
  expect(m.id).toBeUndefined();
  expect(at(m.start_url)).toBe(at('/'));
  expect(at(m.start_url).startsWith(at(m.scope))).toBe(true);
  expect(m.display).toBe('standalone');
  expect(m.theme_color).toBe(await page.locator('meta[name=theme-color]').getAttribute('content'));

  const icons = m.icons as Icon[];
  for (const icon of icons) {
    const r = await page.request.get(at(icon.src));
    expect(r.ok(), icon.src).toBe(true);
    expect(r.headers()['content-type'], icon.src).toContain(icon.type);
    if (icon.sizes === 'any') continue;
    const d = await drawn(page, at(icon.src));
    expect(`${d.width}x${d.height}`, icon.src).toBe(icon.sizes);
  }
  const maskable = icons.filter((i) => i.purpose?.split(' ').includes('maskable'));
  expect(maskable.map((i) => i.sizes).sort()).toEqual(['192x192', '512x512']);
  for (const icon of maskable) {
    const d = await drawn(page, at(icon.src));
    // full-bleed and opaque, the cells inside the safe zone (a circle of 40% of the size)
    expect(d.opaque, icon.src).toBe(true);
    expect(d.bg, icon.src).toEqual([0x1b, 0x1f, 0x24]);
    expect(d.reach, icon.src).toBeGreaterThan(0.2);
    expect(d.reach, icon.src).toBeLessThan(0.4);
  }
  const apple = await page.locator('link[rel=apple-touch-icon]').getAttribute('href');
  const a = await drawn(page, at(new URL(apple!, page.url()).href));
  expect([a.width, a.height, a.opaque]).toEqual([180, 180, true]);

  // "Open with Smearcount" for the images the app counts, into the open window (which owns the batch)
  const accept = m.file_handlers[0].accept as Record<string, string[]>;
  expect(accept['image/jpeg']).toEqual(expect.arrayContaining(['.jpg', '.jpeg']));
  expect(Object.keys(accept)).toEqual(expect.arrayContaining(['image/png', 'image/tiff']));
  expect(at(m.file_handlers[0].action).startsWith(at(m.scope))).toBe(true);
  expect(m.launch_handler.client_mode[0]).toBe('focus-existing');
});

test.describe('images opened from the operating system (launchQueue)', () => {
  test.beforeEach(async ({ context }) => {
    // the browser's launchQueue, as an installed app opened with files has it: the test hands the files
    await context.addInitScript(() => {
      const w = window as unknown as { launchConsumer?: (p: unknown) => unknown };
      Object.defineProperty(window, 'launchQueue', { configurable: true, value: { setConsumer: (c: (p: unknown) => unknown) => (w.launchConsumer = c) } });
    });
  });

  /** Launches the page with the image files, as the operating system's "Open with" does. */
  const launch = (page: Page, paths: string[]) =>
    page.evaluate(
      (files) => {
        const w = window as unknown as { launchConsumer: (p: unknown) => unknown };
        void w.launchConsumer({
          files: files.map((f) => ({ kind: 'file', name: f.name, getFile: async () => new File([Uint8Array.from(atob(f.b64), (ch) => ch.charCodeAt(0))], f.name, { type: 'image/jpeg' }) })),
        });
      },
      paths.map((p) => ({ name: basename(p), b64: readFileSync(p).toString('base64') })),
    );

  test('the installed app counts the images it is opened with; a window without the batch adds them once it has it', async ({ context }) => {
    const page = await context.newPage();
    const app = new AppPage(page);
    await app.open('?backend=wasm');
    const [one, two] = testingImages(2);
    await launch(page, [one]);
    await expect.poll(async () => (await app.images()).map((i) => i.name)).toEqual([basename(one)]);
    await app.waitReady();
    expect((await app.images())[0].status).toBe('done');

    const other = await context.newPage();
    const second = new AppPage(other);
    await second.open('?backend=wasm');
    await expect(other.getByTestId('window-owner')).toHaveAttribute('data-role', 'elsewhere');
    await launch(other, [two]);
    await expect(other.getByTestId('notice-batch')).toContainText('once this window has the batch');
    expect(await second.images()).toEqual([]);
    await other.getByTestId('window-take').click();
    await expect.poll(async () => (await second.images()).map((i) => i.name)).toEqual([basename(one), basename(two)]);
    await second.waitReady();
    expect((await second.images()).map((i) => i.status)).toEqual(['done', 'done']);
  });
});
