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

/** Area average of the rectangle (x, y, w, h) of `g` into outW x outH (shrinking; each output pixel
 * averages the input pixels whose centres fall in its cell, or the nearest one). */
export function resampleGrey(g: Grey, rect: { x: number; y: number; w: number; h: number }, outW: number, outH: number): Grey {
  const out = new Float32Array(outW * outH);
  const fx = rect.w / outW;
  const fy = rect.h / outH;
  for (let oy = 0; oy < outH; oy++) {
    const ya = rect.y + oy * fy;
    const yb = ya + fy;
    let y0 = Math.ceil(ya - 0.5);
    let y1 = Math.ceil(yb - 0.5) - 1;
    if (y1 < y0) y0 = y1 = Math.floor((ya + yb) / 2);
    y0 = Math.max(0, y0);
    y1 = Math.min(g.height - 1, y1);
    for (let ox = 0; ox < outW; ox++) {
      const xa = rect.x + ox * fx;
      const xb = xa + fx;
      let x0 = Math.ceil(xa - 0.5);
      let x1 = Math.ceil(xb - 0.5) - 1;
      if (x1 < x0) x0 = x1 = Math.floor((xa + xb) / 2);
      x0 = Math.max(0, x0);
      x1 = Math.min(g.width - 1, x1);
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
