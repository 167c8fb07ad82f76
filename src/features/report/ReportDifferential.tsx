import { Fragment } from 'react';
import { WBC_LABEL } from '../../core/differential/differential';
import { printedDifferential, TOO_FEW_CELLS, wbcBasisWords, type DifferentialState, type Interval, type ReferenceIntervals } from '../../core/differential/rules';
import { fixed, plain } from '../../core/formats/numbers';

const iv = (i: Interval | undefined, figure: (x: number) => string) => (i ? `${figure(i.low)}–${figure(i.high)}` : '–');

/** The report's differential: what it rests on, %, absolute counts (×10⁹/L) with reference intervals and
 * H/L flags, and the cells kept apart. Figures are printed only on verified cells, up to the target or all
 * the WBCs there are; H/L on fewer than the target only with the technician's reason. */
export function ReportDifferential({
  locale,
  st,
  wbcCount,
  analyserCorrected,
  reference,
  code,
  shortReason,
  setShortReason,
}: {
  /** The figures as the browser's country writes them (PrintReport) */
  locale: string;
  st: DifferentialState;
  wbcCount: number | null;
  /** The analyser's count is entered already corrected for NRBC (the sample record). */
  analyserCorrected: boolean;
  reference: ReferenceIntervals;
  code: Record<string, string>;
  shortReason: string;
  setShortReason(v: string): void;
}) {
  const { shown, rows, withheld, wbc } = printedDifferential(st, wbcCount, reference, shortReason, analyserCorrected, locale);
  const short = shown && !st.reached;
  return (
    <div className="report-differential-block">
      <h2>WBC differential</h2>
      <p data-testid="report-diff-basis">
        WBC differential on <strong>{st.basedOn}</strong> verified cells (target {st.target}){st.over ? `; ${st.over} verified beyond the target, kept apart` : ''}.
      </p>
      {!shown && (
        <p className="report-warning" data-testid="report-diff-unreleased" role="note">
          Differential not released: {st.basedOn} of {st.target} cells verified, {st.unverified + st.untyped} not yet. Verify to the target, or every WBC there is.
        </p>
      )}
      {/* only beside percentages: with none printed there is nothing to be imprecise */}
      {shown && st.basedOn < st.target && (
        <p className="report-warning" data-testid="report-diff-warning" role="note">
          Caution: the differential rests on {st.basedOn} cells, fewer than the target of {st.target}; percentages are imprecise.
        </p>
      )}
      {short && (
        <p className="report-short-reason">
          <label className="report-field">
            Reason for fewer than {st.target} cells{' '}
            <input data-testid="report-short-reason" autoComplete="off" value={shortReason} placeholder={`e.g. leukopenia: ${st.basedOn} cells in 40 fields`} onChange={(e) => setShortReason(e.target.value)} />
            {/* on paper the reason is its text (or a blank line), like every other field */}
            <span className="print-value">{shortReason}</span>
          </label>
          {!shortReason.trim() && <span data-testid="report-short-noflags"> No H/L flags are printed without a reason.</span>}
        </p>
      )}
      <table className="report-differential" data-testid="report-differential">
        <thead>
          <tr>
            <th>Type</th>
            <th>n</th>
            <th>%</th>
            <th>Reference %</th>
            <th>×10⁹/L</th>
            <th>Reference ×10⁹/L</th>
            <th>Flag</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Fragment key={r.type}>
              {/* erythroblasts are per 100 WBC, outside the 100%: under the table's header their figure and interval read
                  as a % of the differential ("Reference %" over the NRBC row); a header of their own says what they are,
                  in words no wider than the columns' own (wider, they wrapped the rows and page 1 overflowed Letter) */}
              {r.type === 'erythroblast' && (
                <tr className="report-differential-apart" data-testid="report-nrbc-head">
                  <th scope="col">Outside the 100%</th>
                  <th scope="col">n</th>
                  {/* on two lines, "per 100" kept together, no wider than the % column's figures: on one line it took the
                      labels' room and they wrapped */}
                  <th scope="col">
                    per{'\u00a0'}100 <br />
                    WBC
                  </th>
                  <th scope="col">Reference</th>
                  <th scope="col">×10⁹/L</th>
                  <th scope="col">Reference ×10⁹/L</th>
                  <th scope="col">Flag</th>
                </tr>
              )}
              <tr data-testid={`report-row-${r.type}`}>
                <td>
                  {/* "per 100 WBC" is its header's, and "NRBC" is in its label already: said twice, the label wrapped onto a
                      second line at Letter's width */}
                  {WBC_LABEL[r.type]}
                  {WBC_LABEL[r.type].includes(`(${code[r.type]})`) ? '' : <> <span className="muted">{code[r.type]}</span></>}
                </td>
                <td>{shown ? r.n : ''}</td>
                <td data-testid={`report-pct-${r.type}`}>{r.percentText}</td>
                {/* % to 0.1 as entered and as the flags compare it: to whole numbers, a lab's 45–75.5 was printed 45–76 */}
                <td>{iv(r.percentInterval, (x) => plain(x, locale, 1))}</td>
                <td data-testid={`report-abs-${r.type}`}>{r.absoluteText}</td>
                <td>{iv(r.absoluteInterval, (x) => fixed(x, 2, locale))}</td>
                <td data-testid={`report-flag-${r.type}`} className="flag">
                  {r.flagText}
                  {/* a withheld flag is marked, not printed: the footnote says why, once */}
                  {r.note === TOO_FEW_CELLS && (
                    <span className="muted" data-testid={`report-flag-note-${r.type}`} title={`${r.withheldText}: ${TOO_FEW_CELLS}`}>
                      {r.flagText ? ' ' : ''}*
                    </span>
                  )}
                  {r.note === 'no interval set' && (
                    <span className="muted" data-testid={`report-flag-note-${r.type}`}>
                      no interval set
                    </span>
                  )}
                </td>
              </tr>
            </Fragment>
          ))}
        </tbody>
      </table>
      <p data-testid="report-apart">
        Kept apart from the differential: {st.unverified} unverified cell{st.unverified === 1 ? '' : 's'}
        {st.unsure ? ` (${st.unsure} unsure)` : ''}
        {st.over ? `; ${st.over} verified beyond the target` : ''}
        {/* a WBC with no type yet (the classifier not loaded or still typing) was in no row of the report at all */}
        {st.untyped ? `; ${st.untyped} WBC not typed` : ''}; {st.smudge} smudge / damaged; {st.other} other / unidentified.
      </p>
      <p className="muted" data-testid="report-reference">
        {/* which WBC count the absolute counts rest on: the analyser's corrected for the NRBC counted, or as entered */}
        Units: % of the differential;{' '}
        <span data-testid="report-wbc-basis">{wbc === null ? 'absolute counts ×10⁹/L (not given: no analyser WBC count entered)' : shown ? wbcBasisWords(wbc, locale) : `absolute counts ×10⁹/L from the analyser's WBC ${plain(wbcCount!, locale)} ×10⁹/L, once the differential is released`}</span>. Reference
        intervals: {reference.source}. H / L: above / below the % interval; “(abs)”: the ×10⁹/L interval. Percentages are rounded to 0.1 and
        absolute counts to 0.01, so a column may not add up to exactly 100 or to the analyser's count.
      </p>
      {withheld && (
        <p className="muted" data-testid="report-flag-withheld">
          * Outside the reference interval on its face, but {TOO_FEW_CELLS} ({rows.filter((r) => r.note === TOO_FEW_CELLS).map((r) => `${WBC_LABEL[r.type].replace(/ \(.*\)$/, '')} ${r.withheldText}`).join(', ')}): on {st.basedOn}{' '}
          cells the count’s 95% binomial interval (Rümke) still reaches into the reference interval. A flag is printed only where even that interval lies outside it.
        </p>
      )}
    </div>
  );
}
