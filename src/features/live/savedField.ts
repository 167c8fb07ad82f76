/**
 * The captured field as the batch counted it, for the live view while it is still on that field: the boxes the
 * saved image shows (the lab's count rule's left-out ones drawn dashed) and its count, the counts panel's own
 * (store/selectors imageCounts). The preview reads the frame as the batch reads the saved field (services/
 * readImage), yet it is another frame of the camera, not yet a JPEG: a borderline cell can fall either way. The
 * figures a technician reads for a captured field are the ones the batch has for it.
 */
import { countCells, type Counts } from '../../core/counts/counts';
import type { PostprocessParams } from '../../core/detection/card';
import type { Detection } from '../../core/detection/detection';
import type { LiveBox } from '../../store/liveStore';
import { inTotals, ruleExcluded, shownDetections } from '../../store/selectors';
import type { ImageEntry } from '../../store/types';

export interface SavedField {
  boxes: LiveBox[];
  counts: Counts;
  /** In the batch's totals (no flag leaves it out, or the flag accepted). */
  counted: boolean;
}

const box = (d: Detection): LiveBox => ({ cls: d.cls, x1: d.box.x1, y1: d.box.y1, x2: d.box.x2, y2: d.box.y2 });

/** null until the image is counted. */
export function savedField(im: ImageEntry | undefined, params: PostprocessParams): SavedField | null {
  if (im?.status !== 'done') return null;
  const shown = shownDetections(im, params);
  return {
    boxes: [...shown.map(box), ...ruleExcluded(im, params).map((d) => ({ ...box(d), out: true as const }))],
    counts: countCells(shown),
    counted: inTotals(im),
  };
}
