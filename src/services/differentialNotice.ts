/** The differential's target, said in the notices as it changes: reached, gone past, or every WBC of the
 * batch verified short of it. Each notice is said once, when it becomes true, and is withdrawn as soon as it
 * no longer is (the target changed, an undo took the count back under it), so the notices agree with the
 * panel and the report: a notice left standing said "target reached: 100" beside a panel at "106 of 200",
 * and the same fact reached again after an undo or a change of target came back as "(×2)", said again. */
import type { DifferentialState } from '../core/differential/rules';
import { selectDifferentialState } from '../store/selectors';
import type { AppStore } from '../store/store';
import type { NoticeKind } from '../store/noticesSlice';

export interface TargetNotice {
  kind: NoticeKind;
  message: string;
}

/** What is true of the target now, each as its notice's words (they name the target, never a count that
 * every verification would change, so a fact is said once). */
export function targetNotices(st: DifferentialState): TargetNotice[] {
  const out: TargetNotice[] = [];
  if (st.reached) out.push({ kind: 'info', message: `Differential target reached: ${st.target} verified WBC. The report rests on these cells; further cells are kept apart, out of the percentages.` });
  if (st.over > 0) out.push({ kind: 'warning', message: `The differential has gone past its target of ${st.target} cells; the cells past it are kept apart, out of the percentages.` });
  // every WBC there is has been verified and still the count is short: the report prints it, as "fewer than
  // the target", and no H/L flag without the technician's reason
  if (st.releasable && !st.reached)
    out.push({
      kind: 'info',
      message: `Every WBC of the batch is verified, fewer than the target of ${st.target}: add fields to reach it, or give the reason for fewer cells in the report (no H/L flags are printed without one).`,
    });
  return out;
}

/** The target notices that became true between two states: what is to be said, once. */
export function newTargetNotices(was: DifferentialState, cur: DifferentialState): TargetNotice[] {
  const before = new Set(targetNotices(was).map((n) => n.message));
  return targetNotices(cur).filter((n) => !before.has(n.message));
}

export function watchDifferentialTarget(store: AppStore, lowConfidence: number) {
  let prev = selectDifferentialState(store.getState(), lowConfidence);
  return store.subscribe((s) => {
    const cur = selectDifferentialState(s, lowConfidence);
    if (cur === prev) return;
    const was = prev;
    prev = cur;
    const now = new Set(targetNotices(cur).map((n) => n.message));
    // this watcher is the only one to speak for the differential: what it said that is no longer true goes
    if (s.notices.some((n) => n.source === 'differential' && !now.has(n.message))) s.dismissNotices((n) => n.source === 'differential' && !now.has(n.message));
    for (const n of newTargetNotices(was, cur)) store.getState().notify({ kind: n.kind, source: 'differential', subject: '', message: n.message });
  });
}
