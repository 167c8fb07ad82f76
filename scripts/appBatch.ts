/** The built app driven as a technician drives it, for the bench and the batch trace. */
import type { Page } from '@playwright/test';

const READY = () => document.querySelector('[data-testid=status]')?.getAttribute('data-state') === 'ready';

/** Waits until the status says ready (the model loaded, nothing queued). */
export async function waitAppReady(page: Page): Promise<void> {
  await page.waitForFunction(READY, null, { timeout: 300_000 });
}

/** Drops the files and waits until every one is counted and the status is ready again; the wall ms. */
export async function dropAndCount(page: Page, files: string[]): Promise<number> {
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(files);
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=status]')?.getAttribute('data-state') === 'ready' && window.__smearcount.images().filter((i) => i.status === 'done').length === n,
    files.length,
    { timeout: 1_800_000, polling: 50 },
  );
  return Date.now() - t0;
}
