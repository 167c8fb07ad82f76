/**
 * Switching cameras in live mode: a phone's other lenses, or a microscope's USB camera beside a laptop's own. Chromium's
 * fake devices (no file: its own moving test picture, which is no smear, so nothing is captured), two of them or one.
 */
import AxeBuilder from '@axe-core/playwright';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { AppPage } from './app.po';
import config from '../playwright.config';

const baseArgs = config.use?.launchOptions?.args ?? [];
let browser: Browser;

async function phone(devices: number): Promise<Page> {
  browser = await chromium.launch({ ...config.use?.launchOptions, args: [...baseArgs, `--use-fake-device-for-media-stream=device-count=${devices}`, '--use-fake-ui-for-media-stream'] });
  const context = await browser.newContext({ baseURL: config.use?.baseURL, viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, permissions: ['camera', 'screen-wake-lock'] });
  return context.newPage();
}

test.afterEach(async () => {
  await browser?.close();
});

/** The label of the camera the live view plays. */
const playing = (page: Page) =>
  page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="live-view"] video');
    return (v?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.label ?? null;
  });

async function startLive(app: AppPage) {
  await app.page.getByTestId('live-start').tap();
  await expect(app.page.getByTestId('live-view')).toBeVisible();
  await app.page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
}

test('two cameras: Switch camera plays the other one, the run going on; the choice is kept for the next Live', async () => {
  test.setTimeout(180_000);
  const page = await phone(2);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  await startLive(app);
  expect(await playing(page)).toBe('fake_device_0');
  await expect(page.getByTestId('live-switch')).toHaveAccessibleName('Switch camera');
  const axe = await new AxeBuilder({ page }).include('[data-testid="live-view"]').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
  // before: no way to the other camera from the app (a computer gave its built-in one, the microscope's out of reach)
  const tracks = await page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('[data-testid="live-view"] video')!;
    (window as unknown as { first: MediaStream }).first = v.srcObject as MediaStream;
    return (v.srcObject as MediaStream).getVideoTracks().length;
  });
  expect(tracks).toBe(1);
  await page.getByTestId('live-switch').tap();
  await page.waitForFunction(() => window.__smearcount.live().phase === 'running', null, { timeout: 30_000 });
  await expect.poll(() => playing(page)).toBe('fake_device_1');
  // the first camera is let go, and the new one is judged
  expect(await page.evaluate(() => (window as unknown as { first: MediaStream }).first.getVideoTracks().every((t) => t.readyState === 'ended'))).toBe(true);
  const before = (await page.evaluate(() => window.__smearcount.live())).frames;
  await page.waitForTimeout(1500);
  expect((await page.evaluate(() => window.__smearcount.live())).frames).toBeGreaterThan(before + 5);
  await expect(page.getByTestId('live-view')).toBeVisible();
  // Stop, then Live: the camera chosen
  await page.getByTestId('live-stop').tap();
  await expect(page.getByTestId('live-view')).toHaveCount(0);
  await startLive(app);
  expect(await playing(page)).toBe('fake_device_1');
  // and round again to the first
  await page.getByTestId('live-switch').tap();
  await expect.poll(() => playing(page)).toBe('fake_device_0');
});

test('one camera: no Switch camera', async () => {
  test.setTimeout(120_000);
  const page = await phone(1);
  const app = new AppPage(page);
  await app.open('?backend=wasm');
  await app.waitReady();
  await startLive(app);
  await page.waitForTimeout(1000);
  expect(await playing(page)).toBe('fake_device_0');
  await expect(page.getByTestId('live-switch')).toHaveCount(0);
});
