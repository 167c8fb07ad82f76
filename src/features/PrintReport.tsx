import { describeScaleSetting } from '../core/detection/scaleWords';
import { useApp, useServices, useView } from '../services/context';
import { CLASS_NAMES } from '../core/detection/classes';
import { formatRatio } from '../core/counts/counts';
import { COUNT_RULES } from '../core/detection/postprocess';
import { imageCounts, imageFlags, inTotals, selectBatchDifferential, selectSummary, shownDetections, wasEdited } from '../store/selectors';
import { FLAG_CODES, FLAG_TEXT } from '../core/quality/flags';
import { classColors } from '../core/detection/card';
import { Thumb } from './Thumb';
import { useMemo } from 'react';
import { countErrors } from '../core/metrics/ap';
import { groundTruthAp, selectDifferentialState } from '../store/selectors';
import { exportName } from '../core/formats/sample';
import { ReportDifferential } from './report/ReportDifferential';

/** ISO 8601 local date and time, minutes precision, with the UTC offset. */
export function isoLocal(d = new Date()): string {
  const off = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}${off >= 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
}

/** The report a clinician can file: a preview on screen (Print report), then the print dialog. */
export function PrintReport() {
  const order = useApp((s) => s.order);
  const images = useApp((s) => s.images);
  const params = useApp((s) => s.postprocess);
  const summary = useApp(selectSummary);
  const fixedScale = useApp((s) => s.fixedScale);
  const { classifier } = useServices();
  const diff = useApp((s) => selectBatchDifferential(s, classifier?.lowConfidence));
  const { card, view } = useServices();
  const color = classColors(card);
  const open = useView((s) => s.reportOpen);
  const model = useApp((s) => s.model);
  const sample = useApp((s) => s.sample);
  const setSample = useApp((s) => s.setSample);
  const releaseReport = useApp((s) => s.releaseReport);
  const st = useApp((s) => selectDifferentialState(s, classifier?.lowConfidence));
  const reference = useApp((s) => s.reference);
  const released = !!sample.verifiedAt;
  const canRelease = sample.id.trim() !== '';
  const release = () => {
    if (!canRelease) return;
    releaseReport(sample.verifiedBy.trim() || sample.operator.trim());
    // the printed PDF's default file name carries the sample ID
    const title = document.title;
    document.title = exportName('report', sample.id, 'pdf').replace(/\.pdf$/, '');
    // after React has rendered the verification line
    setTimeout(() => {
      window.print();
      document.title = title;
    }, 0);
  };
  // Agreement with loaded annotations, with the same src/core metrics as the eval CLI; only when
  // annotations were loaded, and only when the batch changes (this component stays mounted).
  const agreement = useMemo(() => {
    const withGt = order.map((id) => images[id]).filter((im) => im.status === 'done' && im.gt);
    if (!withGt.length) return null;
    const ce = countErrors(withGt.map((im) => ({ gt: im.gt!, dets: shownDetections(im, params) })));
    const ap = groundTruthAp({ images, order, currentId: null, postprocess: params }).batch;
    return { images: withGt.length, ap, counts: CLASS_NAMES.map((c) => `${c} ${Number.isNaN(ce[c].accuracy) ? '–' : ce[c].accuracy.toFixed(3)}`).join(', ') };
  }, [images, order, params]);
  const done = order.map((id) => images[id]).filter((im) => im.status === 'done');
  if (!done.length) return null;
  const t = params.scoreThresholds;
  return (
    <section className={`print-report${open ? ' preview' : ''}`} aria-hidden={!open} data-testid="report" role={open ? 'dialog' : undefined} aria-label="Report preview">
      {open && (
        <div className="report-actions">
          <button data-testid="report-print" onClick={release} disabled={!canRelease} title={canRelease ? 'Verify and print' : 'Enter the sample ID first'}>
            Verify and print…
          </button>
          {!canRelease && <span className="hint" data-testid="report-needs-sample">Enter the sample ID to release the report.</span>}
          <button onClick={() => view.getState().setReportOpen(false)}>Close</button>
        </div>
      )}
      <h1>Smearcount report</h1>
      <p className="report-fields">
        <label>
          Sample ID <input value={sample.id} onChange={(e) => setSample({ id: e.target.value })} data-testid="report-sample" required aria-required="true" />
        </label>
        <label>
          Operator <input value={sample.operator} onChange={(e) => setSample({ operator: e.target.value })} data-testid="report-operator" />
        </label>
        <label>
          Verified by <input value={sample.verifiedBy} placeholder={sample.operator} onChange={(e) => setSample({ verifiedBy: e.target.value })} data-testid="report-verified-by" />
        </label>
      </p>
      <p data-testid="report-sample-times">
        Collected {sample.collectedAt ? sample.collectedAt.replace('T', ' ') : '–'} · received {sample.receivedAt ? sample.receivedAt.replace('T', ' ') : '–'}
        {sample.wbcCount !== null ? ` · analyser WBC ${sample.wbcCount} ×10⁹/L` : ''}
        {sample.notes ? ` · notes: ${sample.notes}` : ''}
      </p>
      <p data-testid="report-meta">
        {isoLocal()} · {done.length} images · reviewed {done.filter((im) => im.reviewed).length} of {done.length} · model {card.name} (sha256{' '}
        {card.sha256.slice(0, 16)}…, {(card.bytes / 1e6).toFixed(2)} MB){classifier ? ` + ${classifier.name} (sha256 ${classifier.sha256.slice(0, 16)}…)` : ''} · engine{' '}
        {model.backend ?? '–'}
        {model.threads && model.threads > 1 ? ` × ${model.threads} threads` : ''}
      </p>
      <p data-testid="report-settings">
        Settings: thresholds RBC {Number(t.RBC.toFixed(3))}, WBC {Number(t.WBC.toFixed(3))}, Platelets {Number(t.Platelets.toFixed(3))}; NMS IoU{' '}
        {params.nmsIou} {params.crossClassNms ? 'within and across classes' : 'within each class'}.
      </p>
      {agreement && (
        <p data-testid="report-gt">
          Agreement with the loaded annotations ({agreement.images} images): AP@0.5 {agreement.ap === null ? '–' : agreement.ap.toFixed(3)}; count accuracy{' '}
          {agreement.counts}.
        </p>
      )}
      <p data-testid="report-count-rule">
        Count rule: {COUNT_RULES[params.countRule]}. Magnification:{' '}
        {describeScaleSetting(fixedScale)}; second pass on{' '}
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
            <th>Flags</th>
          </tr>
        </thead>
        <tbody>
          {done.map((im) => {
            const c = imageCounts(im, params);
            return (
              <tr key={im.id}>
                <td>
                  <span className="report-thumb">
                    <Thumb id={im.id} ready />
                    <svg viewBox={`0 0 ${im.width} ${im.height}`} preserveAspectRatio="none" aria-hidden>
                      {shownDetections(im, params).map((d) => (
                        <rect key={d.id} x={d.box.x1} y={d.box.y1} width={d.box.x2 - d.box.x1} height={d.box.y2 - d.box.y1} fill="none" stroke={color[d.cls]} strokeWidth={Math.max(2, (im.width ?? 640) / 160)} />
                      ))}
                    </svg>
                  </span>
                </td>
                <td>{im.name}</td>
                {CLASS_NAMES.map((k) => (
                  <td key={k}>{c[k]}</td>
                ))}
                <td>{im.reviewed ? 'yes' : ''}</td>
                <td>{wasEdited(im) ? 'yes' : ''}</td>
                <td data-testid="report-flags">
                  {imageFlags(im, params, classifier?.lowConfidence).join(', ')}
                  {inTotals(im) ? '' : ' (not in the totals)'}
                </td>
              </tr>
            );
          })}
          <tr className="total">
            <td />
            <td>Total{summary.images < done.length ? ` (${summary.images} of ${done.length} images; flagged ones left out)` : ''}</td>
            {CLASS_NAMES.map((k) => (
              <td key={k}>{summary.totals[k]}</td>
            ))}
            <td colSpan={3} />
          </tr>
          <tr className="total">
            <td />
            <td>Mean per image (field)</td>
            {CLASS_NAMES.map((k) => (
              <td key={k}>{summary.meanPerImage[k].toFixed(1)}</td>
            ))}
            <td colSpan={3} />
          </tr>
        </tbody>
      </table>
      {classifier && (diff.diff.classified > 0 || st.smudge + st.other > 0) && <ReportDifferential st={st} wbcCount={sample.wbcCount} reference={reference} code={Object.fromEntries(classifier.classes.map((c) => [c.name, c.code]))} shortReason={sample.shortReason} setShortReason={(v) => setSample({ shortReason: v })} />}
      <p data-testid="report-verification" className="report-verification">
        {released
          ? `Verified by ${sample.verifiedBy || '(no name)'} at ${isoLocal(new Date(sample.verifiedAt!))}.`
          : sample.withdrawn
            ? `Not verified: the release was withdrawn (${sample.withdrawn}); verify and print again.`
            : 'Not yet verified: released when printed with a sample ID.'}
      </p>
      {done.some((im) => imageFlags(im, params, classifier?.lowConfidence).length) && (
        <ul className="report-flag-legend" data-testid="report-flag-legend">
          {FLAG_CODES.filter((f) => done.some((im) => imageFlags(im, params, classifier?.lowConfidence).includes(f))).map((f) => (
            <li key={f}>
              <b>{f}</b>: {FLAG_TEXT[f]}
            </li>
          ))}
        </ul>
      )}
      <p>
        WBC : RBC {formatRatio(summary.wbcPerRbc)} · Platelets : RBC {formatRatio(summary.plateletsPerRbc)}. Counts by an automated
        detector{done.some((im) => im.reviewed) ? ', reviewed where marked' : ''}; not a diagnosis.
      </p>
    </section>
  );
}
