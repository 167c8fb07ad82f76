/** The differential's target: a notice when it is reached, and another when the count goes past it, so it
 * never passes silently. */
import { selectDifferentialState } from '../store/selectors';
import type { AppStore } from '../store/store';

export function watchDifferentialTarget(store: AppStore, lowConfidence: number) {
  let prev = selectDifferentialState(store.getState(), lowConfidence);
  return store.subscribe((s) => {
    const cur = selectDifferentialState(s, lowConfidence);
    if (cur === prev) return;
    const was = prev;
    prev = cur;
    const what = cur.basis === 'verified' ? 'verified WBC' : 'typed WBC';
    if (cur.reached && (!was.reached || was.target !== cur.target)) {
      s.notify({ kind: 'info', source: 'differential', subject: '', message: `Differential target reached: ${cur.target} ${what}. The report rests on these cells; further cells are shown as beyond the target.` });
    }
    if (cur.over > 0 && was.over === 0) {
      s.notify({ kind: 'warning', source: 'differential', subject: '', message: `The differential has gone past its target of ${cur.target} cells; the report says how many cells it rests on.` });
    }
  });
}
