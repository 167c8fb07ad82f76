/** Messages between the page and the quality worker (quality.worker.ts). An image's `read` comes as soon
 * as it is decoded; its `assess` (or `drop`, when it got no detections) follows with the same id. */
import type { ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import type { ScaleInfo } from '../core/detection/scale';
import type { Quality } from '../core/quality/assess';

export type QualityRequest =
  | {
      type: 'read';
      id: number;
      /** A copy of the decoded image at its read size (core/quality/pixels `readSize`), transferred (the
       * worker closes it). */
      bitmap: ImageBitmap;
      /** The decoded image's own size. */
      width: number;
      height: number;
      /** A large image's `blockWindow` at its own resolution, transferred (the worker closes it). */
      window?: ImageBitmap;
    }
  | {
      type: 'assess';
      id: number;
      raw: Detection[];
      scale: ScaleInfo;
      card: Pick<ModelCard, 'postprocess' | 'scale'>;
    }
  | { type: 'drop'; id: number };

export type QualityResponse = { id: number; ok: true; raw: Detection[]; quality: Quality } | { id: number; ok: false; error: string };
