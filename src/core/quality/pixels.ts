/**
 * Pixel statistics for the quality flags, computed once per image on a small copy (long side
 * STATS_SIDE) of the already-decoded bitmap: about 50k pixels, a few milliseconds. The shrink is an
 * exact area average done here, in core, so that the app and `npm run eval` measure the same numbers
 * whatever resampler the browser has (the page only hands over the pixels, at most 4x STATS_SIDE).
 */
import type { Box } from '../detection/geometry';
import { CROP_FIELD_SHARE, fieldRegion, fieldShare, findCircularField, inCircle, type Circle } from './field';
import { fitIllumination, flattenRgba, greyOfRgba, needsEvening } from './illumination';

/** Long side of the image the statistics are taken on. */
export const STATS_SIDE = 256;
/** The page reads pixels at no more than this long side before the exact shrink (bounds the copy). */
export const STATS_READ_SIDE = 4 * STATS_SIDE;

export interface Rgba {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** A small copy and how it maps to the original image: small px = image px x `scale`. */
export interface SmallImage extends Rgba {
  scale: number;
  /** The JPEG blockiness of the image it was made from (see `blockiness`), read at its own resolution: the
   * whole image, or a large one's `blockWindow`; null where neither was read. */
  blockiness?: number | null;
  /** A small eyepiece field (under CROP_FIELD_SHARE of the frame) copied on its own from the pixels the page
   * read, at up to STATS_SIDE a side, with the disc in its pixels: the statistics are read there, where the
   * disc's cells have about the pixels an ordinary field's have on this copy (on the whole frame's copy a disc
   * a tenth of it is 80 px wide, and its cells' edges read as grain). Absent: no such field. */
  field?: FieldCopy;
  /** The light's evenness (core/quality/illumination: the darkest part of the light over the brightest, 1 when
   * it could not be read). Under EVEN_OUT_BAR the copy's `data` is flattened, as the detector's input is, and
   * `unflattened` keeps the pixels as read, for what the camera clipped. Absent on copies made before. */
  light?: number;
  unflattened?: Uint8Array | Uint8ClampedArray;
}

export interface FieldCopy extends Rgba {
  circle: Circle;
}

/** Size of the copy the statistics use: long side STATS_SIDE, never enlarged. */
export function statsSize(width: number, height: number, side = STATS_SIDE): { width: number; height: number } {
  const s = Math.min(1, side / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/** What the page should read before calling shrinkTo (long side at most STATS_READ_SIDE). */
export function readSize(width: number, height: number): { width: number; height: number } {
  return statsSize(width, height, STATS_READ_SIDE);
}

/** Exact area-average resize of RGBA bytes (shrinking only; each output pixel averages the input area it covers). */
export function shrinkArea(src: Rgba, outW: number, outH: number): Uint8ClampedArray {
  const { data, width: w, height: h } = src;
  if (data.length !== w * h * 4) throw new RangeError(`expected ${w * h * 4} RGBA bytes, got ${data.length}`);
  if (outW > w || outH > h) throw new RangeError('shrinkArea only shrinks');
  const fx = w / outW;
  const fy = h / outH;
  // Per output column: the input columns it covers and the part of each it covers, computed once
  // (the same arithmetic per pixel as before, so the same bytes: the calibrations rest on them).
  const colFrom = new Int32Array(outW + 1);
  const taps: number[] = [];
  const tapW: number[] = [];
  for (let x = 0; x < outW; x++) {
    colFrom[x] = taps.length;
    const a = x * fx;
    const b = (x + 1) * fx;
    const x0 = Math.floor(a);
    const x1 = Math.min(w - 1, Math.ceil(b) - 1);
    for (let sx = x0; sx <= x1; sx++) {
      const wx = Math.min(sx + 1, b) - Math.max(sx, a);
      if (wx <= 0) continue;
      taps.push(sx * 4);
      tapW.push(wx);
    }
  }
  colFrom[outW] = taps.length;
  const tapAt = Int32Array.from(taps);
  const tapWeight = Float64Array.from(tapW);
  const out = new Uint8ClampedArray(outW * outH * 4);
  const acc = new Float64Array(outW * 4);
  for (let y = 0; y < outH; y++) {
    acc.fill(0);
    const a = y * fy;
    const b = (y + 1) * fy;
    const y0 = Math.floor(a);
    const y1 = Math.min(h - 1, Math.ceil(b) - 1);
    for (let sy = y0; sy <= y1; sy++) {
      const wy = Math.min(sy + 1, b) - Math.max(sy, a);
      if (wy <= 0) continue;
      const row = sy * w * 4;
      for (let x = 0, o = 0; x < outW; x++, o += 4) {
        let r = acc[o];
        let g = acc[o + 1];
        let bl = acc[o + 2];
        let al = acc[o + 3];
        for (let t = colFrom[x], end = colFrom[x + 1]; t < end; t++) {
          const wx = tapWeight[t] * wy;
          const i = row + tapAt[t];
          r += data[i] * wx;
          g += data[i + 1] * wx;
          bl += data[i + 2] * wx;
          al += data[i + 3] * wx;
        }
        acc[o] = r;
        acc[o + 1] = g;
        acc[o + 2] = bl;
        acc[o + 3] = al;
      }
    }
    const norm = 1 / (fx * fy);
    for (let i = 0; i < outW * 4; i++) out[y * outW * 4 + i] = Math.round(acc[i] * norm);
  }
  return out;
}

/** The statistics' copy of an image whose pixels were read at `src` size from an original `origWidth` wide.
 * Its blockiness is measured where the page reads the image at its own size (long side up to
 * STATS_READ_SIDE), or, for a larger image, on `window`: its `blockWindow` at its own resolution; in the app
 * and the eval alike. */
export function toSmall(src: Rgba, origWidth: number, window?: Rgba | null): SmallImage {
  const size = statsSize(src.width, src.height, Math.min(STATS_SIDE, Math.max(src.width, src.height)));
  const data = size.width === src.width && size.height === src.height ? src.data : shrinkArea(src, size.width, size.height);
  const own = src.width === origWidth && Math.max(src.width, src.height) <= STATS_READ_SIDE;
  const small: SmallImage = { data, width: size.width, height: size.height, scale: size.width / origWidth, blockiness: own ? blockiness(src) : window ? blockiness(window) : null };
  const disc = findCircularField(small);
  const field = fieldCopy(src, small, disc);
  if (field) small.field = field;
  return withEvenLight(small, disc);
}

/** The light, read as the detector's worker reads it (an eyepiece disc's ring left out, `field` in this
 * copy's pixels): an uneven field is judged, and its red cells compared with its white ones, evenly lit, as it is
 * counted (SmallImage.light). Sets `light`, and where it evens the copy out, `data` and `unflattened`. */
export function withEvenLight<T extends Rgba & Pick<SmallImage, 'light' | 'unflattened'>>(img: T, field: Circle | null): T {
  const { data, width, height } = img;
  const ill = fitIllumination(greyOfRgba(data, width, height), width, height, field);
  img.light = ill ? ill.ratio : 1;
  if (needsEvening(ill)) {
    img.unflattened = data;
    img.data = flattenRgba(data, width, height, ill);
  }
  return img;
}

/** See SmallImage.field: the square about a small field, cut from `src` (the pixels `small` was shrunk from); `c`: the
 * disc found on `small`, where the caller has it. */
export function fieldCopy(src: Rgba, small: Rgba, c: Circle | null = findCircularField(small)): FieldCopy | null {
  if (!c || fieldShare(c, small.width, small.height) >= CROP_FIELD_SHARE) return null;
  const k = src.width / small.width;
  const region = fieldRegion({ cx: c.cx * k, cy: c.cy * k, r: c.r * k }, src.width, src.height);
  if (!region) return null;
  const crop = cropRgba(src, region);
  const size = statsSize(crop.width, crop.height);
  const f = size.width / crop.width;
  const data = size.width === crop.width && size.height === crop.height ? crop.data : shrinkArea(crop, size.width, size.height);
  return { data, width: size.width, height: size.height, circle: { cx: (c.cx * k - region.x) * f, cy: (c.cy * k - region.y) * f, r: c.r * k * f } };
}

/** The statistics' copy of a decoded image, as the page makes it (the eval's and the calibration's): read at
 * `readSize`, shrunk exactly, its blocks judged at its own resolution (in `blockWindow` when it is large). */
export function smallOf(img: Rgba): SmallImage {
  const large = Math.max(img.width, img.height) > STATS_READ_SIDE;
  return toSmall(img, img.width, large ? cropRgba(img, blockWindow(img.width, img.height)) : null);
}

/** The part of a large image whose JPEG blocks are judged, at its own resolution: a centred window of at
 * most STATS_READ_SIDE a side (the whole image when it is no larger). The page crops it from the decoded
 * image, the eval from the decoded file: the same pixels. */
export function blockWindow(width: number, height: number): { x: number; y: number; width: number; height: number } {
  const w = Math.min(width, STATS_READ_SIDE);
  const h = Math.min(height, STATS_READ_SIDE);
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** RGBA of a window of an image. */
export function cropRgba(img: Rgba, r: { x: number; y: number; width: number; height: number }): Rgba {
  const data = new Uint8ClampedArray(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) data.set(img.data.subarray(((r.y + y) * img.width + r.x) * 4, ((r.y + y) * img.width + r.x + r.width) * 4), y * r.width * 4);
  return { data, width: r.width, height: r.height };
}

/** Side of a JPEG block. */
const JPEG_BLOCK = 8;
/** Images smaller than this on either side give too few block edges to judge. */
const MIN_BLOCKINESS_SIDE = 64;
/** Blockiness is capped here (a JPEG at quality 2 has flat blocks: steps on the grid only). */
export const MAX_BLOCKINESS = 99;

/**
 * How much a JPEG's 8x8 blocks show, at the image's own resolution: the mean |step| in grey level
 * between neighbouring pixels, per column (and row) position modulo 8, at the position where it is
 * largest over the median of the other seven, for columns and rows together. A heavily compressed JPEG
 * keeps each block's mean and little else, so its steps gather on the block grid (a ratio of 2-5 at
 * quality 5-10); an uncompressed or well-compressed image has no such position (near 1). The largest
 * position rather than 7 of 8 is used, so a JPEG cropped off its grid reads the same. Null for images too
 * small to judge.
 */
export function blockiness(img: Rgba): number | null {
  const { data, width: w, height: h } = img;
  if (w < MIN_BLOCKINESS_SIDE || h < MIN_BLOCKINESS_SIDE) return null;
  const g = new Float32Array(w * h);
  for (let p = 0, i = 0; p < g.length; p++, i += 4) g[p] = grey(data, i);
  const cols = new Float64Array(JPEG_BLOCK);
  const rows = new Float64Array(JPEG_BLOCK);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w - 1; x++) cols[x % JPEG_BLOCK] += Math.abs(g[row + x + 1] - g[row + x]);
    if (y < h - 1) {
      let s = 0;
      for (let x = 0; x < w; x++) s += Math.abs(g[row + w + x] - g[row + x]);
      rows[y % JPEG_BLOCK] += s;
    }
  }
  const peak = (a: Float64Array) => {
    const sorted = Array.from(a).sort((u, v) => u - v);
    const top = sorted[JPEG_BLOCK - 1];
    const rest = sorted.slice(0, JPEG_BLOCK - 1);
    return { top, rest: (rest[3] + rest[2]) / 2 };
  };
  const c = peak(cols);
  const r = peak(rows);
  const base = c.rest + r.rest;
  const top = c.top + r.top;
  if (!top) return null; // a flat picture: nothing to judge
  return Math.min(MAX_BLOCKINESS, base > 0 ? top / base : MAX_BLOCKINESS);
}

const grey = (d: Rgba['data'], i: number) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];

export interface PixelStats {
  /** The 99th percentile of |Laplacian| of the grey image over its standard deviation, at the stats
   * size: blur lowers it, stain intensity and exposure do not. The percentile reads the cells' edges; a
   * mean would be held up by 8-bit rounding and sensor noise, which a blurred field has as much of as a
   * sharp one (the mean floored at the threshold for blurs of 9-12 px on CBC fields). */
  sharpness: number;
  /** The sharpness read on the grey smoothed 3x3 (binomial): grain, each pixel its own, falls there and a cell's
   * edge stays, so a blurred field under a sensor's grain reads blurred here while `sharpness` reads the grain.
   * An image is out of focus when either is under its bar. Absent in images counted before it existed. */
  edges?: number;
  /** Colour signature: ln(R/G) and ln(B/G) of the whole image's mean colour, then of its darkest
   * fifth (stained cells). Zero for grey pictures; a smear is pink to purple. */
  colour: [number, number, number, number];
  /** Mean grey level 0-255 (exposure), of the pixels as read (not evened out: see SmallImage.light). */
  brightness: number;
  /** The median |Laplacian| of the grey image at the stats size, in grey levels: most of a smear is flat
   * background and cell interiors, where the Laplacian is the sensor's grain, so the median reads the
   * noise and not the cells' edges (which the sharpness's 99th percentile reads). Absent in images
   * counted before it existed. */
  noise?: number;
  /** The mean spread of a pixel's three channels (max - min, grey levels): a stained smear's red cells
   * and nuclei are coloured (15-40 on the training microscopes); a monochrome camera gives 0, or 1-2 where
   * it saves RGB JPEGs. Absent in images counted before it existed. */
  colourSpread?: number;
  /** The same spread after the grey-world balance (each channel scaled so the three means are equal): a
   * colour cast (a lamp, a phone's white balance) tints every pixel alike and is divided out, while a vivid
   * picture stays vivid. Stained smears read 8-48 (4,019 images of the six sets); a room, a poster or a test
   * chart 80-250. Absent in images counted before it existed. */
  balancedSpread?: number;
  /** The share of the pixels whose brightest channel is at 254 or more: clipped by the camera. A field lit or
   * exposed too strongly loses the pale centres of its red cells and its platelets to white. Absent in images
   * counted before it existed. */
  clipped?: number;
  /** See SmallImage.blockiness. Absent in images counted before it existed. */
  blockiness?: number | null;
  /** The long side of the image it was made from, in its own pixels (the `compressed` flag's bar grows
   * with it). Absent in images counted before it existed, and for a bare RGBA picture. */
  longSide?: number;
  /** The share of the frame the eyepiece's field of view covers, where one was found (core/quality/field
   * fieldShare): under SMALL_FIELD_SHARE the phone is held too far from the eyepiece, or not zoomed in. Absent:
   * no field of view found (an ordinary camera image), or counted before it existed. */
  fieldShare?: number;
  /** See SmallImage.light: under EVEN_OUT_BAR the field was evened out before it was counted and judged, and
   * under UNEVEN_BAR the image is flagged `uneven-light`. Absent in images counted before it existed. */
  light?: number;
  /** Small copy's size, for the record. */
  width: number;
  height: number;
}

const lnRatio = (a: number, b: number) => Math.log((a + 1) / (b + 1));

/** Sharpness reads this quantile of |Laplacian|: the cells' edges, above the noise of the flat background. */
const SHARPNESS_QUANTILE = 0.99;
const LAP_BIN_PER_LEVEL = 8;
const LAP_BINS = 4 * 256 * LAP_BIN_PER_LEVEL;

/** Pixels this close to the circular field's rim are left out: the rim's step would read as sharpness. */
const RIM_MARGIN_PX = 3;

/** Grey smoothed by the 3x3 binomial kernel ([1 2 1] across, then down; the edge replicated). */
function binomial3(g: Float32Array, w: number, h: number): Float32Array {
  const t = new Float32Array(g.length);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < w; x++) t[r + x] = (g[r + Math.max(0, x - 1)] + 2 * g[r + x] + g[r + Math.min(w - 1, x + 1)]) / 4;
  }
  const out = new Float32Array(g.length);
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1) * w;
    const down = Math.min(h - 1, y + 1) * w;
    const r = y * w;
    for (let x = 0; x < w; x++) out[r + x] = (t[up + x] + 2 * t[r + x] + t[down + x]) / 4;
  }
  return out;
}

/** The histogram of |Laplacian| of grey `g` over the pixels `inside` (borders left out), and how many it holds. */
function laplacianHistogram(g: Float32Array, w: number, h: number, inside: Uint8Array): { hist: Uint32Array; m: number } {
  const hist = new Uint32Array(LAP_BINS);
  let m = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      if (!inside[p]) continue;
      const lap = Math.abs(4 * g[p] - g[p - 1] - g[p + 1] - g[p - w] - g[p + w]);
      hist[Math.min(LAP_BINS - 1, Math.floor(lap * LAP_BIN_PER_LEVEL))]++;
      m++;
    }
  }
  return { hist, m };
}

/** The quantile `q` of such a histogram: its bin's lower edge in grey levels (0 for a flat image). */
function lapQuantile(hist: Uint32Array, m: number, q: number): number {
  for (let c = 0, k = 0; m && k < LAP_BINS; k++) {
    c += hist[k];
    if (c >= q * m) return k / LAP_BIN_PER_LEVEL;
  }
  return 0;
}

/** The median of such a histogram, in grey levels (PixelStats.noise). */
function lapMedian(hist: Uint32Array, m: number): number {
  for (let c = 0, k = 0; m && k < LAP_BINS; k++) {
    c += hist[k];
    if (c >= 0.5 * m) return (k + 0.5) / LAP_BIN_PER_LEVEL;
  }
  return 0;
}

/**
 * The statistics of the whole image, or, for an eyepiece photo, of its circular field only (`field`, in
 * this copy's pixels): the black ring would otherwise be the "darkest fifth" (no stain colour) and its
 * rim the sharpest edge.
 */
export function pixelStats(img: Rgba, field: Circle | null = null): PixelStats {
  const { data, width: w, height: h } = img;
  // what the camera clipped is read on the pixels as read, not on a flattened copy (which raises the dark part)
  const asRead = (img as SmallImage).unflattened ?? data;
  const n = w * h;
  const inside = new Uint8Array(n);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) inside[y * w + x] = !field || inCircle(field, x + 0.5, y + 0.5, RIM_MARGIN_PX) ? 1 : 0;
  const g = new Float32Array(n);
  let sr = 0;
  let sg = 0;
  let sb = 0;
  let spread = 0;
  let clipped = 0;
  let sum = 0;
  let sum2 = 0;
  let count = 0;
  for (let p = 0; p < n; p++) {
    const i = p * 4;
    const v = grey(data, i);
    g[p] = v;
    if (!inside[p]) continue;
    count++;
    sr += data[i];
    sg += data[i + 1];
    sb += data[i + 2];
    const top = Math.max(data[i], data[i + 1], data[i + 2]);
    spread += top - Math.min(data[i], data[i + 1], data[i + 2]);
    if (Math.max(asRead[i], asRead[i + 1], asRead[i + 2]) >= 254) clipped++;
    sum += v;
    sum2 += v * v;
  }
  const cnt = Math.max(1, count);
  const mean = sum / cnt;
  const level = (sr + sg + sb) / 3;
  const [kr, kg, kb] = [level / (sr + cnt), level / (sg + cnt), level / (sb + cnt)];
  let balanced = 0;
  for (let p = 0; p < n; p++) {
    if (!inside[p]) continue;
    const i = p * 4;
    const r = data[i] * kr;
    const gg = data[i + 1] * kg;
    const b = data[i + 2] * kb;
    balanced += Math.max(r, gg, b) - Math.min(r, gg, b);
  }
  const sd = Math.sqrt(Math.max(0, sum2 / cnt - mean * mean));
  // |Laplacian| is at most 4 x 255 on 8-bit grey: a histogram of 1/8-level bins gives its percentile
  const { hist: lapHist, m } = laplacianHistogram(g, w, h, inside);
  const sharpness = m && sd > 1e-6 ? lapQuantile(lapHist, m, SHARPNESS_QUANTILE) / sd : 0;
  // The same on the grey smoothed by a 3x3 binomial: a sensor's grain (each pixel its own) falls to 0.375 of its
  // spread there while a cell's edge, several pixels wide on this copy, stays, so grain over a blurred field does
  // not read as focus (validation fields blurred by 5 px under grain of 3 read as sharp, and lost an eighth of
  // their platelets with no flag).
  const edges = m && sd > 1e-6 ? lapQuantile(laplacianHistogram(binomial3(g, w, h), w, h, inside).hist, m, SHARPNESS_QUANTILE) / sd : 0;
  let noise = lapMedian(lapHist, m);
  // A flattened copy raised its dark part, and the grain there with it: exposure and grain are the camera's,
  // read on the pixels as read (their bars were measured there); edges and colours on the even copy.
  let brightness = mean;
  if (asRead !== data) {
    const raw = new Float32Array(n);
    let rs = 0;
    for (let p = 0; p < n; p++) {
      raw[p] = grey(asRead, p * 4);
      if (inside[p]) rs += raw[p];
    }
    brightness = rs / cnt;
    noise = lapMedian(laplacianHistogram(raw, w, h, inside).hist, m);
  }
  // darkest fifth by grey level: a 256-bin histogram avoids sorting 50k values
  const hist = new Uint32Array(256);
  for (let p = 0; p < n; p++) if (inside[p]) hist[Math.min(255, Math.max(0, Math.round(g[p])))]++;
  let cut = 0;
  for (let c = 0, k = 0; k < 256; k++) {
    c += hist[k];
    if (c >= cnt / 5) {
      cut = k;
      break;
    }
  }
  let dr = 0;
  let dg = 0;
  let db = 0;
  let dn = 0;
  for (let p = 0; p < n; p++) {
    if (!inside[p] || Math.round(g[p]) > cut) continue;
    const i = p * 4;
    dr += data[i];
    dg += data[i + 1];
    db += data[i + 2];
    dn++;
  }
  dn = Math.max(1, dn);
  return {
    sharpness,
    edges,
    colour: [lnRatio(sr / cnt, sg / cnt), lnRatio(sb / cnt, sg / cnt), lnRatio(dr / dn, dg / dn), lnRatio(db / dn, dg / dn)],
    brightness,
    noise,
    colourSpread: spread / cnt,
    balancedSpread: balanced / cnt,
    clipped: clipped / cnt,
    blockiness: 'blockiness' in img ? ((img as SmallImage).blockiness ?? null) : null,
    ...('scale' in img ? { longSide: Math.round(Math.max(w, h) / (img as SmallImage).scale) } : {}),
    ...((img as SmallImage).light !== undefined ? { light: (img as SmallImage).light } : {}),
    width: w,
    height: h,
  };
}

/** Colour of the pixels inside boxes (image coordinates), for the RBC reference of the WBC rule. */
export interface BoxPixels {
  /** grey levels */
  grey: number[];
  /** B - R per pixel (a nucleus is bluer than haemoglobin) */
  blue: number[];
}

/** Calls `visit` with the RGBA index of each small-copy pixel inside the ellipse inscribed in the central
 * part (`inner` of each side) of a box in image coordinates: cells are round, a box's corners are background. */
export function forEllipse(img: SmallImage, box: Box, inner: number, visit: (i: number) => void): void {
  const cx = ((box.x1 + box.x2) / 2) * img.scale;
  const cy = ((box.y1 + box.y2) / 2) * img.scale;
  const rx = ((box.x2 - box.x1) / 2) * img.scale * inner;
  const ry = ((box.y2 - box.y1) / 2) * img.scale * inner;
  const x0 = Math.max(0, Math.floor(cx - rx));
  const x1 = Math.min(img.width - 1, Math.ceil(cx + rx));
  const y0 = Math.max(0, Math.floor(cy - ry));
  const y1 = Math.min(img.height - 1, Math.ceil(cy + ry));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = (x + 0.5 - cx) / Math.max(rx, 0.5);
      const dy = (y + 0.5 - cy) / Math.max(ry, 0.5);
      if (dx * dx + dy * dy <= 1) visit((y * img.width + x) * 4);
    }
  }
}

/** Pixels of the central part (`inner` of each side) of a box, on the small copy. */
export function boxPixels(img: SmallImage, box: Box, inner = 0.8): BoxPixels {
  const out: BoxPixels = { grey: [], blue: [] };
  forEllipse(img, box, inner, (i) => {
    out.grey.push(grey(img.data, i));
    out.blue.push(img.data[i + 2] - img.data[i]);
  });
  return out;
}

export function quantile(xs: readonly number[], q: number): number | null {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1) + 0.5)))];
}
