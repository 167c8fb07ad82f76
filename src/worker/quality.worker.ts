/// <reference lib="webworker" />
/**
 * The quality worker: the WBC rule and the image's quality flags (core/quality), off the page's thread.
 * The page hands over a copy of the decoded image at the size the statistics read it; reading its pixels, shrinking them and the statistics
 * are about 70 ms of CPU per image, which on the page would be its largest cost per image in a batch.
 * The reading starts when the image is decoded, so that it runs while the detector works, and only the
 * statistics that need the detections are left after them (the first count waits less).
 * The code is the page's own (qualityAssess.ts), so the results are the same.
 */
import { assessSmall, readBitmapPixels, readSmall, type SmallRead } from './qualityAssess';
import type { QualityRequest, QualityResponse } from './qualityProtocol';

declare const self: DedicatedWorkerGlobalScope;

const reads = new Map<number, Promise<SmallRead>>();

self.onmessage = async (e: MessageEvent<QualityRequest>) => {
  const req = e.data;
  if (req.type === 'read') {
    const { bitmap, width, height, window } = req;
    const read = readSmall(readBitmapPixels, bitmap, { width, height }, window).finally(() => {
      bitmap.close();
      window?.close();
    });
    read.catch(() => undefined); // reported when its assess comes
    reads.set(req.id, read);
    return;
  }
  const read = reads.get(req.id);
  reads.delete(req.id);
  if (req.type === 'drop') return;
  let msg: QualityResponse;
  try {
    if (!read) throw new Error('the image was not read');
    msg = { id: req.id, ok: true, ...assessSmall(await read, req.raw, req.scale, req.card) };
  } catch (err) {
    msg = { id: req.id, ok: false, error: (err as Error).message };
  }
  self.postMessage(msg);
};
