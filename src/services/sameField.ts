/**
 * The batch check for one field dropped twice (core/quality/sameField): a copy at another size, or the field
 * photographed twice, has other bytes than the first, so intake's hash lets it in and its cells would be
 * counted twice. Once the batch settles (and after each change of its model output), the counted images
 * are compared, and the copies not said before are said in one warning that names the files.
 */
import { isolateName } from '../core/bidi';
import { sameFields } from '../core/quality/sameField';
import { batchJustSettled, batchSettled } from '../store/selectors';
import type { AppState } from '../store/store';
import { modelOutputTracker } from './modelOutput';

type Store = { getState(): AppState; subscribe(l: (s: AppState, p: AppState) => void): () => void };

/** The warning for copies [first shown, copy] of fields (by file name), in batch order. */
export function sameFieldWords(copies: readonly (readonly [string, string])[]): string {
  const why = 'the same cells in the same places: a copy at another size, or the field photographed twice without moving the slide';
  if (copies.length === 1) return `${copies[0][1]} shows the same field as ${copies[0][0]} (${why}). Both are counted, so each of its cells counts twice: remove one of them.`;
  const shown = copies.slice(0, 4).map(([a, b]) => `${b} = ${a}`).join('; ');
  return `${copies.length} images show a field another image of this batch shows too (${why}): ${shown}${copies.length > 4 ? `; and ${copies.length - 4} more` : ''}. Each is counted, so their cells count twice: remove the copies.`;
}

export function watchSameField(store: Store, delayMs = 500): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // each copy is said once per page, even after its notice is dismissed
  const said = new Set<string>();
  // only the model's output and the thresholds decide: a review's edits never run it again
  const output = modelOutputTracker();
  const run = () => {
    timer = undefined;
    const s = store.getState();
    const { done, fields } = output.read(s);
    // each later image of a pair is a copy of the first image it repeats (batch order)
    const firstOf = new Map<number, number>();
    for (const [i, j] of sameFields(fields)) {
      const root = firstOf.get(i) ?? i;
      if (!firstOf.has(j) || root < firstOf.get(j)!) firstOf.set(j, root);
    }
    const fresh = [...firstOf].filter(([j]) => !said.has(done[j].id)).sort((a, b) => a[0] - b[0]);
    if (!fresh.length) return;
    for (const [j] of fresh) said.add(done[j].id);
    const copies = fresh.map(([j, i]) => [done[i].name, done[j].name] as const);
    s.notify({ kind: 'warning', source: 'batch', subject: copies.length === 1 ? copies[0][1] : '', message: sameFieldWords(copies.map(([a, b]) => [isolateName(a), isolateName(b)] as const)) });
  };
  const unsubscribe = store.subscribe((s, p) => {
    if (s.images === p.images && s.order === p.order && s.postprocess === p.postprocess) return;
    if (!output.changed(s)) return;
    if (batchJustSettled(s, p)) {
      if (timer !== undefined) clearTimeout(timer);
      return run();
    }
    // while a batch runs, its end decides; otherwise (a restored batch, a re-count): once things are quiet
    if (!batchSettled(s)) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, delayMs);
  });
  return () => {
    unsubscribe();
    if (timer !== undefined) clearTimeout(timer);
  };
}
