/**
 * The quality assessment (run in the quality worker, or on the page as a fallback): the decoded bitmap is read once, small (core/quality/pixels
 * STATS_READ_SIDE at most, then shrunk exactly in core), and assessed with the same code as `npm run eval`.
 */
import type { ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import type { ScaleInfo } from '../core/detection/scale';
import { assessImage, type Quality } from '../core/quality/assess';
import { readSize, toSmall } from '../core/quality/pixels';

/** Reads a bitmap's RGBA at a (smaller or equal) size. */
export type ReadPixels = (bmp: ImageBitmap, size: { width: number; height: number }) => Promise<Uint8ClampedArray>;

export const readBitmapPixels: ReadPixels = async (bmp, size) => {
  const canvas = new OffscreenCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bmp, 0, 0, size.width, size.height);
  return ctx.getImageData(0, 0, size.width, size.height).data;
};

/** The WBC rule applied to `raw`, and the image's quality flags and statistics. */
export async function assessBitmap(
  read: ReadPixels,
  full: ImageBitmap,
  raw: Detection[],
  scale: ScaleInfo,
  card: Pick<ModelCard, 'postprocess' | 'scale'>,
): Promise<{ raw: Detection[]; quality: Quality }> {
  const size = readSize(full.width, full.height);
  const data = await read(full, size);
  return assessImage(toSmall({ data, ...size }, full.width), raw, { width: full.width, height: full.height }, scale, card);
}
