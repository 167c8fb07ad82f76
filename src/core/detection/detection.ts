import type { CellClass } from './classes';
import type { WbcType } from '../differential/differential';
import type { ImageBox } from './geometry';
import { fixed } from '../formats/numbers';

export type Origin = 'model' | 'manual';

/** WBCs the classifier cannot type, reported apart from the differential as labs do. */
export type ExtraCategory = 'smudge' | 'other';

/** One cell: class, confidence and box in image pixels. `origin` 'manual' marks a box a technician set: drawn,
 * relabelled or moved by hand (core/edits applyEdits); its `score` is then no confidence of the model in it. */
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

/**
 * The model's confidence in a box as it now stands, or null where a technician set it. A relabelled box's
 * score is the model's for the class it had (a platelet relabelled from an "RBC 0.91" is no platelet at
 * 0.91), a moved box's is for the box the model drew, and a drawn box's 1 is nobody's confidence: shown or
 * exported as a score, each would read as if the model had said so.
 */
export function modelScore(d: Pick<Detection, 'origin' | 'score'>): number | null {
  return d.origin === 'model' ? d.score : null;
}

/** The WBC type's probability from the classifier, or null where a technician set the type (its p of 1 is no
 * probability anyone computed). */
export function modelTypeP(w: Pick<NonNullable<Detection['wbc']>, 'origin' | 'p'>): number | null {
  return w.origin === 'model' ? w.p : null;
}

/** A box's score as the canvas labels it: two decimals (in `locale`'s decimal sign where given), or "manual"
 * where a technician set the box. */
export function scoreText(d: Pick<Detection, 'origin' | 'score'>, locale?: string): string {
  const s = modelScore(d);
  return s === null ? 'manual' : fixed(s, 2, locale);
}
