/**
 * Image -> model input. The model works at the native size its card names (input.native_size:
 * 512x384 for the shipped model); its graph normalises but never resizes. planInput fits an image into
 * that size here, before the pixels cross to the worker, so a 24-megapixel photo is never copied at
 * full size; scale.ts may then rescale it when the cells are off the model's scale.
 */
export interface InputPlan {
  /** Model-space size = round(image size * scale). */
  width: number;
  height: number;
  /** model pixels per image pixel */
  scale: number;
}

export function planInput(width: number, height: number, native: { width: number; height: number }): InputPlan {
  if (!(width > 0 && height > 0)) throw new RangeError(`invalid image size ${width}x${height}`);
  const minSide = Math.min(native.width, native.height);
  const maxSide = Math.max(native.width, native.height);
  const scale = Math.min(minSide / Math.min(width, height), maxSide / Math.max(width, height));
  // Floored, as torchvision's resize (training) floors it.
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)), scale };
}

/** RGBA bytes (canvas ImageData layout) -> float32 CHW RGB in [0,1], the model's `image` input.
 * `out` (3 * width * height floats) is filled instead of allocating, for callers that reuse a buffer. */
export function rgbaToCHW(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, out?: Float32Array): Float32Array {
  const n = width * height;
  if (rgba.length !== n * 4) throw new RangeError(`expected ${n * 4} RGBA bytes, got ${rgba.length}`);
  if (out && out.length !== 3 * n) throw new RangeError(`expected an output of ${3 * n} floats, got ${out.length}`);
  out ??= new Float32Array(3 * n);
  const inv = 1 / 255;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[i] = rgba[j] * inv;
    out[n + i] = rgba[j + 1] * inv;
    out[2 * n + i] = rgba[j + 2] * inv;
  }
  return out;
}
