/** The WBC classifier on onnxruntime-node, with the app's crop rule (src/core/differential/crop). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { resizeToCHW } from '../../src/core/detection/resize';
import { parseClassifierCard, type ClassifierCard } from '../../src/core/differential/card';
import { cropWindow, edgeIndices, normaliseChw, softmax, type CropRule } from '../../src/core/differential/crop';
import { REPO_ROOT } from '../dataRoot';
import type { Rgba } from './decode';

export const DEFAULT_CLASSIFIER = join(REPO_ROOT, 'models', 'smearcount-wbc.onnx');

/** A square cut of an RGBA image (edge pixels replicated outside it, or grey for a numeric pad), as float
 * CHW at `size`, normalised by the crop rule. `minSide`: core minWbcSide of the image. */
export function cropForClassifier(img: Rgba, box: { x1: number; y1: number; x2: number; y2: number }, rule: CropRule, minSide = 0): Float32Array {
  const { x: x0, y: y0, side } = cropWindow(box, rule.factor, minSide);
  if (rule.pad === 'edge') {
    const xs = edgeIndices(x0, side, img.width);
    const ys = edgeIndices(y0, side, img.height);
    const out = new Uint8Array(side * side * 4);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const i = (ys[y] * img.width + xs[x]) * 4;
        out.set(img.data.subarray(i, i + 4), (y * side + x) * 4);
      }
    return normaliseChw(resizeToCHW(out, side, side, rule.size, rule.size), rule);
  }
  const g = Math.round(rule.pad * 255);
  const out = new Uint8Array(side * side * 4).fill(g);
  for (let y = 0; y < side; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < side; x++) {
      const sx = x0 + x;
      if (sx < 0 || sx >= img.width) continue;
      const i = (sy * img.width + sx) * 4;
      out.set(img.data.subarray(i, i + 4), (y * side + x) * 4);
    }
  }
  return normaliseChw(resizeToCHW(out, side, side, rule.size, rule.size), rule);
}

/** The WBC classifier on onnxruntime-node, with its card. */
export class Classifier {
  private constructor(
    private session: ort.InferenceSession,
    readonly card: ClassifierCard,
  ) {}
  static async create(modelPath = DEFAULT_CLASSIFIER): Promise<Classifier> {
    const card = parseClassifierCard(JSON.parse(readFileSync(modelPath.replace(/\.onnx$/, '.json'), 'utf8')));
    return new Classifier(await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2 }), card);
  }
  /** Type probabilities (card order) for each box of one image, in one batch. */
  async classify(img: Rgba, boxes: { x1: number; y1: number; x2: number; y2: number }[], minSide = 0): Promise<number[][]> {
    if (!boxes.length) return [];
    const size = this.card.crop.size;
    const crops = new Float32Array(boxes.length * 3 * size * size);
    boxes.forEach((b, i) => crops.set(cropForClassifier(img, b, this.card.crop, minSide), i * 3 * size * size));
    const out = await this.session.run({ crops: new ort.Tensor('float32', crops, [boxes.length, 3, size, size]) });
    const logits = out.logits.data as Float32Array;
    const k = out.logits.dims[1];
    return boxes.map((_, i) => softmax(logits.subarray(i * k, (i + 1) * k)));
  }
  release() {
    return this.session.release();
  }
}
