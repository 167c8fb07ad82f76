/** The shipped detector on onnxruntime-node, behind exactly the app's src/core scale logic and decoding. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { parseModelCard, type ModelCard } from '../../src/core/detection/card';
import { decodeOutputs } from '../../src/core/detection/decode';
import type { Detection } from '../../src/core/detection/detection';
import { inputScale } from '../../src/core/detection/geometry';
import { resizeToCHW } from '../../src/core/detection/resize';
import { detectWithScale, type ScaleInfo } from '../../src/core/detection/scale';
import { fillOutsideField, findCircularField, scaleCircle } from '../../src/core/quality/field';
import { evenLight } from '../../src/core/quality/illumination';
import { REPO_ROOT } from '../dataRoot';
import type { Rgba } from './decode';
import { cropRgba } from '../../src/core/quality/pixels';

export const DEFAULT_MODEL = join(REPO_ROOT, 'models', 'smearcount-frcnn.onnx');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the card's JSON as written by models/train.py
export function loadCard(modelPath = DEFAULT_MODEL): ModelCard & { raw: any } {
  const raw = JSON.parse(readFileSync(modelPath.replace(/\.onnx$/, '.json'), 'utf8'));
  return { ...parseModelCard(raw), raw };
}

/** Which onnxruntime runs the detector: native (default), or ORT-web's WASM build in Node, one thread,
 * which gives the browser's numbers (the int8 kernels of the two differ). */
let runtime: 'node' | 'web' = 'node';
export function useRuntime(r: 'node' | 'web') {
  runtime = r;
}
export const runtimeName = () => (runtime === 'web' ? 'onnxruntime-web WASM, 1 thread' : 'onnxruntime-node');

type AnySession = Pick<ort.InferenceSession, 'run' | 'release'>;

export class Detector {
  private constructor(
    private session: AnySession,
    readonly card: ModelCard,
    private Tensor: typeof ort.Tensor,
  ) {}
  static async create(modelPath = DEFAULT_MODEL, threads = 2): Promise<Detector> {
    if (runtime === 'web') {
      ortWeb.env.wasm.numThreads = 1;
      const session = await ortWeb.InferenceSession.create(new Uint8Array(readFileSync(modelPath)), { graphOptimizationLevel: 'all' });
      return new Detector(session as unknown as AnySession, loadCard(modelPath), ortWeb.Tensor as unknown as typeof ort.Tensor);
    }
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
    return new Detector(session, loadCard(modelPath), ort.Tensor);
  }
  /** Raw detections in image pixels through the app's scale logic, plus the inference time (all passes). */
  async detect(img: Rgba, fixedScale?: number | null): Promise<{ raw: Detection[]; ms: number; scale: ScaleInfo }> {
    let ms = 0;
    const field = findCircularField(img); // an eyepiece photo's disc, as the app's worker finds it
    const { raw, scale } = await detectWithScale(img.width, img.height, this.card.nativeSize, this.card.scale, async (_s, size, region) => {
      // a small disc's square (detectWithScale), read as the image, its field in its own pixels
      const src = region ? cropRgba(img, region) : img;
      const f = field && region ? { cx: field.cx - region.x, cy: field.cy - region.y, r: field.r } : field;
      const chw = resizeToCHW(src.data, src.width, src.height, size.width, size.height);
      const disc = f ? scaleCircle(f, size.width / src.width) : null;
      evenLight(chw, size.width, size.height, disc); // as the app's worker does
      if (disc) fillOutsideField(chw, size.width, size.height, disc);
      const t = performance.now();
      const out = await this.session.run({ image: new this.Tensor('float32', chw, [3, size.height, size.width]) });
      ms += performance.now() - t;
      const dets = decodeOutputs(
        { boxes: out.boxes.data as Float32Array, labels: out.labels.data as BigInt64Array, scores: out.scores.data as Float32Array },
        inputScale(src.width, src.height, size),
      );
      return { raw: dets, field: f };
    }, fixedScale);
    return { raw, ms, scale };
  }
  release() {
    return this.session.release();
  }
}
