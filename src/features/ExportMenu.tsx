import { useApp, useServices } from '../services/context';
import { boxesCsv, boxesJson, cocoJson, countsCsv, vocFiles } from '../core/formats/exports';
import { zip } from '../core/formats/zip';
import { selectExportImages, shownDetections } from '../store/selectors';
import { annotatedPng } from './annotatedPng';
import { Section } from './Section';

function download(name: string, data: BlobPart, type: string) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The reviewed batch as the exporters see it: exactly what the canvas and counts show. */
const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

export function ExportMenu() {
  const { store, files, card, clearSession, view } = useServices();
  const exportImages = () => selectExportImages(store.getState());
  const done = useApp((s) => s.order.some((id) => s.images[id].status === 'done'));
  const current = useApp((s) => (s.currentId ? s.images[s.currentId] : undefined));
  const hasImages = useApp((s) => s.order.length > 0);
  return (
    <Section title="Export" className="export">
      <div className="buttons">
        <button disabled={!done} data-testid="export-csv" onClick={() => download(`counts-${stamp()}.csv`, countsCsv(exportImages()), 'text/csv')}>
          Counts CSV
        </button>
        <button disabled={!done} data-testid="export-boxes-csv" onClick={() => download(`boxes-${stamp()}.csv`, boxesCsv(exportImages()), 'text/csv')}>
          Boxes CSV
        </button>
        <button disabled={!done} data-testid="export-json" onClick={() => download(`boxes-${stamp()}.json`, boxesJson(exportImages()), 'application/json')}>
          Boxes JSON
        </button>
        <button
          disabled={!done}
          data-testid="export-voc"
          onClick={() => download(`voc-${stamp()}.zip`, zip(vocFiles(exportImages())) as Uint8Array<ArrayBuffer>, 'application/zip')}
        >
          Pascal VOC (zip)
        </button>
        <button disabled={!done} data-testid="export-coco" onClick={() => download(`coco-${stamp()}.json`, cocoJson(exportImages()), 'application/json')}>
          COCO JSON
        </button>
        <button
          disabled={current?.status !== 'done'}
          data-testid="export-png"
          onClick={async () => {
            const s = store.getState();
            const png = await annotatedPng(files, card, current!.id, shownDetections(current!, s.postprocess));
            download(`${current!.name.replace(/\.[^.]*$/, '')}-annotated.png`, png, 'image/png');
          }}
        >
          Annotated PNG
        </button>
        <button disabled={!done} data-testid="export-report" onClick={() => view.getState().setReportOpen(true)}>
          Print report
        </button>
      </div>
      <button
        className="danger"
        data-testid="clear-session"
        disabled={!hasImages}
        onClick={() => {
          if (confirm('Remove all images, detections and edits of this batch from this device?')) void clearSession();
        }}
      >
        Clear session
      </button>
    </Section>
  );
}
