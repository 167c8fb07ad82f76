/**
 * Sniffs the format and pixel size of an image from its first bytes, before decoding, so that a
 * non-image, a TIFF or a 200-megapixel scan is refused with a clear reason and without
 * allocating a bitmap for it.
 */
export type ImageKind = 'jpeg' | 'png' | 'webp' | 'bmp' | 'gif' | 'tiff' | 'avif' | 'heic';

export interface ImageHeader {
  kind: ImageKind;
  /** As stored: a JPEG with an EXIF orientation of 5-8 is shown with the two swapped. */
  width?: number;
  height?: number;
  /** A JPEG's EXIF orientation (1-8), where it has one other than 1: how a phone held on its side saved
   * the photo. Browsers apply it when they decode (createImageBitmap and <img> alike); `npm run eval`
   * applies it too (scripts/evaluation/decode), so a lab's labels meet the image they were drawn on. */
  orientation?: number;
}

const u16be = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u16le = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32be = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
const u32le = (b: Uint8Array, o: number) => b[o] + (b[o + 1] << 8) + (b[o + 2] << 16) + ((b[o + 3] << 24) >>> 0);
const i32le = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);

/** The orientation tag (0x0112) of an APP1 Exif segment's first directory; null where there is none. */
function exifOrientation(b: Uint8Array, o: number, len: number): number | null {
  // "Exif\0\0", then a TIFF header: II*\0 or MM\0*, the first directory's offset
  const t = o + 10;
  if (len < 16 || t + 8 > b.length || String.fromCharCode(b[o + 4], b[o + 5], b[o + 6], b[o + 7]) !== 'Exif' || b[o + 8] || b[o + 9]) return null;
  const le = b[t] === 0x49 && b[t + 1] === 0x49;
  if (!le && !(b[t] === 0x4d && b[t + 1] === 0x4d)) return null;
  const u16 = (x: number) => (le ? u16le(b, x) : u16be(b, x));
  const u32 = (x: number) => (le ? u32le(b, x) : u32be(b, x));
  const ifd = t + u32(t + 4);
  const end = Math.min(b.length, o + 2 + len);
  if (ifd + 2 > end) return null;
  const n = u16(ifd);
  for (let i = 0; i < n && ifd + 2 + 12 * (i + 1) <= end; i++) {
    const e = ifd + 2 + 12 * i;
    // SHORT, one value, held in the entry itself
    if (u16(e) === 0x0112 && u16(e + 2) === 3) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : null;
    }
  }
  return null;
}

/** Reads only the first `bytes` (64 KiB is enough for JPEG SOF markers after typical EXIF). */
export function sniffImage(b: Uint8Array): ImageHeader | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    // Walk JPEG segments to the first SOFn marker, reading an EXIF orientation on the way.
    let o = 2;
    let orientation: number | null = null;
    while (o + 9 < b.length) {
      if (b[o] !== 0xff) {
        o++;
        continue;
      }
      const m = b[o + 1];
      if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7) || m === 0xff) {
        o += m === 0xff ? 1 : 2;
        continue;
      }
      const len = u16be(b, o + 2);
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        return { kind: 'jpeg', height: u16be(b, o + 5), width: u16be(b, o + 7), ...(orientation && orientation !== 1 ? { orientation } : {}) };
      }
      if (m === 0xe1 && orientation === null) orientation = exifOrientation(b, o, len);
      o += 2 + len;
    }
    return { kind: 'jpeg' };
  }
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return { kind: 'png', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (b.length >= 30 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45) {
    const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
    if (chunk === 'VP8 ') return { kind: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = u32le(b, 21);
      return { kind: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') {
      return { kind: 'webp', width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
    }
    return { kind: 'webp' };
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    return { kind: 'bmp', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
  }
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) {
    return { kind: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (b.length >= 16 && String.fromCharCode(b[4], b[5], b[6], b[7]) === 'ftyp') {
    // ISO base media (HEIF): the brands say AVIF (AV1 inside) or HEIC (HEVC inside, the iPhone's photos)
    const size = Math.min(u32be(b, 0), b.length);
    const brands: string[] = [];
    for (let o = 8; o + 4 <= size; o += 4) if (o !== 12) brands.push(String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]));
    const kind = brands.some((x) => x === 'avif' || x === 'avis') ? 'avif' : brands.some((x) => ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(x)) ? 'heic' : null;
    if (!kind) return null;
    // the size is in 'ispe' properties (one per image item: tiles and thumbnails are smaller than the image)
    let best: { width: number; height: number } | null = null;
    for (let i = 0; i + 16 <= b.length; i++) {
      if (b[i] !== 0x69 || b[i + 1] !== 0x73 || b[i + 2] !== 0x70 || b[i + 3] !== 0x65) continue;
      const width = u32be(b, i + 8);
      const height = u32be(b, i + 12);
      if (!best || width * height > best.width * best.height) best = { width, height };
    }
    return best ? { kind, ...best } : { kind };
  }
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))) {
    return { kind: 'tiff' };
  }
  return null;
}

/** Files people drop by mistake that are not images: told apart so the refusal names what the file is and
 * what to do, not just "not an image" (HEIC and AVIF are sniffImage's: images, decoded where the browser can). */
export type OtherKind = 'pdf' | 'office' | 'zip';

export function sniffOther(b: Uint8Array): OtherKind | null {
  const ascii = (o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
  // a PDF starts with %PDF- (within its first 1 KiB: some writers put bytes before it)
  if (ascii(0, Math.min(b.length, 1024)).includes('%PDF-')) return 'pdf';
  // ZIP: a Word, Excel or PowerPoint document is one, its first entry named [Content_Types].xml or word/, xl/, ppt/
  if (b.length >= 30 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4) {
    const name = ascii(30, Math.min(u16le(b, 26), b.length - 30));
    return /^(\[Content_Types\]\.xml|word\/|xl\/|ppt\/)/.test(name) ? 'office' : 'zip';
  }
  return null;
}
