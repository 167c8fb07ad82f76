/**
 * A dropped TIFF, decoded on the page (core/formats/tiff) and kept as a lossless PNG of the same pixels, so
 * every later reader (the detector's worker, thumbnails, the gallery's tiles, the saved batch) reads a
 * format the browser decodes. The image keeps its file's name; its hash is the TIFF's.
 */
import { AppError } from '../core/errors';
import { TiffError, decodeTiff } from '../core/formats/tiff';

/** zlib streams (TIFF's Deflate) with the browser's own DecompressionStream. */
export async function inflateZlib(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `bytes`: the file's contents, already read for its hash. */
export async function tiffAsPng(f: File, bytes: ArrayBuffer, maxPixels: number): Promise<File> {
  let t;
  try {
    t = await decodeTiff(new Uint8Array(bytes), inflateZlib, maxPixels);
  } catch (e) {
    throw e instanceof TiffError ? new AppError('tiff', e.message) : e;
  }
  const canvas = new OffscreenCanvas(t.width, t.height);
  canvas.getContext('2d')!.putImageData(new ImageData(t.data as Uint8ClampedArray<ArrayBuffer>, t.width, t.height), 0, 0);
  const png = await canvas.convertToBlob({ type: 'image/png' });
  return new File([png], f.name, { type: 'image/png', lastModified: f.lastModified });
}
