import { classOfLabel } from './classes';
import type { Detection } from './detection';
import { modelToImage, type AxisScale } from './geometry';

/** The model's three outputs as they arrive from ORT (labels are int64 -> BigInt64Array). */
export interface RawOutputs {
  boxes: Float32Array;
  labels: BigInt64Array | Int32Array | number[];
  scores: Float32Array;
}

/** Model outputs (model pixels) -> raw detections in image pixels, kept unfiltered so that
 * threshold changes never need the model again. Unknown labels are skipped. */
export function decodeOutputs(out: RawOutputs, scale: number | AxisScale): Detection[] {
  const n = out.scores.length;
  if (out.boxes.length !== n * 4 || out.labels.length !== n) {
    throw new RangeError(`inconsistent outputs: ${out.boxes.length / 4} boxes, ${out.labels.length} labels, ${n} scores`);
  }
  const dets: Detection[] = [];
  for (let k = 0; k < n; k++) {
    const cls = classOfLabel(Number(out.labels[k]));
    if (!cls) continue;
    const b = out.boxes;
    dets.push({
      id: `m${k}`,
      cls,
      score: out.scores[k],
      box: modelToImage({ x1: b[4 * k], y1: b[4 * k + 1], x2: b[4 * k + 2], y2: b[4 * k + 3] }, scale),
      origin: 'model',
    });
  }
  return dets;
}

/** Labels as plain int32 for postMessage (BigInt64Array is transferable too, but Int32Array is
 * what every consumer wants and halves the bytes). */
export function labelsToInt32(labels: BigInt64Array | Int32Array): Int32Array {
  if (labels instanceof Int32Array) return labels;
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = Number(labels[i]);
  return out;
}
