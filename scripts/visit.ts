/** One visit of the built app as the start-up benchmarks make it (bench.ts's cold start, traceStart.ts,
 * benchStart.ts): load the page, drop one image as soon as the page takes it, wait for its count. */
import type { Page } from '@playwright/test';

export interface VisitTimes {
  /** Wall time from the navigation's start to the count seen (Node's clock). */
  ms: number;
  /** The page's clock (ms since navigation) when the count was seen, within the 10 ms polling. */
  shownAt: number;
  /** The image's file name, as the app lists it. */
  name: string;
}

export async function dropAndWaitCount(page: Page, url: string, file: string): Promise<VisitTimes> {
  const name = file.replace(/^.*\//, '');
  const t0 = Date.now();
  await page.goto(url);
  await page.getByTestId('file-input').setInputFiles([file]);
  const shown = await page.waitForFunction(
    (n) => window.__smearcount?.images().some((i) => i.name === n && (i.status === 'done' || i.status === 'error')) && performance.now(),
    name,
    { timeout: 600_000, polling: 10 },
  );
  const ms = Date.now() - t0;
  return { ms, shownAt: (await shown.jsonValue()) as number, name };
}
