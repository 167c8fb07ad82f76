/**
 * Greyscale copies of a live frame: the small copies that stillness and the field signatures are judged
 * on. Pure (no canvas): the page hands over the RGBA of its small statistics copy.
 */
import type { Rgba } from '../quality/pixels';

export interface Grey {
  data: Float32Array;
  width: number;
  height: number;
}

export function toGrey(img: Rgba): Grey {
  const n = img.width * img.height;
  const data = new Float32Array(n);
  const d = img.data;
  for (let p = 0; p < n; p++) data[p] = 0.299 * d[p * 4] + 0.587 * d[p * 4 + 1] + 0.114 * d[p * 4 + 2];
  return { data, width: img.width, height: img.height };
}

/** The input pixels [lo, hi] (clamped to [0, limit)) whose centres fall in the cell [a, a + f), or the one
 * nearest its middle when none does. */
function cellSpan(a: number, f: number, limit: number): [number, number] {
  const b = a + f;
  let lo = Math.ceil(a - 0.5);
  let hi = Math.ceil(b - 0.5) - 1;
  if (hi < lo) lo = hi = Math.floor((a + b) / 2);
  return [Math.max(0, lo), Math.min(limit - 1, hi)];
}

/** Area average of the rectangle (x, y, w, h) of `g` into outW x outH (shrinking; each output pixel
 * averages the input pixels whose centres fall in its cell, or the nearest one). */
export function resampleGrey(g: Grey, rect: { x: number; y: number; w: number; h: number }, outW: number, outH: number): Grey {
  const out = new Float32Array(outW * outH);
  const fx = rect.w / outW;
  const fy = rect.h / outH;
  for (let oy = 0; oy < outH; oy++) {
    const [y0, y1] = cellSpan(rect.y + oy * fy, fy, g.height);
    for (let ox = 0; ox < outW; ox++) {
      const [x0, x1] = cellSpan(rect.x + ox * fx, fx, g.width);
      let s = 0;
      let n = 0;
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
        s += g.data[y * g.width + x];
        n++;
      }
      out[oy * outW + ox] = n ? s / n : 0;
    }
  }
  return { data: out, width: outW, height: outH };
}

/** `g` scaled to a mean grey of 128: a lamp's flicker or the camera's exposure changes the whole view's
 * level, not its content. A view darker than `minMean` is left as it is (scaling its noise up would read
 * as motion, and a dark view is judged dark, not moving). */
export function normaliseGain(g: Grey, minMean: number): Grey {
  let s = 0;
  for (let i = 0; i < g.data.length; i++) s += g.data[i];
  const mean = s / Math.max(1, g.data.length);
  if (mean < minMean) return g;
  const f = 128 / mean;
  const data = new Float32Array(g.data.length);
  for (let i = 0; i < data.length; i++) data[i] = g.data[i] * f;
  return { data, width: g.width, height: g.height };
}

/** The smallest mean absolute difference of `a` and `b` over shifts of up to `maxShift` pixels each way,
 * on the part they share: a hand's tremor of a pixel is not movement of the slide. */
export function shiftedAbsDiff(a: Grey, b: Grey, maxShift: number): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  const { width: w, height: h } = a;
  let best = Infinity;
  for (let dy = -maxShift; dy <= maxShift; dy++) {
    for (let dx = -maxShift; dx <= maxShift; dx++) {
      const x0 = Math.max(0, dx);
      const x1 = Math.min(w, w + dx);
      const y0 = Math.max(0, dy);
      const y1 = Math.min(h, h + dy);
      if (x1 - x0 < 1 || y1 - y0 < 1) continue;
      let s = 0;
      for (let y = y0; y < y1; y++) {
        const ra = y * w;
        const rb = (y - dy) * w - dx;
        for (let x = x0; x < x1; x++) s += Math.abs(a.data[ra + x] - b.data[rb + x]);
      }
      best = Math.min(best, s / ((x1 - x0) * (y1 - y0)));
    }
  }
  return best;
}

/** A 3x3 box blur (edges replicated): a shift of under a pixel then changes the copy far less than a move
 * of several does. */
export function boxBlur3(g: Grey): Grey {
  const { width: w, height: h } = g;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy)) * w;
        for (let dx = -1; dx <= 1; dx++) s += g.data[yy + Math.min(w - 1, Math.max(0, x + dx))];
      }
      out[y * w + x] = s / 9;
    }
  }
  return { data: out, width: w, height: h };
}
