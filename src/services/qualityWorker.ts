/**
 * The page's side of the quality worker (worker/quality.worker.ts): hands it a copy of each decoded image
 * as soon as it is decoded, then its detections, and gets back the WBC rule's detections and the quality
 * flags. Where no worker can start, or it fails, the same code runs on the page.
 */
import type { ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import type { ScaleInfo } from '../core/detection/scale';
import type { Quality } from '../core/quality/assess';
import type { QualityRequest, QualityResponse } from '../worker/qualityProtocol';
import { assessBitmap, readBitmapPixels, windowOf, type ReadPixels } from '../worker/qualityAssess';
import { AppError } from '../core/errors';
import { readSize } from '../core/quality/pixels';

/** One image's assessment, begun when it is decoded: `finish` with its detections, or `cancel` (no
 * detections came). The decoded bitmap must stay open until `finish` has settled. */
export interface QualityJob {
  finish(raw: Detection[], scale: ScaleInfo, card: Pick<ModelCard, 'postprocess' | 'scale'>): Promise<{ raw: Detection[]; quality: Quality }>;
  cancel(): void;
}

/** The assessment on the page, reading the bitmap with `read` when the detections come. */
export const onPageJob = (read: ReadPixels, full: ImageBitmap): QualityJob => ({
  finish: (raw, scale, card) => assessBitmap(read, full, raw, scale, card),
  cancel() {},
});

/** `prepare()` starts the worker ahead of its first image: its start (a module worker and its code)
 * then overlaps the model's load instead of following the first detection. */
export function createQualityAssessor(): ((full: ImageBitmap) => QualityJob) & { prepare(): void } {
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
  const post = (w: Worker, msg: QualityRequest, transfer: Transferable[] = []) => w.postMessage(msg, transfer);
  const begin = (full: ImageBitmap): QualityJob => {
    if (worker === undefined) worker = start();
    const w = worker;
    const onPage = onPageJob(readBitmapPixels, full);
    if (!w) return onPage;
    const id = ++next;
    // The copy is the worker's to read (and close) while the detector runs on the original. It is made at
    // the size the worker reads: a full-size copy shares the original's pixels, so transferring it copied
    // them all on this thread (0.16-0.20 s for a 12 MP photo; the resize takes 0.02 s).
    // A large image's JPEG blocks are judged on a window of it at its own resolution (a crop: 0.01 s); an
    // image without one is read at its own size.
    const { width, height } = full;
    const win = windowOf(full);
    const size = readSize(width, height);
    const copy = win ? createImageBitmap(full, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' }) : createImageBitmap(full);
    const sent = Promise.all([copy, win]).then(([bitmap, window]) => post(w, { type: 'read', id, bitmap, width, height, ...(window ? { window } : {}) }, window ? [bitmap, window] : [bitmap]));
    sent.catch(() => undefined); // met by finish(), which then assesses on the page
    let settled = false;
    return {
      async finish(raw, scale, card) {
        settled = true;
        try {
          await sent;
          return await new Promise((resolve, reject) => {
            pending.set(id, { resolve, reject });
            post(w, { type: 'assess', id, raw, scale, card: { postprocess: card.postprocess, scale: card.scale } });
          });
        } catch {
          // the worker failed on this image: the page does it
          return onPage.finish(raw, scale, card);
        }
      },
      cancel() {
        if (settled) return;
        settled = true;
        void sent.then(() => post(w, { type: 'drop', id })).catch(() => undefined);
      },
    };
  };
  return Object.assign(begin, {
    prepare() {
      if (worker === undefined) worker = start();
    },
  });
}
