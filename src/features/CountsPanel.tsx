import { useAppStore, card } from '../app/instance';
import { CLASS_NAMES } from '../core/detection/classes';
import { formatRatio } from '../core/counts/counts';
import { imageCounts, selectCurrent, selectSummary } from '../store/selectors';

export function CountsPanel() {
  const current = useAppStore(selectCurrent);
  const params = useAppStore((s) => s.postprocess);
  const summary = useAppStore(selectSummary);
  const counts = current?.status === 'done' ? imageCounts(current, params) : null;
  const color = Object.fromEntries(card.classes.map((c) => [c.name, c.color]));
  return (
    <section className="panel counts" aria-label="Counts">
      <table>
        <thead>
          <tr>
            <th />
            <th title={current?.name}>This image</th>
            <th>Batch total</th>
            <th>Mean / image</th>
          </tr>
        </thead>
        <tbody>
          {CLASS_NAMES.map((c) => (
            <tr key={c}>
              <th>
                <span className="swatch" style={{ background: color[c] }} /> {c}
              </th>
              <td data-testid={`count-${c}`}>{counts ? counts[c] : ''}</td>
              <td data-testid={`total-${c}`}>{summary.totals[c]}</td>
              <td>{summary.images ? summary.meanPerImage[c].toFixed(1) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="ratios">
        <dt>WBC : RBC</dt>
        <dd data-testid="ratio-wbc">{formatRatio(summary.wbcPerRbc)}</dd>
        <dt>Platelets : RBC</dt>
        <dd data-testid="ratio-platelets">{formatRatio(summary.plateletsPerRbc)}</dd>
        <dt>Images counted</dt>
        <dd>{summary.images}</dd>
      </dl>
      {current?.status === 'error' && <p className="error-text">{current.error}</p>}
    </section>
  );
}
