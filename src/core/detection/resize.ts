/**
 * Separable triangle-filter resize, the same arithmetic as PyTorch's
 * `F.interpolate(mode="bilinear", align_corners=False, antialias=True)` (PIL-style: plain bilinear when
 * enlarging, a triangle filter widened by the factor when shrinking). models/ resizes with it when it
 * trains, tunes and builds the scale sets, so `npm run eval` resizes with this. (The browser app lets
 * createImageBitmap resize; its high-quality filter differs slightly.)
 */

interface Taps {
  start: Int32Array;
  size: Int32Array;
  weights: Float32Array;
  maxSize: number;
}

function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const invscale = scale >= 1 ? 1 / scale : 1;
  const maxSize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const size = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxSize);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const t = Math.abs((j + xmin - center + 0.5) * invscale);
      const w = t < 1 ? 1 - t : 0;
      weights[i * maxSize + j] = w;
      total += w;
    }
    if (total > 0) for (let j = 0; j < xsize; j++) weights[i * maxSize + j] /= total;
    start[i] = xmin;
    size[i] = xsize;
  }
  return { start, size, weights, maxSize };
}

/** RGBA bytes -> float32 CHW RGB in [0,1] at outW x outH (the model's `image` input). */
export function resizeToCHW(rgba: Uint8Array | Uint8ClampedArray, w: number, h: number, outW: number, outH: number): Float32Array {
  if (rgba.length !== w * h * 4) throw new RangeError(`expected ${w * h * 4} RGBA bytes, got ${rgba.length}`);
  const tx = taps(w, outW);
  const ty = taps(h, outH);
  const out = new Float32Array(3 * outW * outH);
  const row = new Float32Array(outW * h); // one channel after the horizontal pass
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      const base = y * w * 4 + c;
      for (let x = 0; x < outW; x++) {
        const s = tx.start[x];
        const n = tx.size[x];
        const o = x * tx.maxSize;
        let acc = 0;
        for (let j = 0; j < n; j++) acc += rgba[base + (s + j) * 4] * tx.weights[o + j];
        row[y * outW + x] = acc / 255;
      }
    }
    const plane = c * outW * outH;
    for (let y = 0; y < outH; y++) {
      const s = ty.start[y];
      const n = ty.size[y];
      const o = y * ty.maxSize;
      for (let x = 0; x < outW; x++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += row[(s + j) * outW + x] * ty.weights[o + j];
        out[plane + y * outW + x] = Math.min(1, Math.max(0, acc));
      }
    }
  }
  return out;
}
