/**
 * What the batch rules that read only the model's output (the optics rule, the same-field check) last read:
 * each counted image's raw detections and the thresholds. A review's edits change neither, so a rule that
 * asks `changed` first never runs again for them.
 */
import type { AppState } from '../store/store';

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
    /** Records what a run read: these images' model output and the thresholds. */
    mark(s: AppState, done: readonly { id: string; raw?: unknown }[]): void {
      lastRaw = new Map(done.map((im) => [im.id, im.raw]));
      lastParams = s.postprocess;
    },
  };
}
