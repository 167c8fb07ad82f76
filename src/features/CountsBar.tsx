import { CLASS_NAMES } from '../core/detection/classes';
import { useApp } from '../services/context';
import { imageCounts, selectCurrent, selectSummary } from '../store/selectors';
import { FileName } from './FileName';
import { browserLocale, plain } from '../core/formats/numbers';

/** The compact counts line above the canvas on narrow screens (the full panel sits below): this image's
 * counts, and the batch's totals. */
export function CountsBar() {
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const summary = useApp(selectSummary);
  const n = useApp((s) => s.order.length);
  const refused = useApp((s) => s.refused.length);
  if (current?.status !== 'done') return null;
  const c = imageCounts(current, params);
  // grouped as the browser's country groups them ("1.363"; a French lab's narrow no-break space never wraps)
  const num = (x: number) => plain(x, browserLocale());
  return (
    <div className="counts-bar" aria-hidden data-testid="counts-bar">
      <strong title={current.name}>
        <FileName name={current.name} />
      </strong>
      {CLASS_NAMES.map((k) => (
        <span key={k}>
          {k === 'Platelets' ? 'PLT' : k} <b>{num(c[k])}</b>
        </span>
      ))}
      {/* the batch's totals on the same line (the counts panel is folded below the canvas on a phone) */}
      {/* files the intake refused are counted nowhere: said beside the totals they are missing from (the
          notices that name them may sit below the canvas, or be dismissed) */}
      {(n > 1 || refused > 0) && (
        <span className="batch-totals" data-testid="counts-bar-batch">
          {/* in pieces that wrap between, never inside, a count: on a screen both narrow and short (320x480; 1280 px
              at 400% zoom) the line ran 90 px past the window's edge and the page scrolled sideways */}
          Batch ({summary.images} counted{refused > 0 ? `, ${refused} ${refused === 1 ? 'file' : 'files'} refused` : ''}):{' '}
          <span className="batch-total">
            RBC <b>{num(summary.totals.RBC)}</b> ·
          </span>{' '}
          <span className="batch-total">
            WBC <b>{num(summary.totals.WBC)}</b> ·
          </span>{' '}
          <span className="batch-total">
            PLT <b>{num(summary.totals.Platelets)}</b>
          </span>
        </span>
      )}
    </div>
  );
}
