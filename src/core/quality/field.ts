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
export function findCircularField(img: Rgba): Circle | null {
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
  if (p90 < 40) return null; // too dark to tell disc from ring
  const cut = RING_FRACTION * p90;
  if (!cornersDark((p) => g[p], cut)) return null;
  // Bright pixels with the disc's holes filled row by row: dark cells and nuclei inside the disc are not
  // ring. A row's disc runs from its first to its last bright pixel.
  let area = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < h; y++) {
    let first = -1;
    let last = -1;
    for (let x = 0; x < w; x++) {
      if (g[y * w + x] >= cut) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    const len = last - first + 1;
    area += len;
    sx += ((first + last + 1) / 2) * len;
    sy += (y + 0.5) * len;
  }
  if (area < 0.05 * n) return null;
  const r = Math.sqrt(area / Math.PI);
  return { cx: sx / area, cy: sy / area, r };
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
