/** Image files to RGBA in Node, decoded as the model card's figures were (see decodeImage). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import encodeJpegWasm, { init as initJpegEncoder } from '@jsquash/jpeg/encode.js';
import { PNG } from 'pngjs';
import { REPO_ROOT } from '../dataRoot';

export interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
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
    return { data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.length), width: d.width, height: d.height };
  }
  if (buf[0] === 0x89 && buf[1] === 0x50) {
    const p = PNG.sync.read(buf);
    return { data: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.length), width: p.width, height: p.height };
  }
  throw new Error(`${path}: only JPEG and PNG are read by the CLI`);
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
