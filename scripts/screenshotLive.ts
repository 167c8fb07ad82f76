/**
 * npm run screenshots:live: the README's picture of live mode on a phone (e2e/screenshots/live.png), from
 * the built app in headless Chromium whose fake camera plays drawn smears (scripts/syntheticSmear.ts)
 * through an eyepiece's black ring. No dataset image is used.
 */
import { chromium } from '@playwright/test';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './dataRoot';
import { buildFakeCamera, CAMERA, fakeCameraArgs, fieldTour } from './fakeCamera';
import { startPreview } from './preview';
import { syntheticSmear } from './syntheticSmear';

const PORT = Number(process.env.SHOTS_PORT ?? 4185);
const out = join(REPO_ROOT, 'e2e', 'screenshots');
mkdirSync(out, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'smearcount-shots-'));
const files = [1, 2, 3, 4].map((k) => {
  const f = join(tmp, `synthetic-smear-${k}.png`);
  writeFileSync(f, syntheticSmear(k * 7919));
  return f;
});
const video = await buildFakeCamera('shots-eyepiece', files, fieldTour(files.length), CAMERA, { eyepiece: true });
const { base, stop } = await startPreview(PORT);
try {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', ...fakeCameraArgs(video)] });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, hasTouch: true, isMobile: true, permissions: ['camera', 'screen-wake-lock'] });
  const page = await context.newPage();
  await page.goto(`${base}/?backend=wasm`);
  await page.waitForFunction(() => window.__smearcount?.model().status === 'ready', null, { timeout: 300_000 });
  await page.getByTestId('live-start').tap();
  // two fields captured and counted, the third one's boxes on screen
  await page.waitForFunction(() => {
    const l = window.__smearcount.live();
    return l.captured.length >= 2 && l.wbc >= 1 && l.boxes > 0 && (l.state === 'captured' || l.state === 'settling');
  }, null, { timeout: 300_000, polling: 100 });
  const l = await page.evaluate(() => window.__smearcount.live());
  await page.screenshot({ path: join(out, 'live.png') });
  console.log(`live: ${join(out, 'live.png')} (${l.captured.length} fields, ${l.wbc} WBC, ${l.boxes} boxes, field ${JSON.stringify(l.field)})`);
  await browser.close();
} finally {
  stop();
}
