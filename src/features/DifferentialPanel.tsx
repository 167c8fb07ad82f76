import { adapts, keptWhy, modelRight } from '../core/adapt/adapt';
import { IN_DIFFERENTIAL, WBC_LABEL, type Differential } from '../core/differential/differential';
import { apartText, modelLean, rulesProgressText, type DiffTarget, type Lean, type ReleaseBasis } from '../core/differential/rules';
import { useApp, useServices } from '../services/context';
import { imageDifferential, selectBatchDifferential, selectCurrent, selectDifferentialState } from '../store/selectors';
import { ReferenceEditor } from './report/ReferenceEditor';
import { Section } from './Section';
import { useInputMode } from './useInputMode';
import { browserLocale, fixed, plain } from '../core/formats/numbers';
import { readingWords, referenceWords } from './leanWords';

// as the browser's country writes them ("65,2%" in a German lab)
const pct = (x: number) => `${fixed(x, 1, browserLocale())}%`;

/** The WBC differential of the image and the batch, in clinical order, as an analyzer reports it: the
 * released % rests on verified cells (a setting), unverified, unsure and uncountable cells apart. */
export function DifferentialPanel() {
  const { classifier, gallery } = useServices();
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const available = useApp((s) => s.model.classifier === true);
  const batch = useApp((s) => selectBatchDifferential(s, classifier?.lowConfidence));
  const st = useApp((s) => selectDifferentialState(s, classifier?.lowConfidence));
  const rules = useApp((s) => s.diffRules);
  const setRules = useApp((s) => s.setDiffRules);
  const adaptation = useApp((s) => s.adaptation);
  const reference = useApp((s) => s.reference);
  const touch = useInputMode() === 'touch';
  if (!classifier) return null;
  const img: Differential | null = current?.status === 'done' ? imageDifferential(current, params) : null;
  const code = Object.fromEntries(classifier.classes.map((c) => [c.name, c.code]));
  const color = Object.fromEntries(classifier.classes.map((c) => [c.name, c.color]));
  // the panel may show every typed cell as a preliminary view; the report releases verified cells only
  const rel = rules.basis === 'all' ? st.preliminary : st.released;
  const lean = modelLean(st.modelOnly, reference);
  const apart = apartText(st);
  return (
    <Section title="WBC differential" className="differential" testId="differential">
      {!available && <p className="hint">The WBC classifier is not loaded: types are not available.</p>}
      {/* not a live region: it changed with every cell verified, so a screen reader said the progress (and "target
          100 reached, 3 beyond it") at each one, the target twice with its notice; the notice says it, once */}
      <p className={`diff-released${st.reached ? ' reached' : ''}`} data-testid="diff-released">
        {rulesProgressText(st)}
      </p>
      {/* the cells it does not rest on, once each (the typed cells were said three times, in three lines) */}
      {apart && (
        <p className="diff-apart" data-testid="diff-apart">
          {apart}
        </p>
      )}
      {lean && <LeanNotice lean={lean} of={st.modelOnly.classified} />}
      <button data-testid="open-gallery-panel" disabled={!batch.diff.classified && !st.smudge && !st.other} onClick={() => gallery.getState().setOpen(true)}>
        Verify in the gallery…
      </button>
      <table className="diff-table">
        <thead>
          <tr>
            <th>
              <span className="sr-only">WBC type</span>
            </th>
            <th>This image</th>
            <th title="Every typed cell of the batch">Batch</th>
            <th title={rules.basis === 'verified' ? 'What the report would release: verified cells only, up to the target' : 'Preliminary: every typed cell (the report releases verified cells only)'}>{rules.basis === 'verified' ? 'Verified %' : 'Prelim. %'}</th>
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
              <td data-testid={`diff-pct-${t}`}>{rel.total ? pct(rel.percent[t]) : '–'}</td>
            </tr>
          ))}
          {/* each column holds what its header says: cells in the count columns, a % in the % column (the
              cells that % rests on are in its title and in the line above the table) */}
          <tr className="total">
            <th>Total (100%)</th>
            <td>{img ? img.total : ''}</td>
            <td data-testid="diff-total">{batch.diff.total}</td>
            <td data-testid="diff-released-total" title={`${rel.total} cell${rel.total === 1 ? '' : 's'}`}>
              {rel.total ? pct(100) : '–'}
            </td>
          </tr>
          <tr data-testid="diff-erythroblast" title="Nucleated red cells, per 100 WBC, outside the 100%">
            <th>
              <span className="swatch" style={{ background: color.erythroblast }} /> {code.erythroblast} <span className="muted">per 100 WBC</span>
            </th>
            <td>{img ? img.counts.erythroblast : ''}</td>
            <td>{batch.diff.counts.erythroblast}</td>
            <td data-testid="diff-nrbc">{rel.nrbcPer100 === null ? '–' : fixed(rel.nrbcPer100, 1, browserLocale())}</td>
          </tr>
        </tbody>
      </table>
      <div className="diff-settings">
        <label>
          Target{' '}
          <select data-testid="diff-target" value={rules.target} onChange={(e) => setRules({ target: Number(e.target.value) as DiffTarget })}>
            <option value={100}>100 cells</option>
            <option value={200}>200 cells</option>
          </select>
        </label>
        <label>
          Panel % on{' '}
          <select data-testid="diff-basis" value={rules.basis} onChange={(e) => setRules({ basis: e.target.value as ReleaseBasis })}>
            <option value="verified">verified cells</option>
            <option value="all">every typed cell (preliminary)</option>
          </select>
        </label>
      </div>
      <ReferenceEditor />
      {adaptation.cells > 0 && (
        <p className="hint" data-testid="diff-adapted">
          {adapts(adaptation.head)
            ? `Types adapted to this microscope from ${adaptation.cells} verified cell${adaptation.cells === 1 ? '' : 's'}.`
            : // "already types them right" was said too where it had typed some wrong and adapting did no better
              `Types as the model reads them: it ${keptWhy(modelRight(adaptation.head), adaptation.cells)}.`}
        </p>
      )}
      <p className="hint">
        {touch
          ? 'Tap a WBC and pick its type in the row above the image.'
          : `Select a WBC and press Shift+1…7 to set its type (${classifier.classes.map((c, i) => `${i + 1} ${c.code}`).join(', ')}).`}
      </p>
    </Section>
  );
}

/** The model's reading is far outside any differential: say so, and what to do, before anyone signs it. */
function LeanNotice({ lean, of }: { lean: Lean; of: number }) {
  const name = WBC_LABEL[lean.type].replace(/ \(.*\)$/, '').toLowerCase();
  const nrbc = lean.type === 'erythroblast';
  const iv = lean.interval;
  const locale = browserLocale();
  const ref = referenceWords(iv, nrbc, locale);
  return (
    <p className="diff-lean" data-testid="diff-lean" role="status">
      Unusual reading: the model alone typed {plain(lean.cells, locale)} of {plain(of, locale)} cells as {name} ({readingWords(lean.value, locale)}
      {nrbc ? ' per 100 WBC' : '%'}; reference {ref}). Check them in the gallery: on a microscope the classifier has not learnt, its
      types can lean to one class, and the cells you verify teach it this microscope.
    </p>
  );
}
