import { CLASS_NAMES } from '../core/detection/classes';
import { useApp } from '../services/context';
import { imageCounts, selectCurrent, selectSummary } from '../store/selectors';
import { FileName } from './FileName';

/** The compact counts line above the canvas on narrow screens (the full panel sits below): this image's
 * counts, and the batch's totals. */
export function CountsBar() {
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const summary = useApp(selectSummary);
  const n = useApp((s) => s.order.length);
  if (current?.status !== 'done') return null;
  const c = imageCounts(current, params);
  return (
    <div className="counts-bar" aria-hidden data-testid="counts-bar">
      <strong title={current.name}>
        <FileName name={current.name} />
      </strong>
      {CLASS_NAMES.map((k) => (
        <span key={k}>
          {k === 'Platelets' ? 'PLT' : k} <b>{c[k]}</b>
        </span>
      ))}
      {/* the batch's totals on the same line (the counts panel is folded below the canvas on a phone) */}
      {n > 1 && (
        <span className="batch-totals" data-testid="counts-bar-batch">
          Batch ({summary.images} counted): RBC <b>{summary.totals.RBC}</b> · WBC <b>{summary.totals.WBC}</b> · PLT <b>{summary.totals.Platelets}</b>
        </span>
      )}
    </div>
  );
}
