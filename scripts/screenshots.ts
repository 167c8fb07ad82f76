/**
 * npm run screenshots: the README's pictures of the desktop and phone layouts and the WBC gallery, taken from the built app
 * in headless Chromium (written to e2e/screenshots/). The smear shown is drawn here, procedurally: no
 * dataset image (or picture of one) is ever committed.
 */
import { chromium } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './dataRoot';
import { startPreview } from './preview';
import { syntheticSmear } from './syntheticSmear';

// SHOTS_PORT lets two checkouts take their pictures at the same time.
const PORT = Number(process.env.SHOTS_PORT ?? 4184);
const out = join(REPO_ROOT, 'e2e', 'screenshots');
mkdirSync(out, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'smearcount-shots-'));
const files = [1, 2, 3].map((k) => {
  const f = join(tmp, `synthetic-smear-${k}.png`);
  writeFileSync(f, syntheticSmear(k * 7919));
  return f;
});
if (!existsSync(join(REPO_ROOT, 'dist', 'index.html'))) throw new Error('build first: npm run build');
const { base: BASE, stop } = await startPreview(PORT);
try {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  // The phone is a touch screen: its picture shows the touch controls and hints.
  for (const [name, width, height, touch] of [['desktop', 1440, 900, false], ['phone', 390, 844, true]] as const) {
    const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1, hasTouch: touch, isMobile: touch });
    await page.goto(`${BASE}/?backend=wasm`);
    await page.getByTestId('file-input').setInputFiles(files);
    await page.waitForFunction((n) => {
      const h = window.__smearcount as Window['__smearcount'] | undefined;
      return !!h && h.idle() && h.images().length === n;
    }, files.length, { timeout: 120_000 });
    if (touch) {
      // Tap the white cell's box so the picture shows the review row's touch controls.
      const target = await page.evaluate(() => {
        const h = window.__smearcount;
        const d = h.current()?.detections.find((x) => x.cls === 'WBC') ?? h.current()?.detections[0];
        const v = h.view();
        return d ? { x: v.x + d.box.x1 * v.scale + 2, y: v.y + ((d.box.y1 + d.box.y2) / 2) * v.scale } : null;
      });
      const c = await page.getByTestId('canvas').locator('canvas').first().boundingBox();
      if (target && c) await page.touchscreen.tap(c.x + target.x, c.y + target.y);
    }
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`${name}: ${join(out, `${name}.png`)}`);
    if (!touch) {
      // The WBC gallery: every typed white cell of the batch, grouped by type, for verification.
      await page.getByTestId('open-gallery').click();
      await page.getByTestId('wbc-tile').first().waitFor();
      await page.getByTestId('wbc-tile').first().click();
      // every tile's crop drawn (they are made lazily, off the main thread)
      await page.waitForFunction(() => !document.querySelector('[data-testid=wbc-tile] .tile-placeholder'), null, { timeout: 60_000 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(out, 'gallery.png') });
      console.log(`gallery: ${join(out, 'gallery.png')}`);
    }
    await page.close();
  }
  await browser.close();
} finally {
  stop();
}
