/**
 * TIFF to RGBA, for the microscope cameras whose software saves TIFF (cellSens, Motic Images, LAS, NIS,
 * ImageJ): no browser decodes TIFF. Reads the file's first full-resolution image (a reduced-resolution
 * preview IFD is passed over): strips or tiles, chunky or planar samples, 8 or 16 bits per sample,
 * uncompressed, LZW, Deflate or PackBits, with or without the horizontal predictor; RGB, grey (either
 * polarity) and 8-bit palettes. 16-bit samples are scaled from the camera's own range (12, 14 or 16 bits,
 * from the largest sample), so a 12-bit camera's image is not read four times too dark.
 *
 * Anything else (JPEG inside a TIFF, floating-point samples, CMYK, BigTIFF) is refused with a sentence
 * that names it. Pure: `inflate` (zlib streams, for Deflate) is handed in by whoever runs it.
 */

export interface DecodedTiff {
  width: number;
  height: number;
  /** RGBA, 8 bits per channel, alpha 255. */
  data: Uint8ClampedArray;
}

export type Inflate = (zlib: Uint8Array) => Promise<Uint8Array>;

/** A TIFF this decoder cannot read; the message says what it is and what to do. */
export class TiffError extends Error {}

const T = {
  subfile: 254,
  width: 256,
  height: 257,
  bits: 258,
  compression: 259,
  photometric: 262,
  stripOffsets: 273,
  samples: 277,
  rowsPerStrip: 278,
  stripBytes: 279,
  planar: 284,
  predictor: 317,
  colorMap: 320,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileBytes: 325,
  sampleFormat: 339,
} as const;

const COMPRESSION_NAMES: Record<number, string> = { 2: 'CCITT fax', 3: 'CCITT fax', 4: 'CCITT fax', 6: 'old-style JPEG', 7: 'JPEG', 34712: 'JPEG 2000', 34892: 'lossy JPEG', 50000: 'Zstandard', 34925: 'LZMA', 50001: 'WebP' };
const PHOTOMETRIC_NAMES: Record<number, string> = { 4: 'a transparency mask', 5: 'CMYK', 6: 'YCbCr', 8: 'CIE L*a*b*', 32844: 'LogL', 32845: 'LogLuv' };
const EXPORT = 'Export it as an uncompressed, LZW or PNG file from the camera software or ImageJ/Fiji, then drop it again.';

type Ifd = Map<number, number[]>;

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

function readIfds(b: Uint8Array): { ifds: Ifd[]; le: boolean } {
  if (b.length < 8) throw new TiffError('The TIFF file is cut short.');
  const le = b[0] === 0x49;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = v.getUint16(2, le);
  if (magic === 43) throw new TiffError(`This is a BigTIFF (over 4 GB format), which is not read here. ${EXPORT}`);
  if (magic !== 42) throw new TiffError('Not a TIFF file.');
  const ifds: Ifd[] = [];
  const seen = new Set<number>();
  let off = v.getUint32(4, le);
  while (off && !seen.has(off) && ifds.length < 64) {
    seen.add(off);
    if (off + 2 > b.length) break;
    const n = v.getUint16(off, le);
    if (off + 2 + 12 * n + 4 > b.length) throw new TiffError('The TIFF file is cut short (its directory lies past the end).');
    const ifd: Ifd = new Map();
    for (let i = 0; i < n; i++) {
      const e = off + 2 + 12 * i;
      const tag = v.getUint16(e, le);
      const type = v.getUint16(e + 2, le);
      const count = v.getUint32(e + 4, le);
      const size = TYPE_SIZE[type];
      if (!size || (type !== 1 && type !== 3 && type !== 4 && type !== 13)) continue; // only integer tags are read
      const at = size * count <= 4 ? e + 8 : v.getUint32(e + 8, le);
      if (at + size * count > b.length) continue;
      const vals = new Array<number>(count);
      for (let k = 0; k < count; k++) vals[k] = size === 1 ? b[at + k] : size === 2 ? v.getUint16(at + 2 * k, le) : v.getUint32(at + 4 * k, le);
      ifd.set(tag, vals);
    }
    ifds.push(ifd);
    off = v.getUint32(off + 2 + 12 * n, le);
  }
  if (!ifds.length) throw new TiffError('The TIFF file has no image in it.');
  return { ifds, le };
}

/** The first image that is not a reduced-resolution copy (NewSubfileType bit 0), else the first. */
function mainIfd(ifds: Ifd[]): Ifd {
  return ifds.find((d) => d.has(T.width) && !((d.get(T.subfile)?.[0] ?? 0) & 1)) ?? ifds[0];
}

/** Width and height of the image `decodeTiff` would read, without decoding it (for the size checks). */
export function tiffSize(b: Uint8Array): { width: number; height: number } | null {
  try {
    const d = mainIfd(readIfds(b).ifds);
    const width = d.get(T.width)?.[0] ?? 0;
    const height = d.get(T.height)?.[0] ?? 0;
    return width && height ? { width, height } : null;
  } catch {
    return null;
  }
}

/** TIFF's LZW (MSB first, codes widen one code early); dictionary entries are spans of the output. */
export function lzwDecode(src: Uint8Array, expected: number): Uint8Array {
  let out = new Uint8Array(Math.max(expected, 16));
  let op = 0;
  const start = new Int32Array(4096);
  const len = new Int32Array(4096);
  let width = 9;
  let next = 258;
  let bit = 0;
  const total = src.length * 8;
  let prevAt = -1;
  let prevLen = 0;
  const grow = (need: number) => {
    if (op + need <= out.length) return;
    const o = new Uint8Array(Math.max(out.length * 2, op + need));
    o.set(out.subarray(0, op));
    out = o;
  };
  while (bit + width <= total) {
    let code = 0;
    for (let k = 0; k < width; k++, bit++) code = (code << 1) | ((src[bit >> 3] >> (7 - (bit & 7))) & 1);
    if (code === 257) break;
    if (code === 256) {
      width = 9;
      next = 258;
      prevAt = -1;
      continue;
    }
    const at = op;
    if (code < 256) {
      grow(1);
      out[op++] = code;
    } else if (code < next && prevAt >= 0) {
      const l = len[code];
      grow(l);
      out.copyWithin(op, start[code], start[code] + l);
      op += l;
    } else if (code === next && prevAt >= 0) {
      grow(prevLen + 1);
      out.copyWithin(op, prevAt, prevAt + prevLen);
      out[op + prevLen] = out[prevAt];
      op += prevLen + 1;
    } else {
      throw new TiffError('The TIFF file is damaged (a bad LZW code).');
    }
    if (prevAt >= 0 && next < 4096) {
      // the previous string and this one's first byte lie side by side in the output
      start[next] = prevAt;
      len[next] = prevLen + 1;
      next++;
      if (next >= (1 << width) - 1 && width < 12) width++;
    }
    prevAt = at;
    prevLen = op - at;
    if (op >= expected) break;
  }
  return out.subarray(0, op);
}

export function packBitsDecode(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0;
  let o = 0;
  while (i < src.length && o < expected) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const m = Math.min(n + 1, expected - o, src.length - i);
      out.set(src.subarray(i, i + m), o);
      i += n + 1;
      o += m;
    } else if (n !== -128) {
      out.fill(src[i++], o, Math.min(expected, o + 1 - n));
      o += 1 - n;
    }
  }
  return out;
}

/** Decodes the image; `maxPixels` is checked before anything the size of the image is allocated. */
export async function decodeTiff(b: Uint8Array, inflate: Inflate, maxPixels = Infinity): Promise<DecodedTiff> {
  const { ifds, le } = readIfds(b);
  const d = mainIfd(ifds);
  const get = (t: number, dflt?: number) => d.get(t)?.[0] ?? dflt;
  const width = get(T.width, 0)!;
  const height = get(T.height, 0)!;
  if (!width || !height) throw new TiffError('The TIFF file has no image size in it.');
  if (width * height > maxPixels) throw new TiffError(`The TIFF image is too large (${width}×${height}).`);
  const compression = get(T.compression, 1)!;
  if (![1, 5, 8, 32946, 32773].includes(compression)) throw new TiffError(`This TIFF is ${COMPRESSION_NAMES[compression] ?? `compressed by scheme ${compression}`}-compressed, which is not read here. ${EXPORT}`);
  const photometric = get(T.photometric, 1)!;
  if (![0, 1, 2, 3].includes(photometric)) throw new TiffError(`This TIFF stores ${PHOTOMETRIC_NAMES[photometric] ?? `colour model ${photometric}`}, which is not read here. ${EXPORT}`);
  const spp = get(T.samples, 1)!;
  const bitsAll = d.get(T.bits) ?? [1];
  const bits = bitsAll[0];
  if ((bits !== 8 && bits !== 16) || bitsAll.some((x) => x !== bits)) throw new TiffError(`This TIFF has ${bitsAll.join('/')} bits per sample; 8 and 16 are read here. ${EXPORT}`);
  if ((get(T.sampleFormat, 1) ?? 1) > 2) throw new TiffError(`This TIFF holds floating-point samples, which are not read here. ${EXPORT}`);
  if (photometric === 2 && spp < 3) throw new TiffError('The TIFF file is damaged (RGB with fewer than three samples).');
  if (photometric === 3 && (bits !== 8 || (d.get(T.colorMap)?.length ?? 0) < 3 * 256)) throw new TiffError(`This TIFF's palette is not read here. ${EXPORT}`);
  const predictor = get(T.predictor, 1)!;
  if (predictor !== 1 && predictor !== 2) throw new TiffError(`This TIFF uses a floating-point predictor, which is not read here. ${EXPORT}`);
  const planar = get(T.planar, 1) === 2 && spp > 1;
  const tiled = d.has(T.tileWidth);
  const cw = tiled ? get(T.tileWidth)! : width;
  const ch = tiled ? get(T.tileLength)! : Math.min(height, get(T.rowsPerStrip, height)!);
  const offsets = d.get(tiled ? T.tileOffsets : T.stripOffsets) ?? [];
  const counts = d.get(tiled ? T.tileBytes : T.stripBytes) ?? [];
  const across = Math.ceil(width / cw);
  const down = Math.ceil(height / ch);
  const perPlane = across * down;
  const planes = planar ? spp : 1;
  if (!cw || !ch || offsets.length < perPlane * planes) throw new TiffError('The TIFF file is damaged (its strips or tiles are missing).');
  const bps = bits / 8;
  const chunkSpp = planar ? 1 : spp;
  const samples = bits === 8 ? new Uint8Array(width * height * spp) : new Uint16Array(width * height * spp);

  for (let p = 0; p < planes; p++) {
    for (let c = 0; c < perPlane; c++) {
      const k = p * perPlane + c;
      const x0 = (c % across) * cw;
      const y0 = Math.floor(c / across) * ch;
      const rows = tiled ? ch : Math.min(ch, height - y0);
      const rowBytes = cw * chunkSpp * bps;
      const expected = rowBytes * rows;
      const at = offsets[k];
      const src = b.subarray(at, Math.min(b.length, at + (counts[k] ?? b.length - at)));
      let raw: Uint8Array;
      if (compression === 1) raw = src;
      else if (compression === 5) raw = lzwDecode(src, expected);
      else if (compression === 32773) raw = packBitsDecode(src, expected);
      else raw = await inflate(src).catch(() => {
        throw new TiffError('The TIFF file is damaged (a Deflate strip cannot be read).');
      });
      if (raw.length < expected) throw new TiffError('The TIFF file is cut short (a strip or tile ends early).');
      const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const row = new Array<number>(cw * chunkSpp);
      for (let y = 0; y < rows && y0 + y < height; y++) {
        for (let i = 0; i < row.length; i++) row[i] = bps === 1 ? raw[y * rowBytes + i] : v.getUint16(y * rowBytes + 2 * i, le);
        if (predictor === 2) {
          const mask = bps === 1 ? 0xff : 0xffff;
          for (let i = chunkSpp; i < row.length; i++) row[i] = (row[i] + row[i - chunkSpp]) & mask;
        }
        const yy = y0 + y;
        for (let x = 0; x < cw && x0 + x < width; x++) {
          const o = (yy * width + x0 + x) * spp;
          if (planar) samples[o + p] = row[x];
          else for (let s = 0; s < spp; s++) samples[o + s] = row[x * spp + s];
        }
      }
    }
  }
  return { width, height, data: toRgba(samples, width * height, spp, bits, photometric, d.get(T.colorMap)) };
}

function toRgba(s: Uint8Array | Uint16Array, n: number, spp: number, bits: number, photometric: number, colorMap?: number[]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(n * 4);
  // 16-bit samples: the camera's range (10, 12, 14 or 16 bits) from the largest colour sample
  let range = 255;
  if (bits === 16) {
    let max = 0;
    const colours = photometric === 2 ? 3 : 1;
    for (let i = 0; i < n; i++) for (let c = 0; c < colours; c++) max = Math.max(max, s[i * spp + c]);
    // cameras digitise 10, 12, 14 or 16 bits: a dim 12-bit image (max 1,500) is read at 12 bits, not 11
    const bits16 = Math.min(16, 2 * Math.ceil(Math.max(8, Math.ceil(Math.log2(max + 1))) / 2));
    range = photometric === 0 ? 65535 : Math.pow(2, bits16) - 1;
  }
  const k = 255 / range;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const j = i * spp;
    if (photometric === 2) {
      out[o] = Math.round(s[j] * k);
      out[o + 1] = Math.round(s[j + 1] * k);
      out[o + 2] = Math.round(s[j + 2] * k);
    } else if (photometric === 3) {
      const v = s[j];
      out[o] = colorMap![v] >> 8;
      out[o + 1] = colorMap![256 + v] >> 8;
      out[o + 2] = colorMap![512 + v] >> 8;
    } else {
      const g = Math.round((photometric === 0 ? range - s[j] : s[j]) * k);
      out[o] = out[o + 1] = out[o + 2] = g;
    }
    out[o + 3] = 255;
  }
  return out;
}
