import { useApp, useServices } from '../services/context';
import { CLASS_NAMES } from '../core/detection/classes';
import { formatRatio } from '../core/counts/counts';
import { COUNT_RULES } from '../core/detection/postprocess';
import { imageCounts, selectBatchDifferential, selectSummary, wasEdited } from '../store/selectors';
import { IN_DIFFERENTIAL, WBC_LABEL } from '../core/differential/differential';
import { Thumb } from './Thumb';

/** Rendered only by the print stylesheet: the counts table with thumbnails, for "Save as PDF". */
export function PrintReport() {
  const order = useApp((s) => s.order);
  const images = useApp((s) => s.images);
  const params = useApp((s) => s.postprocess);
  const summary = useApp(selectSummary);
  const fixedScale = useApp((s) => s.fixedScale);
  const { classifier } = useServices();
  const diff = useApp((s) => selectBatchDifferential(s, classifier?.lowConfidence));
  const done = order.map((id) => images[id]).filter((im) => im.status === 'done');
  if (!done.length) return null;
  return (
    <section className="print-report" aria-hidden>
      <h1>Smearcount report</h1>
      <p>
        {new Date().toLocaleString()} · {done.length} images · thresholds RBC {params.scoreThresholds.RBC.toFixed(2)}, WBC{' '}
        {params.scoreThresholds.WBC.toFixed(2)}, Platelets {params.scoreThresholds.Platelets.toFixed(2)}
      </p>
      <p data-testid="report-count-rule">
        Count rule: {COUNT_RULES[params.countRule]}. Magnification:{' '}
        {fixedScale === null ? 'estimated per image' : `fixed: cells at ${(1 / fixedScale).toFixed(2)}× the model's scale`}; second pass on{' '}
        {done.filter((im) => im.scale?.passes === 2).length} of {done.length} images.
      </p>
      <table>
        <thead>
          <tr>
            <th />
            <th>Image</th>
            {CLASS_NAMES.map((c) => (
              <th key={c}>{c}</th>
            ))}
            <th>Reviewed</th>
            <th>Edited</th>
          </tr>
        </thead>
        <tbody>
          {done.map((im) => {
            const c = imageCounts(im, params);
            return (
              <tr key={im.id}>
                <td>
                  <Thumb id={im.id} ready />
                </td>
                <td>{im.name}</td>
                {CLASS_NAMES.map((k) => (
                  <td key={k}>{c[k]}</td>
                ))}
                <td>{im.reviewed ? 'yes' : ''}</td>
                <td>{wasEdited(im) ? 'yes' : ''}</td>
              </tr>
            );
          })}
          <tr className="total">
            <td />
            <td>Total</td>
            {CLASS_NAMES.map((k) => (
              <td key={k}>{summary.totals[k]}</td>
            ))}
            <td colSpan={2} />
          </tr>
        </tbody>
      </table>
      {classifier && diff.diff.classified > 0 && (
        <table className="report-differential" data-testid="report-differential">
          <caption>WBC differential ({diff.diff.classified} WBC typed{diff.unsure ? `, ${diff.unsure} unsure` : ''})</caption>
          <thead>
            <tr>
              <th>Type</th>
              <th>n</th>
              <th>%</th>
            </tr>
          </thead>
          <tbody>
            {IN_DIFFERENTIAL.map((t) => (
              <tr key={t}>
                <td>{WBC_LABEL[t]}</td>
                <td>{diff.diff.counts[t]}</td>
                <td>{diff.diff.total ? diff.diff.percent[t].toFixed(1) : '–'}</td>
              </tr>
            ))}
            <tr>
              <td>{WBC_LABEL.erythroblast}, per 100 WBC</td>
              <td>{diff.diff.counts.erythroblast}</td>
              <td>{diff.diff.nrbcPer100 === null ? '–' : diff.diff.nrbcPer100.toFixed(1)}</td>
            </tr>
          </tbody>
        </table>
      )}
      <p>
        WBC : RBC {formatRatio(summary.wbcPerRbc)} · Platelets : RBC {formatRatio(summary.plateletsPerRbc)}. Counts by an automated
        detector{done.some((im) => im.reviewed) ? ', reviewed where marked' : ''}; not a diagnosis.
      </p>
    </section>
  );
}
