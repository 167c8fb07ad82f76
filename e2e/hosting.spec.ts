import { expect, test } from '@playwright/test';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { AppPage } from './app.po';
import { testingImages } from './data';

// Audit 2026-12-08, sub-path: a lab's IT serves the app at https://intranet.example/smearcount/, not at a host
// of its own. The build's index.html pointed at /assets/…, /icon.svg and /manifest.webmanifest, so the page
// there was blank. vite.config.ts's base is now relative: one dist/ works at any path.

const port = Number(process.env.PW_PORT ?? 4173) + 2;
const prefix = '/smearcount/';

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

/** dist/ at /smearcount/ as a plain static server has it (with README's headers): nothing outside it. */
async function serveAtSubPath() {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = path.startsWith(prefix) ? normalize(join('dist', path.slice(prefix.length) || 'index.html')) : '';
    if (!file.startsWith('dist') || !existsSync(file) || statSync(file).isDirectory()) {
      res.statusCode = 404;
      return res.end();
    }
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Type', types[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('served at a sub-path (/smearcount/), the app starts, counts, installs its service worker there and works offline', async ({ browser }) => {
  const srv = await serveAtSubPath();
  const context = await browser.newContext();
  try {
    const url = `${srv.origin}${prefix}`;
    const seen: string[] = [];
    context.on('request', (r) => seen.push(r.url()));
    const page = await context.newPage();
    const app = new AppPage(page);
    await page.goto(`${url}?backend=wasm`, { waitUntil: 'load' });
    // the page's own files: a build that points at /assets/… asked for them outside the sub-path (blank page)
    expect(srv.requests.filter((p) => !p.startsWith(prefix))).toEqual([]);
    await expect(app.status).toHaveAttribute('data-state', /loading|ready/);
    // stored for offline use: shell, runtime and models precached from the sub-path
    await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 120_000 });

    // the installed app's identity, start and scope lie under the sub-path, not at the host's root
    const manifestUrl = new URL((await page.locator('link[rel=manifest]').getAttribute('href'))!, url);
    const m = await (await page.request.get(manifestUrl.href)).json();
    const start = new URL(m.start_url, manifestUrl).href;
    expect(start).toBe(url);
    expect(new URL(m.scope, manifestUrl).href).toBe(url);
    // the manifest's id, resolved against the start's origin (no id: the start is the identity)
    expect(m.id === undefined ? start : new URL(m.id, new URL(start).origin).href).toBe(url);

    // offline, the reloaded page is the service worker's, whose scope is the sub-path; it starts and counts
    await context.setOffline(true);
    await page.reload();
    await app.waitReady();
    const sw = await page.evaluate(async () => ({
      controller: navigator.serviceWorker.controller?.scriptURL,
      scope: (await navigator.serviceWorker.getRegistration())?.scope,
    }));
    expect(sw).toEqual({ controller: `${url}sw.js`, scope: url });
    await app.drop(testingImages(1));
    await app.waitReady();
    expect(await app.count('RBC')).toBeGreaterThan(5);
    await context.setOffline(false);

    expect(seen.filter((u) => !/^(blob|data):/.test(u) && !u.startsWith(url))).toEqual([]);
    expect(srv.requests.filter((p) => !p.startsWith(prefix))).toEqual([]);
  } finally {
    await context.close();
    await srv.close();
  }
});
