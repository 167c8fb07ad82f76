import type { CellClass } from './classes';
import type { ImageBox } from './geometry';

export type Origin = 'model' | 'manual';

/** One cell: class, confidence and box in image pixels. */
export interface Detection {
  /** Stable within an image: `m<k>` for the k-th raw model output, `u<n>` for boxes a person drew. */
  id: string;
  cls: CellClass;
  score: number;
  box: ImageBox;
  origin: Origin;
}
