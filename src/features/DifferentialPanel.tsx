import { IN_DIFFERENTIAL, WBC_LABEL, progressText, type Differential } from '../core/differential/differential';
import { useApp, useServices } from '../services/context';
import { imageDifferential, selectBatchDifferential, selectCurrent } from '../store/selectors';
import { Section } from './Section';

const pct = (x: number) => `${x.toFixed(1)}%`;

/** The WBC differential of the image and the batch, in clinical order, as an analyzer reports it. */
export function DifferentialPanel() {
  const { classifier } = useServices();
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const available = useApp((s) => s.model.classifier === true);
  const batch = useApp((s) => selectBatchDifferential(s, classifier?.lowConfidence));
  if (!classifier) return null;
  const img: Differential | null = current?.status === 'done' ? imageDifferential(current, params) : null;
  const code = Object.fromEntries(classifier.classes.map((c) => [c.name, c.code]));
  const color = Object.fromEntries(classifier.classes.map((c) => [c.name, c.color]));
  return (
    <Section title="WBC differential" className="differential" testId="differential">
      {!available && <p className="hint">The WBC classifier is not loaded: types are not available.</p>}
      <p className="diff-progress" data-testid="diff-progress">
        {progressText(batch.diff)}
        {batch.untyped ? ` · ${batch.untyped} waiting` : ''}
        {batch.unsure ? ` · ${batch.unsure} unsure (reviewed first with U)` : ''}
      </p>
      <table>
        <thead>
          <tr>
            <th />
            <th>This image</th>
            <th colSpan={2}>Batch</th>
          </tr>
        </thead>
        <tbody>
          {IN_DIFFERENTIAL.map((t) => (
            <tr key={t} data-testid={`diff-${t}`}>
              <th title={WBC_LABEL[t]}>
                <span className="swatch" style={{ background: color[t] }} /> {code[t]} <span className="muted">{WBC_LABEL[t]}</span>
              </th>
              <td>{img ? img.counts[t] : ''}</td>
              <td data-testid={`diff-count-${t}`}>{batch.diff.counts[t]}</td>
              <td data-testid={`diff-pct-${t}`}>{batch.diff.total ? pct(batch.diff.percent[t]) : '–'}</td>
            </tr>
          ))}
          <tr className="total">
            <th>Total (100%)</th>
            <td>{img ? img.total : ''}</td>
            <td data-testid="diff-total">{batch.diff.total}</td>
            <td>{batch.diff.total ? '100%' : '–'}</td>
          </tr>
          <tr data-testid="diff-erythroblast" title="Nucleated red cells, per 100 WBC, outside the 100%">
            <th>
              <span className="swatch" style={{ background: color.erythroblast }} /> {code.erythroblast} <span className="muted">per 100 WBC</span>
            </th>
            <td>{img ? img.counts.erythroblast : ''}</td>
            <td>{batch.diff.counts.erythroblast}</td>
            <td data-testid="diff-nrbc">{batch.diff.nrbcPer100 === null ? '–' : batch.diff.nrbcPer100.toFixed(1)}</td>
          </tr>
        </tbody>
      </table>
      <p className="hint">Select a WBC and press Shift+1…7 to set its type ({classifier.classes.map((c, i) => `${i + 1} ${c.code}`).join(', ')}).</p>
    </Section>
  );
}
