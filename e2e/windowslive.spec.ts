/**
 * Two windows of the app, one of them in live mode (services/windowLock.ts, services/live.ts): a field being
 * captured when another window takes the batch over. Both windows are pages of one browser whose fake camera
 * (scripts/fakeCamera) holds one field still, then goes dark, looped.
 */
import { chromium, expect, test as base, type Browser, type Page } from '@playwright/test';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { AppPage } from './app.po';
import { testingImages } from './data';
import { buildFakeCamera, fakeCameraArgs, type Step } from '../scripts/fakeCamera';
import config from '../playwright.config';

const baseArgs = config.use?.launchOptions?.args ?? [];
const videoPath = (name: string) => join(tmpdir(), 'smearcount-fake-camera', `${name}.y4m`);
const role = (page: Page) => page.getByTestId('window-owner');

const test = base.extend<{ browserWithCamera: (name: string) => Promise<Browser> }>({
  // eslint-disable-next-line no-empty-pattern
  browserWithCamera: async ({}, use) => {
    const browsers: Browser[] = [];
    await use(async (name) => {
      const b = await chromium.launch({ ...config.use?.launchOptions, args: [...baseArgs, ...fakeCameraArgs(videoPath(name))] });
      browsers.push(b);
      return b;
    });
    for (const b of browsers) await b.close();
  },
});

const steps: Step[] = [{ hold: 4, field: 0 }, { dark: 3 }];

test.describe('live mode in the window whose batch another window takes over', () => {
  test.beforeAll(async () => {
    await buildFakeCamera('takeover', testingImages(1), steps);
  });

  test('the field being encoded as the other window asks is saved into the batch the other window gets', async ({ browserWithCamera }) => {
    test.setTimeout(300_000);
    const browser = await browserWithCamera('takeover');
    const context = await browser.newContext({ baseURL: config.use?.baseURL, viewport: config.use?.viewport, permissions: ['camera', 'screen-wake-lock'] });
    const first = new AppPage(await context.newPage());
    await first.open('?backend=wasm');
    await first.waitReady();
    const second = new AppPage(await context.newPage());
    await second.open('?backend=wasm');
    await expect(role(second.page)).toHaveAttribute('data-role', 'elsewhere');
    // the capture's JPEG takes 3 s to encode (a slow phone): the takeover comes while it is encoded
    await first.page.evaluate(() => {
      const own = HTMLCanvasElement.prototype.toBlob;
      HTMLCanvasElement.prototype.toBlob = function (this: HTMLCanvasElement, cb: BlobCallback, ...rest: [string?, number?]) {
        own.call(this, (b) => setTimeout(() => cb(b), 3000), ...rest);
      };
    });
    await first.page.getByTestId('live-start').click();
    await first.page.waitForFunction(() => window.__smearcount.live().pending > 0, null, { timeout: 60_000, polling: 20 });
    await second.page.getByTestId('window-take').click();
    await expect(role(first.page)).toHaveAttribute('data-role', 'taken', { timeout: 30_000 });
    await expect(role(second.page)).toHaveCount(0);
    await second.waitReady(300_000);
    expect((await second.images()).map((i) => `${i.name} ${i.status}`)).toEqual(['live-0001.jpg done']);
    // the window that let go says nothing of a field refused
    await expect(first.page.getByTestId('notice-save')).toHaveCount(0);
    await context.close();
  });
});
