import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { TiffError, decodeTiff, packBitsDecode, tiffSize } from './tiff';

// Fixtures written by libtiff through ImageMagick (fixtures/images/make.sh), from a synthetic pattern.
const dir = join(__dirname, 'fixtures/images');
const file = (n: string) => new Uint8Array(readFileSync(join(dir, n)));
const png = (n: string) => PNG.sync.read(readFileSync(join(dir, n)));
const inflate = async (b: Uint8Array) => new Uint8Array(inflateSync(b));

/** Largest difference over R, G and B between a decoded TIFF and the reference PNG. */
function maxDiff(a: Uint8ClampedArray, ref: PNG): number {
  let m = 0;
  for (let i = 0; i < ref.width * ref.height; i++) for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(a[i * 4 + c] - ref.data[i * 4 + c]));
  return m;
}

describe('decodeTiff', () => {
  it.each([
    ['rgb8-none.tif', 'strips of 5 rows, uncompressed'],
    ['rgb8-lzw.tif', 'LZW'],
    ['rgb8-lzw-predictor.tif', 'LZW with the horizontal predictor'],
    ['rgb8-deflate.tif', 'Deflate'],
    ['rgb8-packbits.tif', 'PackBits'],
    ['rgb8-tiles-lzw.tif', '16×16 tiles over a 23×17 image'],
    ['rgb8-planar-lzw.tif', 'planar (one plane per colour)'],
    ['rgb8-preview-first.tif', 'a reduced-resolution preview before the image'],
  ])('reads %s (%s) exactly as the PNG it was made from', async (name) => {
    const ref = png('ref.png');
    const t = await decodeTiff(file(name), inflate);
    expect([t.width, t.height]).toEqual([23, 17]);
    expect(maxDiff(t.data, ref)).toBe(0);
    expect(t.data[3]).toBe(255);
  });

  it('reads LZW past 4,096 codes (wider codes and clear codes)', async () => {
    const ref = png('big.png');
    const t = await decodeTiff(file('big-lzw.tif'), inflate);
    expect([t.width, t.height]).toEqual([96, 72]);
    expect(maxDiff(t.data, ref)).toBe(0);
  });

  it('reads 16-bit big-endian RGB to within a level', async () => {
    const t = await decodeTiff(file('rgb16-msb-lzw.tif'), inflate);
    expect(maxDiff(t.data, png('ref.png'))).toBeLessThanOrEqual(1);
  });

  it('reads a 12-bit camera stored in 16 bits at its own range, not 16 times too dark', async () => {
    const t = await decodeTiff(file('grey12-in-16.tif'), inflate);
    expect(maxDiff(t.data, png('grey.png'))).toBeLessThanOrEqual(2);
  });

  it('reads a dim 12-bit image at 12 bits (the even bit depth above its largest sample), not brightened', async () => {
    // built here: 16-bit grey, uncompressed, one strip; samples 0..1500 of a 12-bit camera
    const w = 40;
    const h = 2;
    const b = new Uint8Array(8 + 2 + 8 * 12 + 4 + w * h * 2);
    const v = new DataView(b.buffer);
    b.set([0x49, 0x49, 42, 0]);
    v.setUint32(4, 8, true);
    const tags: [number, number, number][] = [[256, 4, w], [257, 4, h], [258, 3, 16], [259, 3, 1], [262, 3, 1], [273, 4, 8 + 2 + 96 + 4], [278, 4, h], [279, 4, w * h * 2]];
    v.setUint16(8, tags.length, true);
    tags.forEach(([tag, type, value], i) => {
      v.setUint16(10 + 12 * i, tag, true);
      v.setUint16(12 + 12 * i, type, true);
      v.setUint32(14 + 12 * i, 1, true);
      if (type === 3) v.setUint16(18 + 12 * i, value, true);
      else v.setUint32(18 + 12 * i, value, true);
    });
    for (let i = 0; i < w * h; i++) v.setUint16(110 + 2 * i, Math.round((1500 * (i % w)) / (w - 1)), true);
    const t = await decodeTiff(b, inflate);
    expect(t.data[(w - 1) * 4]).toBe(Math.round((1500 * 255) / 4095)); // 93, not 187 (11 bits) or 6 (16 bits)
  });

  it('reads 8-bit grey (big-endian file) and an 8-bit palette', async () => {
    expect(maxDiff((await decodeTiff(file('grey8-msb.tif'), inflate)).data, png('grey.png'))).toBe(0);
    expect(maxDiff((await decodeTiff(file('palette8.tif'), inflate)).data, png('palette.png'))).toBeLessThanOrEqual(1);
  });

  it('names what it cannot read: JPEG inside a TIFF, floating-point samples', async () => {
    await expect(decodeTiff(file('rgb8-jpeg.tif'), inflate)).rejects.toThrow(/JPEG-compressed.*Export it/);
    await expect(decodeTiff(file('rgb32-float.tif'), inflate)).rejects.toThrow(TiffError);
  });

  it('refuses a damaged file with a sentence, never a crash', async () => {
    const whole = file('rgb8-none.tif');
    await expect(decodeTiff(whole.slice(0, 600), inflate)).rejects.toThrow(TiffError);
    await expect(decodeTiff(whole.slice(0, 6), inflate)).rejects.toThrow(TiffError);
    const lzw = file('rgb8-lzw.tif');
    await expect(decodeTiff(lzw.slice(0, 200), inflate)).rejects.toThrow(TiffError);
  });

  it('checks the size before it decodes', async () => {
    expect(tiffSize(file('rgb8-preview-first.tif'))).toEqual({ width: 23, height: 17 });
    await expect(decodeTiff(file('rgb8-none.tif'), inflate, 100)).rejects.toThrow(/too large \(23×17\)/);
  });
});

describe('packBitsDecode', () => {
  it('copies literal runs and repeats', () => {
    // the example of TIFF 6.0, section 9
    const src = new Uint8Array([0xfe, 0xaa, 0x02, 0x80, 0x00, 0x2a, 0xfd, 0xaa, 0x03, 0x80, 0x00, 0x2a, 0x22, 0xf7, 0xaa]);
    expect([...packBitsDecode(src, 24)]).toEqual([0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0xaa, 0xaa, 0xaa, 0xaa, 0x80, 0x00, 0x2a, 0x22, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
  });
});
