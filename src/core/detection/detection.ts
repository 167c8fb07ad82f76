import type { CellClass } from './classes';
import type { WbcType } from '../differential/differential';
import type { ImageBox } from './geometry';

export type Origin = 'model' | 'manual';

/** WBCs the classifier cannot type, reported apart from the differential as labs do. */
export type ExtraCategory = 'smudge' | 'other';

/** One cell: class, confidence and box in image pixels. */
export interface Detection {
  /** Stable within an image: `m<k>` for the k-th raw model output, `u<n>` for boxes a person drew. */
  id: string;
  cls: CellClass;
  score: number;
  box: ImageBox;
  origin: Origin;
  /** WBCs only: the type, its probability (1 when set by hand) and who set it; whether a technician
   * verified it, and a manual category that keeps it out of the differential (smudge / other). `small`: the
   * box is far smaller than any white cell of its image can be (a platelet relabelled WBC), so the model's
   * type is unsure however probable (core/differential/differential.ts typeUnsure). */
  wbc?: { type: WbcType; p: number; origin: Origin; verified?: boolean; category?: ExtraCategory; note?: string; small?: boolean; grey?: boolean };
}
