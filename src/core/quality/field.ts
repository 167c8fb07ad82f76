/**
 * The circular bright field of an eyepiece photo: a phone held to the eyepiece sees a disc of smear in a
 * black ring. The ring is the instrument, not the sample, so the quality statistics, the live capture's
 * signatures and the counts look only inside the disc. Found on the small statistics copy: the ring is
 * present when the corners are dark and the bright pixels form a disc (their area and spread agree).
 */
import type { Rgba } from './pixels';

/** In the pixels of the image it was found on. */
export interface Circle {
  cx: number;
  cy: number;
  r: number;
}

/** A pixel darker than this fraction of the bright field's median is ring (the lamp lights the disc). */
const RING_FRACTION = 0.25;
/** Corners: each of the four corner patches must be at least this dark for a ring to exist. */
const CORNER_DARK = 0.8;

const greyAt = (d: Rgba['data'], i: number) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];

/**
 * The disc, or null when the image has no black ring (an ordinary microscope camera image, or a dark
 * image whose disc cannot be told from its ring). The radius comes from the bright area (r = √(A/π)),
 * which noise at the rim hardly moves; the centre is the bright pixels' centroid.
 */
export function findCircularField(img: Rgba, minShare = MIN_FIELD_SHARE): Circle | null {
  const { data, width: w, height: h } = img;
  const n = w * h;
  if (n < 64) return null;
  const pw = Math.max(1, Math.round(w / 10));
  const ph = Math.max(1, Math.round(h / 10));
  // corner patches (a tenth of each side): an ordinary field is bright there
  const cornersDark = (grey: (p: number) => number, cut: number) =>
    [[0, 0], [w - pw, 0], [0, h - ph], [w - pw, h - ph]].every(([x0, y0]) => {
      let dark = 0;
      for (let y = y0; y < y0 + ph; y++) for (let x = x0; x < x0 + pw; x++) if (grey(y * w + x) < cut) dark++;
      return dark >= CORNER_DARK * pw * ph;
    });
  // The corner test first at the darkest cut any image can have (the 90th percentile is at most 255):
  // a corner too bright even for it fails the real test too, so an ordinary field (most images) is
  // answered from its corners alone, the same answer as the whole test gives, at 4% of the pixels.
  if (!cornersDark((p) => Math.fround(greyAt(data, p * 4)), RING_FRACTION * 255)) return null;
  const g = new Float32Array(n);
  const hist = new Uint32Array(256);
  for (let p = 0; p < n; p++) {
    g[p] = greyAt(data, p * 4);
    hist[Math.min(255, Math.round(g[p]))]++;
  }
  // the bright field's level: the 90th percentile (cells darken the disc; the ring never lights it)
  let c = 0;
  let p90 = 0;
  for (let k = 0; k < 256; k++) {
    c += hist[k];
    if (c >= 0.9 * n) {
      p90 = k;
      break;
    }
  }
  // A disc under about a tenth of the frame (the phone held back from the eyepiece, or not zoomed) leaves the
  // 90th percentile in the ring: its level is then read on the pixels brighter than the ring can be.
  if (p90 < DARK_LEVEL) return smallField(g, hist, w, h, (cut) => cornersDark((p) => g[p], cut), minShare);
  const cut = RING_FRACTION * p90;
  if (!cornersDark((p) => g[p], cut)) return null;
  // Bright pixels with the disc's holes filled row by row: dark cells and nuclei inside the disc are not
  // ring. A row's disc runs from its first to its last bright pixel.
  const { area, sx, sy } = rowSpans(w, h, (p) => g[p] >= cut);
  if (area < 0.05 * n) return null;
  const r = Math.sqrt(area / Math.PI);
  return { cx: sx / area, cy: sy / area, r };
}

/** The pixels `inside` with each row's holes filled (a row's disc runs from its first to its last such pixel):
 * their area, the sums for their centroid, and their bounding box. */
function rowSpans(w: number, h: number, inside: (p: number) => boolean) {
  let area = 0;
  let sx = 0;
  let sy = 0;
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    let first = -1;
    let last = -1;
    for (let x = 0; x < w; x++) {
      if (inside(y * w + x)) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    const len = last - first + 1;
    area += len;
    sx += ((first + last + 1) / 2) * len;
    sy += (y + 0.5) * len;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, last);
    y0 = Math.min(y0, y);
    y1 = y;
  }
  return { area, sx, sy, x0, x1, y0, y1 };
}

/** Grey level under which the whole image is too dark to tell a disc from its ring (the 90th percentile, or
 * a small disc's own level). */
const DARK_LEVEL = 40;
/** The least share of the frame a small field is found at: a disc of about 9 px radius on the 256-px copy.
 * Smaller, it is a lamp's glint or a speck, and nothing in it can be judged. */
export const MIN_FIELD_SHARE = 0.005;
/** The least share of the frame a field of view too small to count is told at (findTinyField): a disc of about
 * 4 px radius on the 256-px copy, 62 px in a 12 MP photo. Smaller, a glint is as likely. */
export const TINY_FIELD_SHARE = 0.001;
/** The widest a small field's rim may be, between a quarter and a half of its level: this many pixels of
 * the copy, or this share of its radius. */
const MAX_RIM_PX = 4;
const MAX_RIM_SHARE = 0.3;
/** A bright region this much of its bounding box or less is no field of view (a streak, a stray reflection):
 * a disc fills π/4 of its box, a disc cut by the frame's edge or an oval more. */
const MIN_FILL = 0.55;

/**
 * A field of view under about a tenth of the frame. The lamp's level is the 90th percentile of the pixels
 * brighter than DARK_LEVEL (the disc's), the ring is what is darker than RING_FRACTION of it, and the field is
 * the largest connected bright region with its holes (cells, nuclei) filled row by row: a glint elsewhere in
 * the black is not part of it. It must be compact (MIN_FILL) and at least MIN_FIELD_SHARE of the frame.
 */
function smallField(g: Float32Array, hist: Uint32Array, w: number, h: number, cornersDark: (cut: number) => boolean, minShare: number): Circle | null {
  const n = w * h;
  let bright = 0;
  for (let k = DARK_LEVEL; k < 256; k++) bright += hist[k];
  if (bright < minShare * n) return null;
  let level = 0;
  for (let k = DARK_LEVEL, c = 0; k < 256; k++) {
    c += hist[k];
    if (c >= 0.9 * bright) {
      level = k;
      break;
    }
  }
  const cut = RING_FRACTION * level;
  if (!cornersDark(cut)) return null;
  // the largest 4-connected region of pixels at or above the cut
  const label = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  let best = -1;
  let bestSize = 0;
  for (let p0 = 0, id = 0; p0 < n; p0++) {
    if (label[p0] >= 0 || g[p0] < cut) continue;
    let top = 0;
    let size = 0;
    stack[top++] = p0;
    label[p0] = id;
    while (top) {
      const p = stack[--top];
      size++;
      const x = p % w;
      const visit = (q: number) => {
        if (label[q] < 0 && g[q] >= cut) {
          label[q] = id;
          stack[top++] = q;
        }
      };
      if (x > 0) visit(p - 1);
      if (x < w - 1) visit(p + 1);
      if (p >= w) visit(p - w);
      if (p < n - w) visit(p + w);
    }
    if (size > bestSize) {
      bestSize = size;
      best = id;
    }
    id++;
  }
  if (best < 0) return null;
  const { area, sx, sy, x0, x1, y0, y1 } = rowSpans(w, h, (p) => label[p] === best);
  if (area < minShare * n || area < MIN_FILL * (x1 - x0 + 1) * (y1 - y0 + 1)) return null;
  const r = Math.sqrt(area / Math.PI);
  // A field stop's rim is a step: between a quarter and a half of the lamp's level lies a thin line round the
  // disc. A dim lamp's field, bright in the middle and falling off slowly to dark corners, has a broad band
  // there instead: it is an under-exposed field, not a small field of view.
  let band = 0;
  for (let p = 0; p < n; p++) if (g[p] >= cut && g[p] < 2 * cut) band++;
  if (band > 2 * Math.PI * r * Math.max(MAX_RIM_PX, MAX_RIM_SHARE * r)) return null;
  return { cx: sx / area, cy: sy / area, r };
}

/**
 * A field of view too small to count: a disc under MIN_FIELD_SHARE of the frame (down to TINY_FIELD_SHARE), found
 * by the same rules as a small field (a compact bright region with its holes filled, dark corners, a step at its
 * rim). findCircularField leaves it out, as nothing in it can be judged or counted; the frame's statistics then
 * read the black about it as a dark lamp, where the technician should be told to bring the phone closer.
 * Its share of the frame, or null. For an image where findCircularField found no field (it would find a larger
 * one here too).
 */
export function findTinyField(img: Rgba): number | null {
  const c = findCircularField(img, TINY_FIELD_SHARE);
  return c ? fieldShare(c, img.width, img.height) : null;
}

/** The share of a `width` x `height` frame the field covers (the part of the disc inside the frame). */
export function fieldShare(c: Circle, width: number, height: number): number {
  if (!(width > 0 && height > 0)) return 0;
  // the disc clipped to the frame, on a grid of about 64 x 64 steps across the disc
  const step = Math.max(c.r / 32, 1e-6);
  let inside = 0;
  for (let y = Math.max(0, c.cy - c.r) + step / 2; y < Math.min(height, c.cy + c.r); y += step) {
    for (let x = Math.max(0, c.cx - c.r) + step / 2; x < Math.min(width, c.cx + c.r); x += step) if ((x - c.cx) ** 2 + (y - c.cy) ** 2 <= c.r ** 2) inside++;
  }
  return Math.min(1, (inside * step * step) / (width * height));
}

/** The circle in another copy's pixels (the same image at `factor` times the size). */
export const scaleCircle = (c: Circle, factor: number): Circle => ({ cx: c.cx * factor, cy: c.cy * factor, r: c.r * factor });

/** Whether a point lies inside the circle shrunk by `margin` pixels. */
export const inCircle = (c: Circle, x: number, y: number, margin = 0) => (x - c.cx) ** 2 + (y - c.cy) ** 2 <= Math.max(0, c.r - margin) ** 2;

/** The largest axis-aligned square inside the circle, clipped to the image: where a signature of the
 * field is read. */
export function innerSquare(c: Circle, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const half = c.r / Math.SQRT2;
  const x0 = Math.max(0, c.cx - half);
  const y0 = Math.max(0, c.cy - half);
  const x1 = Math.min(width, c.cx + half);
  const y1 = Math.min(height, c.cy + half);
  return { x: x0, y: y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) };
}

/**
 * The model's input only: every pixel outside the disc takes the disc's mean colour, channel by channel.
 * The detector standardises each image by its own mean and spread (the card's `input.normalisation`); a
 * black ring pulls both far from the smear's, and the cells near it were lost (validation images with a
 * ring: platelets 0.51 against 0.88 without). Filled with the field's own mean, the ring leaves the
 * statistics as the disc alone has them and shows the network no edge. `chw`: float CHW RGB, in place.
 */
export function fillOutsideField(chw: Float32Array, width: number, height: number, c: Circle): void {
  const n = width * height;
  if (chw.length !== 3 * n) throw new RangeError(`expected ${3 * n} floats, got ${chw.length}`);
  const sum = [0, 0, 0];
  let inside = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inCircle(c, x + 0.5, y + 0.5)) continue;
      const i = y * width + x;
      sum[0] += chw[i];
      sum[1] += chw[n + i];
      sum[2] += chw[2 * n + i];
      inside++;
    }
  }
  if (!inside) return;
  const mean = sum.map((s) => s / inside);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (inCircle(c, x + 0.5, y + 0.5)) continue;
      const i = y * width + x;
      chw[i] = mean[0];
      chw[n + i] = mean[1];
      chw[2 * n + i] = mean[2];
    }
  }
}

/** A field of view under this share of the frame is read by the detector as a crop of its own (fieldRegion). */
export const CROP_FIELD_SHARE = 0.3;
/** The crop's margin about the disc, a share of its radius: the rim's cells whole, and dark corners, so the
 * worker finds the disc again on the crop and fills the ring about it. */
const CROP_MARGIN = 0.08;

/**
 * The square about a small field of view (under CROP_FIELD_SHARE of the frame), clipped to the image, in
 * whole pixels: what the detector reads in place of the whole frame, so that the disc's cells can be brought
 * to the model's scale (scale.ts detectWithScale). Null for no field, or one large enough to read whole.
 */
export function fieldRegion(c: Circle | null, width: number, height: number): { x: number; y: number; width: number; height: number } | null {
  if (!c || !(c.r > 0) || fieldShare(c, width, height) >= CROP_FIELD_SHARE) return null;
  const half = c.r * (1 + CROP_MARGIN);
  const x0 = Math.max(0, Math.floor(c.cx - half));
  const y0 = Math.max(0, Math.floor(c.cy - half));
  const x1 = Math.min(width, Math.ceil(c.cx + half));
  const y1 = Math.min(height, Math.ceil(c.cy + half));
  if (x1 - x0 < 8 || y1 - y0 < 8) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
