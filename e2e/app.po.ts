import { expect, type Page } from '@playwright/test';

export type Cls = 'RBC' | 'WBC' | 'Platelets';
export const CLASSES: Cls[] = ['RBC', 'WBC', 'Platelets'];

export interface HookDetection {
  id: string;
  cls: Cls;
  score: number;
  box: { x1: number; y1: number; x2: number; y2: number };
  origin: 'model' | 'manual';
}

/** Page object for the app: drives it through data-testids and reads it through window.__smearcount. */
export class AppPage {
  constructor(readonly page: Page) {}

  async open(query = '') {
    await this.page.goto(`/${query}`);
    await expect(this.status).toHaveAttribute('data-state', /loading|ready/);
  }

  get status() {
    return this.page.getByTestId('status');
  }

  async waitReady(timeout = 120_000) {
    await expect(this.status).toHaveAttribute('data-state', 'ready', { timeout });
  }

  async drop(files: string[]) {
    await this.page.getByTestId('file-input').setInputFiles(files);
  }

  async count(cls: Cls, scope: 'count' | 'total' = 'count'): Promise<number> {
    const t = await this.page.getByTestId(`${scope}-${cls}`).textContent();
    return Number(t);
  }

  async counts(scope: 'count' | 'total' = 'count') {
    return { RBC: await this.count('RBC', scope), WBC: await this.count('WBC', scope), Platelets: await this.count('Platelets', scope) };
  }

  current() {
    return this.page.evaluate(() => (window as any).__smearcount.current()) as Promise<{
      id: string;
      name: string;
      width: number;
      height: number;
      status: string;
      detections: HookDetection[];
    } | null>;
  }

  images() {
    return this.page.evaluate(() => (window as any).__smearcount.images()) as Promise<
      { id: string; name: string; status: string; inferenceMs?: number; count: number }[]
    >;
  }

  async selectImage(index: number) {
    await this.page.getByTestId('thumb').nth(index).click();
  }

  fileErrors() {
    return this.page.getByTestId('file-error');
  }
}
