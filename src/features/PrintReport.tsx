import { useApp, useServices, useView } from '../services/context';
import { CLASS_NAMES } from '../core/detection/classes';
import { batchEstimate, formatRatio, leukocyteCounts, perFieldText } from '../core/counts/counts';
import { COUNT_RULES } from '../core/detection/postprocess';
import { imageFlags, inTotals, selectBatchDifferential, selectClumpedFields, shownDetections, wasEdited } from '../store/selectors';
import { excludes, FLAG_CODES, FLAG_SHORT, flagLegend } from '../core/quality/flags';
import { classColors } from '../core/detection/card';
import { cornerRadius } from '../core/detection/classMark';
import { Thumb } from './Thumb';
import { useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { pageFrameCss } from '../core/formats/printPage';
import { useBackCloses } from './useBackCloses';
import { useDialogFocus } from './useDialogFocus';
import { usePrinting } from './usePrinting';
import { countErrors } from '../core/metrics/ap';
import { groundTruthAp, selectDifferentialState } from '../store/selectors';
import { exportName } from '../core/formats/sample';
import { ReportDifferential } from './report/ReportDifferential';
import { correctedText, wbcBasis } from '../core/differential/rules';
import './report/report.css';
import { APP_VERSION } from '../services/appVersion';
import { backAtWithdrawnRelease } from '../store/release';
import { classifierWords, detectorWords, enginesWords, leftOutWords, notCountedWords, otherClassifiers, otherDetectors, releaseState, nrbcLeftOutWords, scaleUsed, selectAdaptationLine, selectCbc, selectEditsApart, handEditsWords, secondPassWords, selectEngines, selectLeftOutBoxes, selectNotCounted } from '../store/report';
import { isoLocal, isoLocalOf } from '../core/formats/isoLocal';
import { browserLocale, fixed, plain } from '../core/formats/numbers';
import { isolateName } from '../core/bidi';
import { imageEdits } from '../store/selectors';
import { editWords } from '../core/edits/summary';
import { releaseCounts, releaseGaps } from '../store/releaseCheck';
import { ReleaseConfirm } from './report/ReleaseConfirm';
import { useInputMode } from './useInputMode';

/** The report a clinician can file: a preview on screen (Print report), then the print dialog. Its
 * body exists only while the preview is open or the page is printed: mounted all the time, it re-rendered
 * on every store update of a batch for nothing on screen, the largest React cost of a batch (issue 24). */
export function PrintReport() {
  const open = useView((s) => s.reportOpen);
  const printing = usePrinting();
  return open || printing ? <ReportBody open={open} /> : null;
}

function ReportBody({ open }: { open: boolean }) {
  const order = useApp((s) => s.order);
  const images = useApp((s) => s.images);
  const refused = useApp((s) => s.refused);
  const params = useApp((s) => s.postprocess);
  // WBC without the boxes typed NRBC (nucleated red cells), which get a row of their own
  const { summary, nrbc } = useApp(selectCbc);
  const clumped = useApp(selectClumpedFields);
  const factors = useApp((s) => s.estimateFactors);
  // a low platelet estimate says what to check before it is reported (core/counts/counts.ts)
  // the figures as the browser's country writes them ("1.363", "22,7", "15.000/µL" in de-DE); times stay ISO 8601
  // with the offset (isoLocal), which reads one way in every country ("03/04" is March or April)
  const locale = browserLocale();
  const plateletCaution = factors.Platelets && summary.images ? batchEstimate(summary, 'Platelets', factors.Platelets, clumped).caution : null;
  // the magnification that counted the images, not one chosen since and not applied (store/report)
  const magnification = useApp((s) => scaleUsed(s, browserLocale()).words);
  const secondPass = useApp(secondPassWords);
  const { classifier } = useServices();
  const diff = useApp((s) => selectBatchDifferential(s, classifier?.lowConfidence));
  const { card, view } = useServices();
  const engines = useApp(selectEngines);
  // the edits on the images the counts rest on; a flagged image left out's said apart (store/report)
  const edits = useApp(selectEditsApart);
  const adaptation = useApp(selectAdaptationLine);
  // images counted by another detector model than the one loaded (a batch restored after an update)
  const otherModels = useApp((s) => detectorWords(otherDetectors(s, card)));
  const otherTypes = useApp((s) => (classifier ? classifierWords(otherClassifiers(s, classifier)) : ''));
  const color = classColors(card);
  const sample = useApp((s) => s.sample);
  const backAtRelease = useApp((s) => backAtWithdrawnRelease(s));
  const setSample = useApp((s) => s.setSample);
  const releaseReport = useApp((s) => s.releaseReport);
  const st = useApp((s) => selectDifferentialState(s, classifier?.lowConfidence));
  // the analyser's count, and the count corrected for NRBC where the released differential corrects it (wbcBasis)
  const basis = st.releasable ? wbcBasis(sample.wbcCount, st.released.nrbcPer100, sample.wbcNrbcCorrected === true) : null;
  const analyserWbc =
    sample.wbcCount === null
      ? ''
      : ` · analyser WBC ${plain(sample.wbcCount, locale)} ×10⁹/L${sample.wbcNrbcCorrected ? ' (corrected for NRBC by the analyser)' : basis?.correction === 'applied' ? ` (uncorrected; corrected for ${fixed(basis.nrbcPer100!, 1, locale)} NRBC per 100 WBC: ${correctedText(basis, locale)} ×10⁹/L)` : ''}`;
  const reference = useApp((s) => s.reference);
  const labName = useApp((s) => s.labName);
  const setLabName = useApp((s) => s.setLabName);
  const dialog = useRef<HTMLElement>(null);
  useDialogFocus(dialog, open);
  // the whole screen on a phone: Back closes the preview rather than leaving the app
  useBackCloses(open, () => view.getState().setReportOpen(false));
  const released = !!sample.verifiedAt;
  // A release names the sample and the person who verified it, as typed under "Verified by": never the
  // operator by default (a grey placeholder read as a name, and released under it); signed by nobody is not released.
  const verifier = sample.verifiedBy.trim();
  // images still being counted: the figures would change under the signature (and withdraw it at once)
  const counting = order.some((id) => images[id].status === 'queued' || images[id].status === 'running');
  const needs = sample.id.trim() === '' ? 'sample' : verifier === '' ? 'verifier' : counting ? 'counting' : null;
  const canRelease = needs === null;
  // A screen reader hears the release (the print dialog follows at once); empty until one happens here.
  const [announce, setAnnounce] = useState('');
  // What a new release would sign unchecked: said, and confirmed, before releasing (store/releaseCheck.ts).
  const touch = useInputMode() === 'touch';
  const hasDifferential = !!classifier && (diff.diff.classified > 0 || st.smudge + st.other > 0);
  // the images the counts rest on: a flagged image left out of them, marked reviewed or with uncertain boxes, checked
  // or left nothing that is signed (the main window's "n uncertain", what U visits, still counts its boxes)
  const counted = useApp(useShallow((s) => releaseCounts(s, classifier?.lowConfidence)));
  const gaps = releaseGaps({ ...counted, differential: hasDifferential ? st : null, touch });
  const [confirming, setConfirming] = useState(false);
  // The first focus: the field a release waits for (the verifier types or sees the name it will carry), never
  // the release itself (one Enter released it); on a released copy, or by touch (a focused field opens the
  // on-screen keyboard over the preview), Close.
  const focusField = touch || released ? null : needs === 'sample' ? 'sample' : 'verifier';
  const release = (confirmed = false) => {
    if (needs === 'counting') return;
    if (!canRelease) {
      // the button is aria-disabled, not disabled, so Tab reaches it and its description: a press takes
      // the technician to the field it waits for
      dialog.current?.querySelector<HTMLElement>(`[data-testid="${needs === 'sample' ? 'report-sample' : 'report-verified-by'}"]`)?.focus();
      return;
    }
    // printing a release again asks nothing: it was confirmed when it was made
    if (!released && gaps.length && !confirmed) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    setAnnounce(`Report for sample ${sample.id.trim()} ${released ? 'printed again' : 'released'}, verified by ${verifier}.`);
    // printed again with nothing changed: the same release (its time and revision stay)
    if (!released) releaseReport(verifier);
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
  // annotations were loaded, and only when the batch changes.
  const agreement = useMemo(() => {
    const withGt = order.map((id) => images[id]).filter((im) => im.status === 'done' && im.gt);
    if (!withGt.length) return null;
    const ce = countErrors(withGt.map((im) => ({ gt: im.gt!, dets: shownDetections(im, params) })));
    const ap = groundTruthAp({ images, order, currentId: null, postprocess: params }).batch;
    return { images: withGt.length, ap, counts: CLASS_NAMES.map((c) => `${c} ${Number.isNaN(ce[c].accuracy) ? '–' : fixed(ce[c].accuracy, 3, browserLocale())}`).join(', ') };
  }, [images, order, params]);
  const done = order.map((id) => images[id]).filter((im) => im.status === 'done');
  if (!done.length) return null;
  const t = params.scoreThresholds;
  const flagged = done.filter((im) => imageFlags(im, params, classifier?.lowConfidence).length);
  const leftOut = done.length - summary.images;
  // failed or still being counted: in none of the figures, and the paper says so
  const notCounted = notCountedWords(selectNotCounted({ order, images, refused }));
  // boxes on the counted fields that no figure counts (the count rule, specks on the optics, grey specks): said, with why
  const leftOutBoxes = leftOutWords(selectLeftOutBoxes({ order, images, postprocess: params }), params.countRule);
  const state = releaseState(sample);
  // a release withdrawn while the preview is open (an edit, a field of the record, a changed model) is said as the
  // page says it: the line kept "released" over a page that reads WITHDRAWN
  const said = announce && state.kind !== 'released' ? `Report for sample ${sample.id.trim()}: ${state.line}` : announce;
  // Appendix A's WBC leaves out the boxes typed NRBC, as page 1's does: they get a column of their own wherever an
  // image has one (an image whose only WBC was typed NRBC read "WBC 0", its cell in no column)
  const nrbcColumn = done.some((im) => leukocyteCounts(shownDetections(im, params)).nrbc > 0);
  // of the images the counts rest on: a flagged image left out of them and marked reviewed read "reviewed on 1 of 2
  // images" over counts of which nothing was checked
  const reviewed = done.filter((im) => im.reviewed && inTotals(im)).length;
  // Appendix B says the same, and the flagged images left out apart (it read "reviewed 1 of 2" where page 1 said 0 of 1)
  const reviewedLeftOut = done.filter((im) => im.reviewed && !inTotals(im)).length;
  const reviewedWords = leftOut
    ? `reviewed ${reviewed} of ${summary.images} image${summary.images === 1 ? '' : 's'} in the counts (and ${reviewedLeftOut} of ${leftOut} flagged image${leftOut === 1 ? '' : 's'} left out)`
    : `reviewed ${reviewed} of ${done.length}`;
  // the notes a technician wrote on cells kept apart (other / unidentified, smudge): findings a reader needs
  const cellNotes = done.flatMap((im) =>
    inTotals(im) ? shownDetections(im, params).flatMap((d) => (d.wbc?.category && d.wbc.note ? [`${isolateName(im.name)}: ${d.wbc.category === 'other' ? 'other / unidentified' : 'smudge / damaged'}, “${d.wbc.note}”`] : [])) : [],
  );
  return (
    <section
      ref={dialog}
      className={`print-report${open ? ' preview' : ''}`}
      aria-hidden={!open}
      data-testid="report"
      role={open ? 'dialog' : undefined}
      aria-modal={open || undefined}
      aria-label="Report preview"
    >
      {/* the lab and the sample ID on every printed page, and the page number */}
      <style>{pageFrameCss(labName, sample.id, state.page)}</style>
      {open && (
        <div className="report-actions">
          <button
            data-testid="report-print"
            onClick={() => release()}
            aria-disabled={!canRelease || undefined}
            aria-describedby={needs ? `report-needs-${needs}` : undefined}
            title={canRelease ? `Verify as ${verifier} and print` : needs === 'sample' ? 'Enter the sample ID first' : needs === 'verifier' ? 'Enter who verifies the report first' : 'Wait until every image is counted'}
          >
            Verify and print…
          </button>
          {needs === 'sample' && (
            <span className="hint" id="report-needs-sample" data-testid="report-needs-sample">
              Enter the sample ID to release the report.
            </span>
          )}
          {needs === 'verifier' && (
            <span className="hint" id="report-needs-verifier" data-testid="report-needs-verifier">
              Enter your name under “Verified by” to release the report.
            </span>
          )}
          {needs === 'counting' && (
            <span className="hint" id="report-needs-counting" data-testid="report-needs-counting">
              Images are still being counted: the report can be released once they are.
            </span>
          )}
          <span className="sr-only" role="status" aria-live="polite" data-testid="report-announce">
            {said}
          </span>
          <button onClick={() => view.getState().setReportOpen(false)} data-testid="report-close" data-autofocus={!focusField || undefined}>
            Close
          </button>
          {confirming && gaps.length > 0 && !released && (
            <ReleaseConfirm
              gaps={gaps}
              verifier={verifier}
              onRelease={() => release(true)}
              onBack={() => {
                setConfirming(false);
                dialog.current?.querySelector<HTMLElement>('[data-testid="report-print"]')?.focus();
              }}
            />
          )}
        </div>
      )}
      <div className="report-head">
        <p className="report-lab" data-testid="report-lab-name">
          {labName.trim()}
        </p>
        <h1>Blood smear report</h1>
      </div>
      {/* what this printout is, before anything else: a preliminary or withdrawn copy must not pass for a released one */}
      <p className={`report-state ${state.kind}`} data-testid="report-state">
        {state.line}
      </p>
      <div className="report-fields">
        <ReportField label="Sample ID" value={sample.id} onChange={(v) => setSample({ id: v })} testId="report-sample" required autofocus={focusField === 'sample'} />
        <ReportField label="Patient" value={sample.patient} onChange={(v) => setSample({ patient: v })} testId="report-patient" />
        <ReportField label="Ward" value={sample.ward} onChange={(v) => setSample({ ward: v })} testId="report-ward" />
        <ReportField label="Operator" value={sample.operator} onChange={(v) => setSample({ operator: v })} testId="report-operator" />
        <ReportField
          label="Verified by"
          value={sample.verifiedBy}
          onChange={(v) => setSample({ verifiedBy: v })}
          testId="report-verified-by"
          required
          autofocus={focusField === 'verifier'}
          // on paper, a name only on a released report: an unreleased one is verified by nobody
          printValue={released ? sample.verifiedBy : ''}
        />
        <ReportField label="Lab name" value={labName} onChange={setLabName} testId="report-lab" screenOnly />
      </div>
      {/* every time on the printout in one form, isoLocal's, with the zone offset (as the release's and the print's) */}
      <p data-testid="report-sample-times">
        Collected {sample.collectedAt ? isoLocalOf(sample.collectedAt) : '–'} · received {sample.receivedAt ? isoLocalOf(sample.receivedAt) : '–'}
        {analyserWbc}
      </p>
      {/* the technician's lines as written (white-space: pre-line in report.css) */}
      {sample.notes.trim() && (
        <p className="report-notes" data-testid="report-notes">
          Notes: {sample.notes.trim()}
        </p>
      )}

      {/* Results first: what a clinician reads. */}
      <div className="report-results" data-testid="report-results">
        <h2>Cell counts</h2>
        <table className="report-cbc" data-testid="report-cbc">
          <thead>
            <tr>
              <th>Cell</th>
              <th>Counted (cells)</th>
              <th>Mean per field (cells/field)</th>
              <th>Smear estimate (×10⁹/L)</th>
            </tr>
          </thead>
          <tbody>
            {CLASS_NAMES.map((k) => {
              const f = k === 'RBC' ? null : factors[k];
              return (
                <tr key={k} data-testid={`report-cbc-${k}`}>
                  <td>{k === 'WBC' && nrbc.counted ? 'WBC, NRBC left out' : k}</td>
                  <td>{plain(summary.totals[k], locale)}</td>
                  <td>{perFieldText(summary.meanPerImage[k], locale)}</td>
                  {/* an empty cell reads as a value lost; RBC has no smear estimate at all */}
                  <td data-testid={`report-estimate-${k}`} className={f ? undefined : 'muted'}>
                    {f ? ((e) => (e.moreFields ? `${e.printed}; ±20% needs about ${e.moreFields} more field${e.moreFields === 1 ? '' : 's'}` : e.printed))(batchEstimate(summary, k, f, clumped, locale)) : k === 'RBC' ? '–' : 'not set'}
                  </td>
                </tr>
              );
            })}
            {nrbc.counted > 0 && (
              <tr data-testid="report-cbc-NRBC">
                <td>NRBC</td>
                <td>{plain(nrbc.counted, locale)}</td>
                <td>{perFieldText(nrbc.meanPerField, locale)}</td>
                {/* per 100 WBC and ×10⁹/L from the verified cells: the differential's NRBC row */}
                <td className="muted" title={nrbcLeftOutWords(nrbc.counted)}>
                  left out of WBC (not leukocytes); per 100 WBC in the differential
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {plateletCaution && <p data-testid="report-platelet-caution">{plateletCaution}</p>}
        <p>
          On {summary.images} field{summary.images === 1 ? '' : 's'} (images){leftOut ? `; ${leftOut} flagged image${leftOut === 1 ? '' : 's'} left out of the counts` : ''}.{' '}
          {/* beside the counts it makes, as on the screen: only Appendix B named it, pages after a count of 148 RBC
              that read 260 under "every visible cell" */}
          <span data-testid="report-counts-rule">Count rule: {COUNT_RULES[params.countRule]}.</span> WBC : RBC{' '}
          {formatRatio(summary.wbcPerRbc, locale)} · Platelets : RBC {formatRatio(summary.plateletsPerRbc, locale)}
          {analyserWbc}.
        </p>
        {/* fields are chosen at the microscope (often centred on a WBC): their ratios are not the blood's */}
        <p className="muted" data-testid="report-ratio-caveat">
          Ratios and means per field are of the fields photographed, not of the blood: the fields were chosen by the operator.
        </p>
        {classifier && (diff.diff.classified > 0 || st.smudge + st.other > 0) ? (
          <>
            {/* the heading inside the block kept whole (report.css): on US Letter, 18 mm shorter than A4, "WBC
                differential" ended page 1 alone and its table began page 2 */}
            <ReportDifferential locale={locale} st={st} wbcCount={sample.wbcCount} analyserCorrected={sample.wbcNrbcCorrected === true} reference={reference} code={Object.fromEntries(classifier.classes.map((c) => [c.name, c.code]))} shortReason={sample.shortReason} setShortReason={(v) => setSample({ shortReason: v })} />
          </>
        ) : classifier && summary.images > 0 ? (
          // say so rather than leave the section out: a reader looks for it
          <>
            <h2>WBC differential</h2>
            <p data-testid="report-no-differential">No WBC in the counted fields{leftOut ? ' (flagged images left out)' : ''}, under the count rule in force: no differential.</p>
          </>
        ) : null}
        {cellNotes.length > 0 && (
          <p data-testid="report-cell-notes">
            Cells kept apart, with the technician's notes: {cellNotes.join('; ')}.
          </p>
        )}
        {flagged.length > 0 && (
          <>
            <p data-testid="report-flag-summary">
              Flagged images:{' '}
              {flagged
                .map((im) => {
                  const f = imageFlags(im, params, classifier?.lowConfidence);
                  return `${isolateName(im.name)} (${f.map((c) => FLAG_SHORT[c]).join(', ')}${excludes(f) ? (inTotals(im) ? '; counted: accepted by the technician' : '; left out of the counts') : ''})`;
                })
                .join('; ')}
              . Details in Appendix A.
            </p>
          </>
        )}
        {notCounted && (
          <p className="report-warning" data-testid="report-not-counted">
            {notCounted}
          </p>
        )}
        {/* the sign-off: what was changed and reviewed, who verified it, and "not a diagnosis", on one page
            together (report.css): one line more on page 1 had put the disclaimer alone on a page 2 (audit s49) */}
        <div className="report-signoff" data-testid="report-signoff">
          <p data-testid="report-edits">
            {handEditsWords(edits)}
          </p>
          <p data-testid="report-review">
            Boxes reviewed on {reviewed} of {summary.images} image{summary.images === 1 ? '' : 's'}
            {leftOut ? ' in the counts' : ''}
            {reviewed < summary.images ? '; the others are the detector’s counts, not checked by a person' : ''}.
          </p>
          <p data-testid="report-verification" className="report-verification">
            {released
              ? `Verified by ${sample.verifiedBy || '(no name)'} at ${isoLocal(new Date(sample.verifiedAt!))}.`
              : sample.withdrawn
                ? backAtRelease
                  ? `Not verified: the release was withdrawn (${sample.withdrawn}); that change has since been undone, so these are the figures released: verify and print to release them again.`
                  : `Not verified: the release was withdrawn (${sample.withdrawn}); verify and print again.`
                : `Not yet verified: released by “Verify and print” with ${needs === 'sample' ? 'a sample ID' : needs === 'verifier' ? 'the name of who verifies it' : 'the sample ID and who verifies it, as entered'}.`}
          </p>
          <p className="muted" data-testid="report-disclaimer">
            Counts by an automated detector{reviewed ? ', reviewed where marked' : ''}; not a diagnosis. Method and per-image counts in the appendix.
          </p>
        </div>
      </div>

      {/* Appendix A: one row per image; starts a new page, so up to 10 images share one A4 page. */}
      <div className="report-appendix" data-testid="report-appendix">
        <h2>Appendix A · Images</h2>
        <table className={`report-images${nrbcColumn ? ' with-nrbc' : ''}`}>
          <thead>
            <tr>
              <th className="thumb-col">
                <span className="sr-only">Thumbnail</span>
              </th>
              <th className="name">Image</th>
              {CLASS_NAMES.map((c) => (
                <th key={c}>{c === 'Platelets' ? 'PLT' : c}</th>
              ))}
              {nrbcColumn && <th>NRBC</th>}
              <th>Reviewed</th>
              <th>Edited</th>
              <th className="flags">Flags</th>
            </tr>
          </thead>
          <tbody>
            {done.map((im) => {
              // as the totals below: WBC without the boxes typed NRBC, which have a column of their own
              const { counts: c, nrbc: n } = leukocyteCounts(shownDetections(im, params));
              return (
                <tr key={im.id}>
                  <td className="thumb-col">
                    <span className="report-thumb">
                      <Thumb id={im.id} ready />
                      <svg viewBox={`0 0 ${im.width} ${im.height}`} preserveAspectRatio="none" aria-hidden>
                        {shownDetections(im, params).map((d) => (
                          <rect key={d.id} x={d.box.x1} y={d.box.y1} width={d.box.x2 - d.box.x1} height={d.box.y2 - d.box.y1} rx={cornerRadius(d.cls, d.box)} fill="none" stroke={color[d.cls]} strokeWidth={Math.max(2, (im.width ?? 640) / 160)} />
                        ))}
                      </svg>
                    </span>
                  </td>
                  <td className="name">
                    <BreakableName name={im.name} />
                    {im.capture && (
                      <span className="report-capture" data-testid="report-capture">
                        {' '}
                        ({im.capture.source} capture {isoLocal(new Date(im.capture.at))})
                      </span>
                    )}
                  </td>
                  {CLASS_NAMES.map((k) => (
                    <td key={k}>{plain(c[k], locale)}</td>
                  ))}
                  {nrbcColumn && <td data-testid="report-image-nrbc">{plain(n, locale)}</td>}
                  <td>{im.reviewed ? 'yes' : 'no'}</td>
                  <td data-testid="report-image-edits">{editWords(imageEdits(im)) || (wasEdited(im) ? 'yes' : '')}</td>
                  <td data-testid="report-flags" className="flags">
                    {imageFlags(im, params, classifier?.lowConfidence).map((f) => FLAG_SHORT[f]).join(', ')}
                    {/* a flag that keeps an image out, on an image in the Total row: the technician's decision, said
                        here as on page 1, or the row reads as a flagged image counted by mistake */}
                    {inTotals(im) ? (excludes(imageFlags(im, params, classifier?.lowConfidence)) ? ' (accepted: counted)' : '') : ' (not in the totals)'}
                  </td>
                </tr>
              );
            })}
            <tr className="total">
              <td className="thumb-col" />
              <td className="name">Total{summary.images < done.length ? ` (${summary.images} of ${done.length} images; ${leftOut} flagged image${leftOut === 1 ? '' : 's'} left out)` : ''}</td>
              {CLASS_NAMES.map((k) => (
                <td key={k}>{plain(summary.totals[k], locale)}</td>
              ))}
              {nrbcColumn && <td data-testid="report-total-nrbc">{plain(nrbc.counted, locale)}</td>}
              <td colSpan={3} />
            </tr>
            <tr className="total">
              <td className="thumb-col" />
              <td className="name">Mean per image (field)</td>
              {CLASS_NAMES.map((k) => (
                <td key={k}>{perFieldText(summary.meanPerImage[k], locale)}</td>
              ))}
              {nrbcColumn && <td>{perFieldText(nrbc.meanPerField, locale)}</td>}
              <td colSpan={3} />
            </tr>
          </tbody>
        </table>
        {/* what each flag of the Flags column means, under it: on page 1, between the results and their sign-off, five
            flags' sentences took 6 lines and, with the results kept whole with the sign-off (report.css), sent them
            all to page 2 (a 4-image report of 4 pages); page 1 names each flagged image and what became of it */}
        {flagged.length > 0 && (
          <ul className="report-flag-legend" data-testid="report-flag-legend">
            {FLAG_CODES.filter((f) => flagged.some((im) => imageFlags(im, params, classifier?.lowConfidence).includes(f))).map((f) => (
              <li key={f}>
                {/* an excluding flag's effect is said per image on page 1 and in the column: an accepted image is counted */}
                <b>{FLAG_SHORT[f]}</b>: {flagLegend(f)}
              </li>
            ))}
          </ul>
        )}
        {/* under the per-image counts they qualify: page 1 is full on A4 (results and sign-off on one page) */}
        {leftOutBoxes && <p data-testid="report-left-out-boxes">{leftOutBoxes}</p>}
      </div>

      {/* Method last: model hashes, engine, settings. */}
      <div className="report-method" data-testid="report-method">
        <h2>Appendix B · Method</h2>
        <p data-testid="report-meta">
          Printed {isoLocal()} by smearcount {APP_VERSION} · {done.length} images · {reviewedWords} · model {card.name} (sha256{' '}
          {card.sha256.slice(0, 16)}…{card.bytes ? `, ${fixed(card.bytes / 1e6, 2, locale)} MB` : ''}){classifier ? ` + ${classifier.name} (sha256 ${classifier.sha256.slice(0, 16)}…, ${fixed(classifier.bytes / 1e6, 2, locale)} MB)` : ''} · counted by engine{' '}
          {enginesWords(engines)}
          {adaptation ? ` · ${adaptation}` : ''}
          {otherModels ? ` · ${otherModels}` : ''}
          {otherTypes ? ` · ${otherTypes}` : ''}
        </p>
        <p data-testid="report-settings">
          Settings: thresholds RBC {plain(t.RBC, locale, 3)}, WBC {plain(t.WBC, locale, 3)}, Platelets {plain(t.Platelets, locale, 3)}; NMS IoU{' '}
          {plain(params.nmsIou, locale)} {params.crossClassNms ? 'within and across classes' : 'within each class'}.
        </p>
        <p data-testid="report-count-rule">
          Count rule: {COUNT_RULES[params.countRule]}. Magnification: {magnification}; {secondPass}.
        </p>
        {agreement && (
          <p data-testid="report-gt">
            Agreement with the loaded annotations ({agreement.images} images): AP@0.5 {agreement.ap === null ? '–' : fixed(agreement.ap, 3, locale)}; count accuracy {agreement.counts}.
          </p>
        )}
      </div>
    </section>
  );
}

/** A field of the report: an input on screen; on paper its text, or nothing when empty (a blank to
 * fill by hand), never the input's box. No browser autofill, as in the sample panel: on a shared workstation it could
 * offer the next user the names and wards typed for earlier patients. */
function ReportField({ label, value, onChange, testId, placeholder, required, screenOnly, printValue, autofocus }: { label: string; value: string; onChange(v: string): void; testId: string; placeholder?: string; required?: boolean; screenOnly?: boolean; printValue?: string; autofocus?: boolean }) {
  return (
    <label className={`report-field${screenOnly ? ' screen-only' : ''}`}>
      <span className="report-field-label">{label}</span>{' '}
      <input value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} data-testid={testId} autoComplete="off" required={required} aria-required={required || undefined} data-autofocus={autofocus || undefined} />
      <span className="print-value">{printValue ?? value}</span>
    </label>
  );
}

/** A file name that wraps only after its separators (_ - . and spaces): "BloodImage_00339.jpg" may wrap as
 * "BloodImage_ / 00339.jpg", never mid-number as "BloodImage_0033 / 9.jpg" (report.css keeps the cell from
 * breaking anywhere else, unless one part alone is wider than the column). */
export function BreakableName({ name }: { name: string }) {
  const parts = name.split(/(?<=[_\-.\s])/);
  return (
    <>
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 && <wbr />}
        </span>
      ))}
    </>
  );
}
