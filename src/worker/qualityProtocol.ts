/** Messages between the page and the quality worker (quality.worker.ts). */
import type { ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import type { ScaleInfo } from '../core/detection/scale';
import type { Quality } from '../core/quality/assess';

export interface QualityRequest {
  id: number;
  /** A copy of the decoded image, transferred (the worker closes it). */
  bitmap: ImageBitmap;
  raw: Detection[];
  scale: ScaleInfo;
  card: Pick<ModelCard, 'postprocess' | 'scale'>;
}

export type QualityResponse = { id: number; ok: true; raw: Detection[]; quality: Quality } | { id: number; ok: false; error: string };
