/**
 * The quality assessment (run in the quality worker, or on the page as a fallback): the decoded bitmap is read once, small (core/quality/pixels
 * STATS_READ_SIDE at most, then shrunk exactly in core), and assessed with the same code as `npm run eval`.
 * Reading needs only the image, so it may run while the detector works on it (`readSmall`); the rest needs
 * the detections (`assessSmall`).
 */
import type { ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import type { ScaleInfo } from '../core/detection/scale';
import { assessImage, type Quality } from '../core/quality/assess';
import { blockWindow, readSize, toSmall, type SmallImage } from '../core/quality/pixels';

/** Reads a bitmap's RGBA at a (smaller or equal) size. */
export type ReadPixels = (bmp: ImageBitmap, size: { width: number; height: number }) => Promise<Uint8ClampedArray>;

/** One canvas, kept while the read size stays the same (it does for a batch of one camera's images): a
 * new canvas per image cost more than the read itself (trace:batch, issue 24). getImageData copies, so
 * reuse shares nothing between reads. */
let canvas: { width: number; height: number; ctx: OffscreenCanvasRenderingContext2D } | undefined;

export const readBitmapPixels: ReadPixels = async (bmp, size) => {
  if (!canvas || canvas.width !== size.width || canvas.height !== size.height) {
    const ctx = new OffscreenCanvas(size.width, size.height).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas to read the image with');
    ctx.imageSmoothingQuality = 'high';
    canvas = { ...size, ctx };
  }
  const { ctx } = canvas;
  ctx.clearRect(0, 0, size.width, size.height); // a transparent image must not show the last one through
  if (bmp.width === size.width && bmp.height === size.height) ctx.drawImage(bmp, 0, 0);
  else ctx.drawImage(bmp, 0, 0, size.width, size.height);
  return ctx.getImageData(0, 0, size.width, size.height).data;
};

/** The image as the statistics read it, with its full size. */
export type SmallRead = { small: SmallImage; width: number; height: number };

/** `bmp` is the decoded image, or a copy of it already at its read size (`readSize` of `original`): the
 * page hands the quality worker that copy, since transferring a copy at full size copies all of its pixels
 * on the page's thread (0.16-0.20 s for a 12 MP photo, against 0.02 s for the resize; README, issue 24).
 * `window`: a large image's `blockWindow` at its own resolution, where its JPEG blocks are judged. */
export async function readSmall(read: ReadPixels, bmp: ImageBitmap, original: { width: number; height: number } = bmp, window?: ImageBitmap | null): Promise<SmallRead> {
  const { width, height } = original;
  const size = readSize(width, height);
  const data = await read(bmp, size);
  const win = window ? { data: await read(window, { width: window.width, height: window.height }), width: window.width, height: window.height } : null;
  return { small: toSmall({ data, ...size }, width, win), width, height };
}

/** A large image's `blockWindow`, cropped from it (null for an image read at its own size). */
export function windowOf(full: ImageBitmap): Promise<ImageBitmap> | null {
  const size = readSize(full.width, full.height);
  if (size.width === full.width && size.height === full.height) return null;
  const w = blockWindow(full.width, full.height);
  return createImageBitmap(full, w.x, w.y, w.width, w.height);
}

/** The WBC rule applied to `raw`, and the image's quality flags and statistics. */
export function assessSmall(
  { small, width, height }: SmallRead,
  raw: Detection[],
  scale: ScaleInfo,
  card: Pick<ModelCard, 'postprocess' | 'scale'>,
): { raw: Detection[]; quality: Quality } {
  return assessImage(small, raw, { width, height }, scale, card);
}

export async function assessBitmap(
  read: ReadPixels,
  full: ImageBitmap,
  raw: Detection[],
  scale: ScaleInfo,
  card: Pick<ModelCard, 'postprocess' | 'scale'>,
): Promise<{ raw: Detection[]; quality: Quality }> {
  const window = await windowOf(full);
  try {
    return assessSmall(await readSmall(read, full, full, window), raw, scale, card);
  } finally {
    window?.close();
  }
}
