/** Image files to RGBA in Node, decoded as the model card's figures were (see decodeImage). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import encodeJpegWasm, { init as initJpegEncoder } from '@jsquash/jpeg/encode.js';
import { PNG } from 'pngjs';
import { AppError, errorMessage, MAX_MEGAPIXELS, MIN_SIDE_PX } from '../../src/core/errors';
import { sniffImage } from '../../src/core/formats/imageHeader';
import { decodeTiff } from '../../src/core/formats/tiff';
import { REPO_ROOT } from '../dataRoot';

/** The image files the CLI reads (what a lab's microscope software saves). */
export const IMAGE_FILE = /\.(jpe?g|png|bmp|tiff?)$/i;

export interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
  /** The EXIF orientation decodeImage applied (absent: none, or 1). */
  orientation?: number;
}

let jpegReady: Promise<void> | undefined;

/** JPEG via libjpeg-turbo's decoder (mozjpeg, WASM): the same IDCT and upsampling as the libjpeg that
 * torchvision used for the model card, so the card's numbers are reproduced pixel for pixel. */
export async function decodeImage(path: string): Promise<Rgba> {
  const buf = readFileSync(path);
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    jpegReady ??= WebAssembly.compile(readFileSync(join(REPO_ROOT, 'node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'))).then((m) => initJpeg(m));
    await jpegReady;
    const d = await decodeJpeg(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer);
    // a phone on its side saves the photo turned and says so in EXIF: shown upright, as the app shows it
    const orientation = sniffImage(new Uint8Array(buf.buffer, buf.byteOffset, Math.min(buf.length, 65536)))?.orientation ?? 1;
    return orient({ data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.length), width: d.width, height: d.height }, orientation);
  }
  if (buf[0] === 0x89 && buf[1] === 0x50) {
    const p = PNG.sync.read(buf);
    return { data: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.length), width: p.width, height: p.height };
  }
  if (buf[0] === 0x42 && buf[1] === 0x4d) return decodeBmp(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), path);
  if ((buf[0] === 0x49 && buf[1] === 0x49) || (buf[0] === 0x4d && buf[1] === 0x4d)) {
    // the app's own TIFF reader (src/core/formats/tiff), as a dropped TIFF is read
    const t = await decodeTiff(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), async (z) => new Uint8Array(inflateSync(z)));
    return { data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length), width: t.width, height: t.height };
  }
  throw new Error(`${path}: not a JPEG, PNG, BMP or TIFF image`);
}

/** A lab's file as the app's intake takes it (src/services/intake.ts), then decoded: a JPEG without its
 * end-of-image marker (cut short in a copy: decoded, its lower part is grey, and the count is of part of a
 * smear), an image over MAX_MEGAPIXELS or with a side under MIN_SIDE_PX is refused with the app's own
 * sentence, so the CLI's figures are of the files the app would count. The size is read from the header,
 * before the pixels, as the app reads it. */
export async function readAsIntake(path: string): Promise<Rgba> {
  const buf = readFileSync(path);
  const refuse = (code: 'empty' | 'decode' | 'too-large' | 'too-small', detail: string): never => {
    throw new Error(errorMessage(new AppError(code, detail)));
  };
  // the app's sentence for a file of 0 bytes (a copy cut off, a download that never came), not "not an image"
  if (!buf.length) refuse('empty', '');
  const head = sniffImage(new Uint8Array(buf.buffer, buf.byteOffset, Math.min(buf.length, 65536)));
  if (head?.kind === 'jpeg') {
    const tail = buf.subarray(Math.max(0, buf.length - 4096));
    let eoi = false;
    for (let i = tail.length - 2; i >= 0 && !eoi; i--) eoi = tail[i] === 0xff && tail[i + 1] === 0xd9;
    if (!eoi) refuse('decode', 'the JPEG ends early');
  }
  const size = (w: number, h: number) => {
    if (w * h > MAX_MEGAPIXELS * 1e6) refuse('too-large', `${w}×${h} (${((w * h) / 1e6).toFixed(0)} MP)`);
    if (Math.min(w, h) < MIN_SIDE_PX) refuse('too-small', `${w}×${h}`);
  };
  if (head?.width && head.height) size(head.width, head.height);
  const img = await decodeImage(path);
  size(img.width, img.height);
  return img;
}

/** Uncompressed BMP (24- and 32-bit, 32-bit with bit fields, 8-bit palettes), bottom-up or top-down, as
 * Windows camera software writes it; the browser decodes BMP itself. */
export function decodeBmp(b: Uint8Array, path = 'BMP'): Rgba {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 54) throw new Error(`${path}: the BMP file is cut short`);
  const dataAt = v.getUint32(10, true);
  const header = v.getUint32(14, true);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bits = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new Error(`${path}: the BMP has no image size`);
  if (!(compression === 0 || (compression === 3 && bits === 32)) || ![8, 24, 32].includes(bits)) {
    throw new Error(`${path}: a ${bits}-bit BMP with compression ${compression} is not read by the CLI; save it as PNG`);
  }
  // BI_BITFIELDS: the channel masks after a 40-byte header (or inside a V4/V5 header)
  const masks = compression === 3 ? [v.getUint32(54, true), v.getUint32(58, true), v.getUint32(62, true)] : [0xff0000, 0xff00, 0xff];
  const shift = masks.map((m) => (m ? Math.clz32(m & -m) ^ 31 : 0));
  const paletteAt = 14 + header;
  const stride = Math.ceil((width * bits) / 32) * 4;
  if (dataAt + stride * height > b.length) throw new Error(`${path}: the BMP file is cut short`);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = dataAt + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (bits === 8) {
        const p = paletteAt + 4 * b[row + x];
        data[o] = b[p + 2];
        data[o + 1] = b[p + 1];
        data[o + 2] = b[p];
      } else if (bits === 24) {
        data[o] = b[row + 3 * x + 2];
        data[o + 1] = b[row + 3 * x + 1];
        data[o + 2] = b[row + 3 * x];
      } else {
        const px = v.getUint32(row + 4 * x, true);
        for (let c = 0; c < 3; c++) data[o + c] = ((px & masks[c]) >>> shift[c]) & 0xff;
      }
      data[o + 3] = 255;
    }
  }
  return { data, width, height };
}

let encoderReady: Promise<void> | undefined;

/** RGBA to a baseline JPEG at `quality` (1-100) with the standard (Annex K) quantisation tables and 4:2:0
 * chroma, as libjpeg and Pillow write it: the heavily compressed copies the flags are measured on. */
export async function encodeJpeg(img: Rgba, quality: number): Promise<Uint8Array> {
  encoderReady ??= WebAssembly.compile(readFileSync(join(REPO_ROOT, 'node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'))).then((m) => initJpegEncoder(m));
  await encoderReady;
  const image = { data: new Uint8ClampedArray(img.data), width: img.width, height: img.height, colorSpace: 'srgb' } as ImageData;
  const buf = await encodeJpegWasm(image, { quality, quant_table: 0, baseline: true, progressive: false, optimize_coding: true, trellis_multipass: false, trellis_opt_zero: false, trellis_opt_table: false, trellis_loops: 1, chroma_subsample: 2, auto_subsample: false });
  return new Uint8Array(buf);
}

/** A JPEG round trip in memory: what a camera or a messaging app at that quality would hand over. */
export async function jpegCopy(img: Rgba, quality: number): Promise<Rgba> {
  const bytes = await encodeJpeg(img, quality);
  jpegReady ??= WebAssembly.compile(readFileSync(join(REPO_ROOT, 'node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'))).then((m) => initJpeg(m));
  await jpegReady;
  const d = await decodeJpeg(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  return { data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.length), width: d.width, height: d.height };
}

/** The picture as shown, from its pixels as stored and its EXIF orientation (1-8; TIFF/EXIF 2.3, tag 0x0112):
 * 2 mirrored, 3 turned 180°, 4 flipped, 5 transposed, 6 turned 90° clockwise to be shown, 7 transversed,
 * 8 turned 90° anticlockwise. */
export function orient(img: Rgba, orientation: number): Rgba {
  if (orientation < 2 || orientation > 8) return img;
  const { width: w, height: h } = img;
  const swap = orientation >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const at: (X: number, Y: number) => number = [
    (X: number, Y: number) => Y * w + (w - 1 - X),
    (X: number, Y: number) => (h - 1 - Y) * w + (w - 1 - X),
    (X: number, Y: number) => (h - 1 - Y) * w + X,
    (X: number, Y: number) => X * w + Y,
    (X: number, Y: number) => (h - 1 - X) * w + Y,
    (X: number, Y: number) => (h - 1 - X) * w + (w - 1 - Y),
    (X: number, Y: number) => X * w + (w - 1 - Y),
  ][orientation - 2];
  const data = new Uint8Array(W * H * 4);
  for (let Y = 0; Y < H; Y++) for (let X = 0; X < W; X++) data.set(img.data.subarray(at(X, Y) * 4, at(X, Y) * 4 + 4), (Y * W + X) * 4);
  return { data, width: W, height: H, orientation };
}

type Box = { x1: number; y1: number; x2: number; y2: number };

/** A label's box on the picture as shown. Labels are taken to be drawn on the picture as shown (as the app
 * and most labelling tools show it), except where their file's size is the stored one and the orientation
 * swaps the sides: then they were drawn on the pixels as stored (a tool that ignores EXIF), and are turned
 * with the picture. Orientations 2-4 keep the sides, so nothing tells the two apart: taken as shown. */
export function boxAsShown(box: Box, labelSize: { width: number; height: number } | undefined, img: Pick<Rgba, 'width' | 'height' | 'orientation'>): Box {
  const o = img.orientation ?? 1;
  if (o < 5 || !labelSize || img.width === img.height || labelSize.width !== img.height || labelSize.height !== img.width) return box;
  // the stored sides
  const w = img.height;
  const h = img.width;
  const point = (x: number, y: number): [number, number] => (o === 5 ? [y, x] : o === 6 ? [h - y, x] : o === 7 ? [h - y, w - x] : [y, w - x]);
  const [ax, ay] = point(box.x1, box.y1);
  const [bx, by] = point(box.x2, box.y2);
  return { x1: Math.min(ax, bx), y1: Math.min(ay, by), x2: Math.max(ax, bx), y2: Math.max(ay, by) };
}

/** A JPEG with an EXIF orientation: an APP1 segment holding only the orientation tag, after the SOI marker
 * (for tests: what a phone held on its side writes). */
export function withOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  // "Exif\0\0", a big-endian TIFF header, one directory of one SHORT entry, no next directory
  const body = [0x45, 0x78, 0x69, 0x66, 0, 0, 0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const seg = [0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
  return new Uint8Array([...jpeg.subarray(0, 2), ...seg, ...jpeg.subarray(2)]);
}

/** A monochrome camera's picture of the same field: the luma in all three channels. */
export function monochromeCopy(img: Rgba): Rgba {
  const d = new Uint8Array(img.data.length);
  for (let i = 0; i < d.length; i += 4) {
    const y = Math.round(0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2]);
    d[i] = d[i + 1] = d[i + 2] = y;
    d[i + 3] = 255;
  }
  return { data: d, width: img.width, height: img.height };
}
