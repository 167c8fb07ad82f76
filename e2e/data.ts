import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { countCells, type Counts } from '../src/core/counts/counts';
import { parseVoc } from '../src/core/formats/voc';
import { ensureScaleSets, requireData } from '../scripts/dataRoot';
import { decodeImage } from '../scripts/evaluation/decode';

/** CBC Testing images (the data is never copied into the repo: $SMEARCOUNT_DATA or ../shared/datasets). */
export function testingImages(n?: number): string[] {
  const dir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
  const files = readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort();
  return (n ? files.slice(0, n) : files).map((f) => join(dir, f));
}

/** The complete-label annotation (every visible cell) of a CBC Testing image. */
export function completeAnnotationFor(image: string): string {
  return join(requireData('cbc-complete/Testing', 'CBC Testing complete labels'), 'Annotations', basename(image).replace(/\.jpe?g$/i, '.xml'));
}

function countsOf(xml: string): Counts {
  return countCells(parseVoc(readFileSync(xml, 'utf8'), xml).objects);
}

/** Ground-truth counts of every visible cell (complete labels), read with the app's own VOC reader. */
export function truthCounts(image: string): Counts {
  return countsOf(completeAnnotationFor(image));
}

/** The zoom-out mosaics (cells at 0.5x) and their complete-label counts. */
export function zoomOutImages(): { image: string; truth: Counts }[] {
  const dir = ensureScaleSets()['zoom-out'];
  return readdirSync(join(dir, 'Images'))
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => ({ image: join(dir, 'Images', f), truth: countsOf(join(dir, 'Annotations', f.replace(/\.png$/, '.xml'))) }));
}

/** An uncompressed 16-bit RGB TIFF of RGBA pixels at a 12-bit camera's range (each level × 16), as a
 * scientific camera's software saves one. */
export function tiff12bit(img: { data: Uint8Array; width: number; height: number }): Buffer {
  const { width: w, height: h } = img;
  const entries: [number, number, number, number][] = [
    [256, 4, 1, w],
    [257, 4, 1, h],
    [258, 3, 3, 134], // bits per sample: three SHORTs after the directory
    [259, 3, 1, 1],
    [262, 3, 1, 2],
    [273, 4, 1, 140],
    [277, 3, 1, 3],
    [278, 4, 1, h],
    [279, 4, 1, w * h * 6],
    [284, 3, 1, 1],
  ];
  const b = Buffer.alloc(140 + w * h * 6);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const o = 10 + 12 * i;
    b.writeUInt16LE(tag, o);
    b.writeUInt16LE(type, o + 2);
    b.writeUInt32LE(count, o + 4);
    if (type === 3 && count === 1) b.writeUInt16LE(value, o + 8);
    else b.writeUInt32LE(value, o + 8);
  });
  b.writeUInt32LE(0, 10 + 12 * entries.length); // no next directory: ends at 134
  for (let k = 0; k < 3; k++) b.writeUInt16LE(16, 134 + 2 * k);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) b.writeUInt16LE(img.data[i * 4 + c] * 16, 140 + (i * 3 + c) * 2);
  return b;
}

/** The picture turned 90 degrees clockwise, written out pixel by pixel (independently of decode's orient):
 * how a phone held on its side stores a field it tags with EXIF orientation 8. */
export function turnedClockwise(img: { data: Uint8Array; width: number; height: number }) {
  const { width: w, height: h } = img;
  const data = new Uint8Array(img.data.length);
  for (let y = 0; y < w; y++) for (let x = 0; x < h; x++) data.set(img.data.subarray(((h - 1 - x) * w + y) * 4, ((h - 1 - x) * w + y) * 4 + 4), (y * h + x) * 4);
  return { data, width: h, height: w };
}

/** An RGBA picture made k times larger by nearest neighbour: a camera's large picture of the same field. */
export function upscale(img: { data: Uint8Array | Uint8ClampedArray; width: number; height: number }, k: number) {
  const width = img.width * k;
  const height = img.height * k;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set(img.data.subarray(((((y / k) | 0) * img.width + ((x / k) | 0)) * 4), ((((y / k) | 0) * img.width + ((x / k) | 0)) * 4) + 4), (y * width + x) * 4);
  return { data, width, height };
}

/** n distinct JPEGs made from the Testing images: a COM segment after SOI changes the bytes (and
 * so the content hash that de-duplicates drops) without changing the pixels. */
export function variants(dir: string, n: number): string[] {
  mkdirSync(dir, { recursive: true });
  const src = testingImages().map((p) => readFileSync(p));
  return Array.from({ length: n }, (_, i) => {
    const jpg = src[i % src.length];
    const text = Buffer.from(`smearcount load test ${i}`);
    const seg = Buffer.alloc(4);
    seg.writeUInt16BE(0xfffe, 0);
    seg.writeUInt16BE(text.length + 2, 2);
    const out = join(dir, `load_${String(i).padStart(3, '0')}.jpg`);
    writeFileSync(out, Buffer.concat([jpg.subarray(0, 2), seg, text, jpg.subarray(2)]));
    return out;
  });
}

/** A PNG whose header reads as 640x480 and whose data is not an image: the intake takes it in (its header is
 * sound), then it fails to decode, so it becomes an image of the batch that could not be counted. */
export function undecodablePng(): Buffer {
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), Buffer.from('0000000d4948445200000280000001e00806000000', 'hex'), Buffer.alloc(4000, 7)]);
}

/** A 100x oil field, made at test time: a third of CBC Testing's BloodImage_00382 (its five red cells all cut by
 * the crop's border) enlarged 3x, so its cells are 3x the usual size (flags.spec, quality-locale.spec). */
export async function oilField100x(): Promise<{ name: string; data: Uint8Array; width: number; height: number; path: string }> {
  const path = testingImages().find((p) => basename(p) === 'BloodImage_00382.jpg')!;
  const field = await decodeImage(path);
  const [x0, y0, w, h] = [79, 280, 213, 160];
  const crop = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) crop.set(field.data.subarray(((y0 + y) * field.width + x0) * 4, ((y0 + y) * field.width + x0 + w) * 4), y * w * 4);
  return { name: 'oil-100x', ...upscale({ data: crop, width: w, height: h }, 3), path };
}
