import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp, useServices } from '../services/context';
import { selectProgress, selectUncertainLeft } from '../store/selectors';
import { etaWords } from './etaWords';


export function BatchProgress() {
  // The ETA depends on the clock, so it is read on each render (a 1 s tick while running), not selected.
  const { runner, store } = useServices();
  const p = useApp(useShallow((s) => {
    const { total, done, failed, pending } = selectProgress(s);
    return { total, done, failed, pending };
  }));
  const running = useApp((s) => s.run !== null);
  const reviewed = useApp((s) => s.order.filter((id) => s.images[id].reviewed).length);
  const { classifier } = useServices();
  const uncertain = useApp((s) => selectUncertainLeft(s, classifier?.lowConfidence));
  const [, tick] = useState(0);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [running]);
  if (!p.total) return null;
  const finished = p.done + p.failed;
  const eta = selectProgress(store.getState()).etaMs;
  return (
    <div className="progress" data-testid="progress">
      <progress max={p.total} value={finished} aria-label="Batch progress" />
      <span>
        {finished}/{p.total} done{p.failed ? ` · ${p.failed} failed` : ''}
        {p.pending && eta !== null ? ` · about ${etaWords(eta)} left` : ''}
      </span>
      <span data-testid="review-left">{p.done - reviewed > 0 ? `${p.done - reviewed} to review` : p.done ? 'all reviewed' : ''}</span>
      {p.done > 0 && (
        <span data-testid="uncertain-left" title="Boxes U will visit: score within the review band of its threshold, or an unsure WBC type">
          {uncertain} uncertain box{uncertain === 1 ? '' : 'es'} left
        </span>
      )}
      {running && p.pending > 0 && (
        <button data-testid="cancel-batch" onClick={() => runner.cancel()} title="Stop: images already being counted finish and stay; images not started leave the batch">
          Cancel
        </button>
      )}
    </div>
  );
}
