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

/** Mean absolute grey difference of two same-sized copies (0-255): how much the view changed. */
export function meanAbsDiff(a: Grey, b: Grey): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i] - b.data[i]);
  return s / a.data.length;
}
