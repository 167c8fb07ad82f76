/**
 * The batch rule for specks on the optics (core/quality/optics): whenever the batch's model output or the
 * thresholds change, every counted image's post-processed detections are compared across the batch, and
 * each image's `optics` ids are rewritten where they changed. Only model output takes part (not edits),
 * so an edit never re-runs it; a person who edits a speck's box makes it theirs (selectors).
 */
import { opticsArtefacts } from '../core/quality/optics';
import { batchJustSettled } from '../store/selectors';
import type { AppState } from '../store/store';
import { modelOutputTracker } from './modelOutput';
import { deferRender } from './renderBatch';

type Store = { getState(): AppState; setState(p: Partial<AppState>): void; subscribe(l: (s: AppState, p: AppState) => void): () => void };

const same = (a: readonly string[] | undefined, b: readonly string[]) => (a?.length ?? 0) === b.length && b.every((x, i) => a![i] === x);

/** Recomputes at most once per `delayMs` while a batch runs (each finished image would otherwise re-run it),
 * and at once when the batch settles. */
export function watchOptics(store: Store, delayMs = 250): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const output = modelOutputTracker();

  const run = () => {
    timer = undefined;
    const s = store.getState();
    const { done, fields } = output.read(s);
    const ids = opticsArtefacts(fields);
    let images: AppState['images'] | undefined;
    done.forEach((im, i) => {
      if (same(im.optics, ids[i])) return;
      images ??= { ...store.getState().images };
      images[im.id] = { ...images[im.id], optics: ids[i].length ? ids[i] : undefined };
    });
    if (images) deferRender(() => store.setState({ images: images! }));
  };

  const unsubscribe = store.subscribe((s, p) => {
    if (s.images === p.images && s.order === p.order && s.postprocess === p.postprocess) return;
    // the batch's last image has just been counted: its final rule now, not up to delayMs later (the
    // save that "Ready" waits for then holds it)
    if (batchJustSettled(s, p) && output.changed(s)) {
      if (timer !== undefined) clearTimeout(timer);
      return run();
    }
    if (timer === undefined && output.changed(s)) timer = setTimeout(run, delayMs);
  });
  return () => {
    unsubscribe();
    if (timer !== undefined) clearTimeout(timer);
  };
}
