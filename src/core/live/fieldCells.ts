/**
 * The live view's cells of the current field ("this field: 212 RBC, 3 WBC, 14 PLT" and its boxes) as the batch
 * will count the same field once it is captured: the steps of the batch's quality check (core/quality/assess
 * assessImage: the eyepiece field's cells only, the WBC rule, the grey specks), then the store's count (the
 * thresholds, the specks left out, the lab's count rule). The unit test holds them to the batch's own path
 * (assessImage, then the counts panel's imageCounts) on the same field.
 *
 * Before, the preview had its own copy of the steps and no WBC rule: a red cell the detector took for a WBC (an
 * RBC's size, no nucleus) was a WBC on the screen and an RBC in the captured field. assessImage itself is not
 * called: it reads the pixel statistics again (2-6 ms a preview here) that the capture rule has read on the same
 * frame, and the flags the view has no use for.
 */
import type { ModelCard, PostprocessParams } from '../detection/card';
import type { Detection } from '../detection/detection';
import { countedByRule, postprocess } from '../detection/postprocess';
import { CALIBRATION, WBC_RULE } from '../quality/calibration';
import { DEBRIS_RULE, debrisEvidence } from '../quality/debris';
import { inCircle, type Circle } from '../quality/field';
import { overExposedField, underExposed } from '../quality/flags';
import type { PixelStats, SmallImage } from '../quality/pixels';
import { applyWbcRule } from '../quality/wbcRule';

export interface FieldCells {
  /** The boxes drawn: the cells the batch shows on the saved field (the grey specks left out). */
  cells: Detection[];
  /** Which of `cells` the lab's count rule counts (the others are drawn faint, counted nowhere). */
  counted: boolean[];
}

/**
 * `raw`: the preview's detections in the frame's pixels; `small`: the frame's statistics copy (its `scale` maps
 * frame pixels onto it), with `field` (the eyepiece's circle on it, core/quality/field findCircularField) and
 * `pixels` (its statistics, as the capture rule read them); `size`: the frame's; `params`: the batch's
 * post-processing settings.
 */
export function fieldCells(
  raw: Detection[],
  small: SmallImage,
  field: Circle | null,
  pixels: PixelStats,
  size: { width: number; height: number },
  card: Pick<ModelCard, 'postprocess'>,
  params: PostprocessParams,
): FieldCells {
  // assessImage's steps, in its order
  const inField = field ? raw.filter((d) => inCircle(field, ((d.box.x1 + d.box.x2) / 2) * small.scale, ((d.box.y1 + d.box.y2) / 2) * small.scale)) : raw;
  const ruled = WBC_RULE ? applyWbcRule(inField, small, WBC_RULE) : inField;
  const judged = DEBRIS_RULE && !underExposed(pixels, CALIBRATION) && !overExposedField(pixels, CALIBRATION);
  const debris = judged ? debrisEvidence(small, ruled, postprocess(ruled, { ...card.postprocess, countRule: 'all' }), DEBRIS_RULE).debris : [];
  // the store's count (selectors shownDetections)
  const shown = postprocess(ruled, params);
  const cells = debris.length ? shown.filter((d) => !debris.includes(d.id)) : shown;
  return { cells, counted: countedByRule(cells, params.countRule ?? 'all', size.width, size.height) };
}
