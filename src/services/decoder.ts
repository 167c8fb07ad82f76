import { cropDraws, type CropPad } from '../core/differential/crop';
import type { Region } from '../core/detection/scale';
import { readBitmapPixels, type ReadPixels } from '../worker/qualityAssess';
import { createQualityAssessor, type QualityJob } from './qualityWorker';

/** What the pipeline needs of the browser's image decoding, injectable for tests. */
export interface Decoder {
  /** createImageBitmap(blob) */
  decode(blob: Blob): Promise<ImageBitmap>;
  /** createImageBitmap(bitmap, resize options): a new bitmap the worker may take; of `region` alone, where given
   * (a small eyepiece field's square, core/detection/scale detectWithScale) */
  copy(bitmap: ImageBitmap, size: { width: number; height: number }, region?: Region): Promise<ImageBitmap>;
  /** The square (x, y, side) of the bitmap drawn at size x size, its edge replicated outside the image (pad
   * "edge") or padded with that grey: RGBA. */
  crop(bitmap: ImageBitmap, rect: { x: number; y: number; side: number }, size: number, pad: CropPad): Promise<Uint8ClampedArray>;
  /** RGBA of the whole bitmap at a smaller size (the quality statistics' copy). */
  pixels: ReadPixels;
  /** The WBC rule and quality flags off the page's thread, begun when the image is decoded (absent: on
   * the page, reading with `pixels` once the detections are in). */
  assess?: (full: ImageBitmap) => QualityJob;
  /** Starts what `assess` needs (its worker) before the first image does. */
  prepare?(): void;
}

export const browserDecoder: Decoder = {
  decode: (blob) => createImageBitmap(blob),
  copy: (bmp, size, region) =>
    region
      ? createImageBitmap(bmp, region.x, region.y, region.width, region.height, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' })
      : size.width === bmp.width && size.height === bmp.height
        ? createImageBitmap(bmp)
        : createImageBitmap(bmp, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' }),
  async crop(bmp, rect, size, pad) {
    const canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const { fill, patches } = cropDraws(rect, bmp.width, bmp.height, size, pad);
    const g = Math.round(fill * 255);
    ctx.fillStyle = `rgb(${g},${g},${g})`;
    ctx.fillRect(0, 0, size, size);
    ctx.imageSmoothingQuality = 'high';
    for (const p of patches) ctx.drawImage(bmp, p.sx, p.sy, p.sw, p.sh, p.dx, p.dy, p.dw, p.dh);
    return ctx.getImageData(0, 0, size, size).data;
  },
  pixels: readBitmapPixels,
  ...(() => {
    const assess = createQualityAssessor();
    return { assess, prepare: () => assess.prepare() };
  })(),
};
