/// <reference lib="webworker" />
/**
 * The quality worker: the WBC rule and the image's quality flags (core/quality), off the page's thread.
 * The page hands over a copy of the decoded image; reading its pixels, shrinking them and the statistics
 * are about 70 ms of CPU per image, which on the page would be its largest cost per image in a batch.
 * The code is the page's own (qualityAssess.ts), so the results are the same.
 */
import { assessBitmap, readBitmapPixels } from './qualityAssess';
import type { QualityRequest, QualityResponse } from './qualityProtocol';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = async (e: MessageEvent<QualityRequest>) => {
  const { id, bitmap, raw, scale, card } = e.data;
  let msg: QualityResponse;
  try {
    msg = { id, ok: true, ...(await assessBitmap(readBitmapPixels, bitmap, raw, scale, card)) };
  } catch (err) {
    msg = { id, ok: false, error: (err as Error).message };
  } finally {
    bitmap.close();
  }
  self.postMessage(msg);
};
