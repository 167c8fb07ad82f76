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
    if (cur.reached && (!was.reached || was.target !== cur.target)) {
      s.notify({ kind: 'info', source: 'differential', subject: '', message: `Differential target reached: ${cur.target} verified WBC. The report rests on these cells; further cells are kept apart, out of the percentages.` });
    }
    if (cur.over > 0 && was.over === 0) {
      s.notify({ kind: 'warning', source: 'differential', subject: '', message: `The differential has gone past its target of ${cur.target} cells; the cells past it are kept apart, out of the percentages.` });
    }
  });
}
