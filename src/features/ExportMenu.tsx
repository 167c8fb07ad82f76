import { useEffect, useRef } from 'react';
import { useApp, useServices, useView } from '../services/context';
import { boxesCsv, boxesJson, cocoJson, countsCsv, pngFooter, releaseLine, sampleFooter, vocFiles, type CountsReport } from '../core/formats/exports';
import { zip } from '../core/formats/zip';
import { flatName, uniqueNames, withExtension } from '../core/formats/names';
import { browserLocale } from '../core/formats/numbers';
import { selectDifferentialState, selectExportImages, shownDetections } from '../store/selectors';
import { EMPTY_SAMPLE, type SampleRecord } from '../store/sampleSlice';
import { exportRelease, exportSample, notCountedRows, otherClassifiers, otherDetectors, reportJson, selectAdaptationLine, selectEngines, selectPrinted } from '../store/report';
import { annotatedPng, scaledNote } from './annotatedPng';
import { Section } from './Section';
import { cocoWithSample, csvWithSample, exportName, jsonWithSample, pngWithSample, provenanceText, vocWithSample, type Provenance } from '../core/formats/sample';
import { APP_VERSION } from '../services/appVersion';
import { AppError, errorMessage } from '../core/errors';

function download(name: string, data: BlobPart, type: string) {
  // a CSV starts with the UTF-8 byte-order mark: Excel on Windows reads it as UTF-8 then ("µL", "×10⁹/L",
  // accented names), where it would otherwise guess the system's code page
  const url = URL.createObjectURL(new Blob(type === 'text/csv' ? ['\uFEFF', data] : [data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}


export function ExportMenu() {
  const { store, files, card, classifier, clearSession, view } = useServices();
  // the unsure-type flag at the classifier card's own bar, as on the screen and the report
  const exportImages = () => selectExportImages(store.getState(), classifier?.lowConfidence);
  const done = useApp((s) => s.order.some((id) => s.images[id].status === 'done'));
  const current = useApp((s) => (s.currentId ? s.images[s.currentId] : undefined));
  // Something to clear: images, or the sample's record and audit trail alone (every image removed). Before, with
  // the last image removed the button was off, and the next sample's images joined the last one's ID and its
  // audit trail (the removals of the last patient's pictures in the new report's trail). Files refused alone too: a
  // drop whose every file was refused kept their names (on the notices, saved with the batch) for the next user.
  const hasSession = useApp((s) => s.order.length > 0 || s.refused.length > 0 || s.audit.length > 0 || (Object.keys(EMPTY_SAMPLE) as (keyof SampleRecord)[]).some((k) => s.sample[k] !== EMPTY_SAMPLE[k]));
  const hasImages = useApp((s) => s.order.length > 0);
  // E (actions.ts): the panel opens (folded on a narrow screen) and its first export takes the focus
  const buttons = useRef<HTMLDivElement>(null);
  const exportsNonce = useView((s) => s.exportsNonce);
  useEffect(() => {
    const el = buttons.current;
    if (!exportsNonce || !el) return;
    const panel = el.closest('details');
    if (panel) panel.open = true;
    el.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [exportsNonce]);
  // the sample ID goes into every export's name and content (core/formats/sample)
  const sid = () => store.getState().sample.id.trim();
  const name = (kind: string, ext: string) => exportName(kind, sid(), ext);
  // which models and engine made the numbers, in every data file (the printed report has it in Appendix B)
  // the engine is the one recorded on each image when it was counted, not this session's (store/report)
  const models = (): Provenance => {
    const s = store.getState();
    const engines = selectEngines(s);
    const one = engines.length === 1 && engines[0].threads !== null ? engines[0] : null;
    // images counted, or typed, by another model than the one loaded (a batch restored after an update)
    const others = otherDetectors(s, card);
    const otherTypes = classifier ? otherClassifiers(s, classifier) : [];
    return {
      app: APP_VERSION,
      detector: { name: card.name, sha256: card.sha256 },
      classifier: classifier ? { name: classifier.name, sha256: classifier.sha256 } : null,
      engine: one?.backend ?? null,
      threads: one?.threads ?? null,
      engines,
      adaptation: selectAdaptationLine(s),
      ...(others.length ? { otherDetectors: others } : {}),
      ...(otherTypes.length ? { otherClassifiers: otherTypes } : {}),
    };
  };
  // the released report as data: its state, figures and edits from the selectors the report prints from
  const jsonExtra = () => {
    const s = store.getState();
    return { sample: exportSample(s.sample), report: reportJson(s, { lowConfidence: classifier ? classifier.lowConfidence : null }), models: models(), audit: s.audit };
  };
  // the report's release, in every file that leaves the app: released, withdrawn or preliminary
  const release = () => exportRelease(store.getState().sample);
  const countsReport = (): CountsReport => {
    const s = store.getState();
    return { release: exportRelease(s.sample), differential: selectDifferentialState(s, classifier?.lowConfidence), notCounted: notCountedRows(s), shortReason: s.sample.shortReason, ...(classifier ? { printed: selectPrinted(s, classifier.lowConfidence) } : {}) };
  };
  return (
    <Section title="Export" className="export">
      <div className="buttons" ref={buttons}>
        <button disabled={!done} data-testid="export-csv" onClick={() => download(name('counts', 'csv'), csvWithSample(countsCsv(exportImages(), countsReport()), sid(), provenanceText(models())), 'text/csv')}>
          Counts CSV
        </button>
        <button disabled={!done} data-testid="export-boxes-csv" onClick={() => download(name('boxes', 'csv'), csvWithSample(boxesCsv(exportImages(), release()), sid(), provenanceText(models())), 'text/csv')}>
          Boxes CSV
        </button>
        <button disabled={!done} data-testid="export-json" onClick={() => download(name('boxes', 'json'), jsonWithSample(boxesJson(exportImages()), jsonExtra()), 'application/json')}>
          Boxes JSON
        </button>
        <button
          disabled={!done}
          data-testid="export-voc"
          onClick={() =>
            download(name('voc', 'zip'), zip(vocFiles(exportImages(), release(), provenanceText(models())).map((f) => (f.name.endsWith('.xml') ? { ...f, data: vocWithSample(String(f.data), sid()) } : f))) as Uint8Array<ArrayBuffer>, 'application/zip')
          }
        >
          Pascal VOC (zip)
        </button>
        <button disabled={!done} data-testid="export-coco" onClick={() => download(name('coco', 'json'), cocoWithSample(cocoJson(exportImages(), release()), sid(), models()), 'application/json')}>
          COCO JSON
        </button>
        <button
          disabled={current?.status !== 'done'}
          data-testid="export-png"
          onClick={async () => {
            const s = store.getState();
            const codes = Object.fromEntries((classifier?.classes ?? []).map((c) => [c.name, c.code]));
            // The same unique name as in the batch exports, so the picture matches its CSV row.
            const all = selectExportImages(s, classifier?.lowConfidence);
            const k = all.findIndex((im) => im.id === current!.id);
            const rel = release();
            // the picture is for people: its figures as the browser's country writes them, as on the screen (the
            // PNG's text chunk below, read by programs, keeps the machine form)
            const locale = browserLocale();
            const footer = k >= 0 ? pngFooter(all[k], uniqueNames(all)[k], sid(), rel, locale) : sampleFooter(sid(), rel);
            let drawn: { png: Blob; scale: number };
            try {
              drawn = await annotatedPng(files, card, current!.id, shownDetections(current!, s.postprocess), codes, footer, locale);
            } catch (e) {
              // the picture is drawn after the click, away from it: a failure said nowhere was an export that did nothing
              const err = e instanceof AppError ? e : new AppError('export', `the annotated PNG could not be drawn (${e instanceof Error ? e.message : String(e)})`);
              s.notify({ kind: 'error', source: 'export', subject: current!.name, message: errorMessage(err) });
              return;
            }
            const bytes = pngWithSample(new Uint8Array(await new Blob([drawn.png]).arrayBuffer()), sid(), { state: rel.state, line: releaseLine(rel), models: provenanceText(models()), scale: drawn.scale < 1 ? scaledNote(drawn.scale) : undefined });
            // unique once the extension is gone: field1.jpg and field1.png give two PNGs
            const unique = uniqueNames(all, '')[k] ?? withExtension(current!.name, '');
            download(name(`${flatName(unique)}-annotated`, 'png'), bytes as Uint8Array<ArrayBuffer>, 'image/png');
          }}
        >
          Annotated PNG
        </button>
        <button disabled={!done} data-testid="export-report" title="Print report (P)" onClick={() => view.getState().setReportOpen(true)}>
          Print report
        </button>
      </div>
      <button
        className="danger"
        data-testid="clear-session"
        disabled={!hasSession}
        onClick={() => {
          if (confirm(hasImages ? 'Remove all images, detections and edits of this batch from this device?' : "Clear this sample's record (its ID and details), its audit trail and the names of files it refused from this device, for the next sample?")) void clearSession();
        }}
      >
        Clear session
      </button>
    </Section>
  );
}
