/**
 * The page's side of the quality worker (worker/quality.worker.ts): hands it a copy of each decoded image
 * with its detections and gets back the WBC rule's detections and the quality flags. Where no worker can
 * start, or it fails, the same code runs on the page.
 */
import type { ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import type { ScaleInfo } from '../core/detection/scale';
import type { Quality } from '../core/quality/assess';
import type { QualityRequest, QualityResponse } from '../worker/qualityProtocol';
import { assessBitmap, readBitmapPixels } from '../worker/qualityAssess';
import { AppError } from '../core/errors';

export type Assess = (
  full: ImageBitmap,
  raw: Detection[],
  scale: ScaleInfo,
  card: Pick<ModelCard, 'postprocess' | 'scale'>,
) => Promise<{ raw: Detection[]; quality: Quality }>;

const onPage: Assess = (full, raw, scale, card) => assessBitmap(readBitmapPixels, full, raw, scale, card);

/** `prepare()` starts the worker ahead of its first image: its start (a module worker and its code)
 * then overlaps the model's load instead of following the first detection. */
export function createQualityAssessor(): Assess & { prepare(): void } {
  let worker: Worker | null | undefined;
  let next = 0;
  const pending = new Map<number, { resolve(v: { raw: Detection[]; quality: Quality }): void; reject(e: Error): void }>();
  const start = (): Worker | null => {
    try {
      const w = new Worker(new URL('../worker/quality.worker.ts', import.meta.url), { type: 'module', name: 'quality' });
      w.onmessage = (e: MessageEvent<QualityResponse>) => {
        const p = pending.get(e.data.id);
        if (!p) return;
        pending.delete(e.data.id);
        if (e.data.ok) p.resolve({ raw: e.data.raw, quality: e.data.quality });
        else p.reject(new AppError('quality-worker', e.data.error));
      };
      w.onerror = () => {
        for (const p of pending.values()) p.reject(new AppError('quality-worker', 'the quality worker stopped'));
        pending.clear();
        worker = null;
      };
      return w;
    } catch {
      return null;
    }
  };
  const assess: Assess = async (full, raw, scale, card) => {
    if (worker === undefined) worker = start();
    const w = worker;
    if (!w) return onPage(full, raw, scale, card);
    const bitmap = await createImageBitmap(full);
    const id = ++next;
    try {
      return await new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const msg: QualityRequest = { id, bitmap, raw, scale, card: { postprocess: card.postprocess, scale: card.scale } };
        w.postMessage(msg, [bitmap]);
      });
    } catch {
      // the worker failed on this image: the page does it
      return onPage(full, raw, scale, card);
    }
  };
  return Object.assign(assess, {
    prepare() {
      if (worker === undefined) worker = start();
    },
  });
}
