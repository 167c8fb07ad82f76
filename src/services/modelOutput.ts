/**
 * What the batch rules that read only the model's output (the optics rule, the same-field check) last read:
 * each counted image's raw detections and the thresholds. A review's edits change neither, so a rule that
 * asks `changed` first never runs again for them.
 */
import type { FieldCells } from '../core/quality/optics';
import { filtered } from '../store/selectors';
import type { AppState } from '../store/store';
import type { ImageEntry } from '../store/types';

export function modelOutputTracker() {
  let lastRaw = new Map<string, unknown>();
  let lastParams: AppState['postprocess'] | undefined;
  return {
    /** Whether a counted image's model output, the set of counted images or the thresholds differ from the last `mark`. */
    changed(s: AppState): boolean {
      if (s.postprocess !== lastParams) return true;
      let n = 0;
      for (const id of s.order) {
        const im = s.images[id];
        if (im.status !== 'done' || !im.raw) continue;
        n++;
        if (lastRaw.get(id) !== im.raw) return true;
      }
      return n !== lastRaw.size;
    },
    /** The counted images and their fields as the rules read them (the model's post-processed cells), and
     * records that this is what the run read. */
    read(s: AppState): { done: ImageEntry[]; fields: FieldCells[] } {
      const done = s.order.map((id) => s.images[id]).filter((im) => im.status === 'done' && im.raw && im.width && im.height);
      lastRaw = new Map(done.map((im) => [im.id, im.raw]));
      lastParams = s.postprocess;
      return { done, fields: done.map((im) => ({ width: im.width!, height: im.height!, cells: filtered(im.raw!, s.postprocess) })) };
    },
  };
}
