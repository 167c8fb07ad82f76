import { AppError, errorMessage } from '../../core/errors';
import { memo, useState } from 'react';
import { IN_DIFFERENTIAL, WBC_LABEL, type WbcType } from '../../core/differential/differential';
import { ADULT_REFERENCE, parseIntervals, type Interval, type ReferenceIntervals } from '../../core/differential/rules';
import { useApp } from '../../services/context';
import { latinDigits } from '../../core/formats/digits';
import { browserLocale, editable } from '../../core/formats/numbers';

const TYPES: readonly WbcType[] = [...IN_DIFFERENTIAL, 'erythroblast'];
type Table = 'percent' | 'absolute';
type Draft = { source: string } & Record<Table, Record<string, { low: string; high: string }>>;

// with the browser's decimal sign, as the report prints them ("0,2" in de-DE), which fromDraft reads back
const show = (iv: Interval | undefined) => ({ low: iv ? editable(iv.low, browserLocale()) : '', high: iv ? editable(iv.high, browserLocale()) : '' });

function toDraft(r: ReferenceIntervals): Draft {
  const table = (t: Table) => Object.fromEntries(TYPES.map((k) => [k, show(r[t][k])]));
  return { source: r.source, percent: table('percent'), absolute: table('absolute') };
}

/** A row left empty has no interval (and so no H/L flag); half a row, or a word, is an error. */
function fromDraft(d: Draft): ReferenceIntervals {
  const table = (t: Table) => {
    const out: Record<string, Interval> = {};
    for (const k of TYPES) {
      const { low, high } = d[t][k];
      if (!low.trim() && !high.trim()) continue;
      const name = `${WBC_LABEL[k]} (${t === 'percent' ? '%' : '×10⁹/L'})`;
      if (!low.trim() || !high.trim()) throw new AppError('reference-intervals', `${name}: give both ends of the interval, or neither`);
      // a decimal comma, and an Arabic keyboard's digits and separator ("٤٫٥"), read as the number they are
      const num = (v: string) => Number(latinDigits(v.trim()).replace(',', '.'));
      out[k] = { low: num(low), high: num(high) };
      if (!Number.isFinite(out[k].low) || !Number.isFinite(out[k].high)) throw new AppError('reference-intervals', `${name}: the interval must be two numbers`);
      // a share of the differential is at most 100 (erythroblasts are per 100 WBC, outside it): a slip such as
      // 40–800 was saved, printed on every report, and no count could ever read H against it
      if (t === 'percent' && k !== 'erythroblast' && out[k].high > 100) throw new AppError('reference-intervals', `${name}: a percentage of the differential is at most 100`);
    }
    return out;
  };
  return parseIntervals({ source: d.source, percent: table('percent'), absolute: table('absolute') });
}

/** The lab's reference intervals for the report (% and ×10⁹/L per type, and where they come from).
 * Kept on this device with the lab's other settings; every report names the source. Memo: it has no
 * props, and its 24 inputs were rendered again with the differential panel on every image of a batch. */
export const ReferenceEditor = memo(function ReferenceEditor() {
  const reference = useApp((s) => s.reference);
  const setReference = useApp((s) => s.setReference);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const d = draft ?? toDraft(reference);
  const edit = (t: Table, k: string, end: 'low' | 'high', v: string) => setDraft({ ...d, [t]: { ...d[t], [k]: { ...d[t][k], [end]: v } } });
  const save = () => {
    try {
      setReference(fromDraft(d));
      setDraft(null);
      setError(null);
    } catch (e) {
      setError(errorMessage(e instanceof AppError ? e : new AppError('reference-intervals', errorMessage(e))));
    }
  };
  const cell = (t: Table, k: WbcType, end: 'low' | 'high') => (
    <input
      inputMode="decimal"
      aria-label={`${WBC_LABEL[k]}, ${t === 'percent' ? '%' : '×10⁹/L'}, ${end}`}
      data-testid={`ref-${t}-${end}-${k}`}
      value={d[t][k][end]}
      onChange={(e) => edit(t, k, end, e.target.value)}
    />
  );
  return (
    <details className="reference-editor" data-testid="reference-editor">
      <summary>Reference intervals</summary>
      <p className="hint" data-testid="reference-source-shown">
        On the report: {reference.source}
      </p>
      <table>
        {/* the type's name takes a third; the four ends share the rest, so the table never outgrows the panel */}
        <colgroup>
          <col className="reference-name" />
          <col />
          <col />
          <col />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th>
              <span className="sr-only">WBC type</span>
            </th>
            <th colSpan={2}>%</th>
            <th colSpan={2}>×10⁹/L</th>
          </tr>
        </thead>
        <tbody>
          {TYPES.map((k) => (
            <tr key={k}>
              <th>{WBC_LABEL[k]}</th>
              <td>{cell('percent', k, 'low')}</td>
              <td>{cell('percent', k, 'high')}</td>
              <td>{k === 'erythroblast' ? null : cell('absolute', k, 'low')}</td>
              <td>{k === 'erythroblast' ? null : cell('absolute', k, 'high')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="reference-source">
        Source (printed on every report){' '}
        <input data-testid="reference-source" value={d.source} onChange={(e) => setDraft({ ...d, source: e.target.value })} />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="reference-error">
          {error}
        </p>
      )}
      <div className="reference-actions">
        <button data-testid="reference-save" disabled={!draft} onClick={save}>
          Save intervals
        </button>
        <button data-testid="reference-cancel" disabled={!draft} onClick={() => (setDraft(null), setError(null))}>
          Cancel
        </button>
        <button
          data-testid="reference-reset"
          onClick={() => {
            setReference(ADULT_REFERENCE);
            setDraft(null);
            setError(null);
          }}
        >
          Adult defaults
        </button>
      </div>
    </details>
  );
});
