/** Image files to RGBA in Node, decoded as the model card's figures were (see decodeImage). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
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
