import { useEffect, useId, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp, useServices } from '../services/context';
import { selectProgress, selectUncertainLeft } from '../store/selectors';
import { etaWords } from './etaWords';
import { doneWords, reviewWords, uncertainWords } from './progressWords';
import { browserLocale, plain } from '../core/formats/numbers';
import { InfoTip } from './InfoTip';
import { useHovers } from './useIsPhone';

const CANCEL_DOES = 'Stop: images already being counted finish and stay; images not started, and files not yet checked, leave the batch (an image counted before or captured live stays, and is counted)';

export function BatchProgress() {
  // The ETA depends on the clock, so it is read on each render (a 1 s tick while running), not selected.
  const { runner, store } = useServices();
  const p = useApp(useShallow((s) => {
    const { total, done, failed, pending } = selectProgress(s);
    return { total, done, failed, pending };
  }));
  const running = useApp((s) => s.run !== null);
  // files of a drop not yet checked (services/runner): part of the batch to come, in its total and its time left
  const checking = useApp((s) => s.intake);
  const reviewed = useApp((s) => s.order.filter((id) => s.images[id].status === 'done' && s.images[id].reviewed).length);
  const { classifier } = useServices();
  const uncertain = useApp((s) => selectUncertainLeft(s, classifier?.lowConfidence));
  const [, tick] = useState(0);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [running]);
  const showCancel = (running && p.pending > 0) || checking > 0;
  const box = useRef<HTMLDivElement>(null);
  const cancelId = useId();
  const hovers = useHovers();
  const cancelled = useRef(false);
  useEffect(() => {
    if (showCancel || !cancelled.current) return;
    cancelled.current = false;
    // Cancel leaves the page once the images being counted finish, and the focus went with it to the page's
    // body: a keyboard user starts again from the top. It stays on the progress line instead.
    if (!document.activeElement || document.activeElement === document.body) box.current?.focus();
  }, [showCancel]);
  if (!p.total && !checking) return null;
  const finished = p.done + p.failed;
  const total = p.total + checking;
  const perImage = p.pending ? selectProgress(store.getState()).etaMs : null;
  const eta = perImage === null ? null : (perImage / p.pending) * (p.pending + checking);
  const locale = browserLocale();
  return (
    <div className="progress" data-testid="progress" ref={box} tabIndex={-1}>
      <progress max={total} value={finished} aria-label="Batch progress" />
      <span>
        {doneWords(finished, total, p.failed, locale)}
        {checking ? <span data-testid="progress-checking"> · {plain(checking, locale)} {checking === 1 ? 'file' : 'files'} still to check</span> : null}
        {eta !== null ? ` · about ${etaWords(eta)} left` : ''}
      </span>
      <span data-testid="review-left">{reviewWords(p.done - reviewed, p.done, locale)}</span>
      {p.done > 0 && (
        <span data-testid="uncertain-left" title="Boxes U will visit: score within the review band of its threshold, or an unsure WBC type">
          {uncertainWords(uncertain, locale)}
        </span>
      )}
      {/* what Cancel takes out of the batch: a title where a mouse hovers; on a touch screen, where no title shows and
          the tap cancels at once, a "?" beside it. Both describe the button to a screen reader. */}
      {showCancel && (
        <span className="cancel-why">
          <button
            data-testid="cancel-batch"
            onClick={() => {
              cancelled.current = true;
              runner.cancel();
            }}
            aria-describedby={cancelId}
            title={hovers ? CANCEL_DOES : undefined}
          >
            Cancel
          </button>
          <span className="sr-only" id={cancelId}>
            {CANCEL_DOES}
          </span>
          {!hovers && (
            <InfoTip label="What Cancel does" testId="cancel-why">
              {CANCEL_DOES}
            </InfoTip>
          )}
        </span>
      )}
    </div>
  );
}
