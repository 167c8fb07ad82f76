/**
 * What a person changed on an image, in the audit trail's terms, net of undo: the changes diffEdits finds
 * between the model's output (no edits) and the edits the image holds now. The report and the exports
 * print it; the trail itself keeps every step, undo included, with its time.
 */
import { diffEdits, type ModelCell } from './audit';
import { NO_EDITS, type Edits } from './edits';

export interface EditSummary {
  /** Boxes a person drew (and did not delete again). */
  added: number;
  /** Model boxes deleted. */
  deleted: number;
  /** Boxes given another class. */
  relabelled: number;
  /** Boxes moved or resized. */
  moved: number;
  /** Model boxes under the threshold a reviewer kept. */
  kept: number;
  /** WBCs given another type than the one they showed (the classifier's, or the microscope profile's). */
  reclassified: number;
  /** WBCs set apart as smudge / damaged or other / unidentified. */
  setApart: number;
}

export const NO_EDIT_SUMMARY: EditSummary = Object.freeze({ added: 0, deleted: 0, relabelled: 0, moved: 0, kept: 0, reclassified: 0, setApart: 0 });

/** `modelType`: the type a WBC showed before anyone typed it (selectors modelTypes). */
export function summarizeEdits(e: Edits, model: readonly ModelCell[] = [], modelType: (cell: string) => string | undefined = () => undefined): EditSummary {
  if (e === NO_EDITS) return NO_EDIT_SUMMARY;
  const gone = new Set(e.deleted);
  const drawn = new Set(e.added.map((d) => d.id));
  const out = { ...NO_EDIT_SUMMARY };
  for (const c of diffEdits(NO_EDITS, e, model, modelType)) {
    // a deleted box's class, place or type no longer count; a drawn box deleted again was never there
    if (c.field === 'deleted') {
      if (!drawn.has(c.cell)) out.deleted++;
      continue;
    }
    if (gone.has(c.cell)) continue;
    if (c.field === 'added') out.added++;
    else if (c.field === 'class') out.relabelled++;
    else if (c.field === 'box') out.moved++;
    else if (c.field === 'kept') out.kept++;
    else if (c.field === 'type') out.reclassified++;
    else if (c.field === 'category') out.setApart++;
  }
  return out;
}

export function addSummaries(list: readonly EditSummary[]): EditSummary {
  const out = { ...NO_EDIT_SUMMARY };
  for (const s of list) for (const k of Object.keys(out) as (keyof EditSummary)[]) out[k] += s[k];
  return out;
}

/** "2 boxes added, 1 deleted, 3 relabelled; 3 WBC reclassified" ('' when nothing was changed). */
export function editWords(s: EditSummary): string {
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  const boxes = [
    s.added ? `${s.added} added` : '',
    s.deleted ? `${s.deleted} deleted` : '',
    s.relabelled ? `${s.relabelled} relabelled` : '',
    s.moved ? `${s.moved} moved` : '',
    s.kept ? `${s.kept} under the threshold kept` : '',
  ].filter(Boolean);
  // the first figure names the boxes: "2 boxes added, 1 deleted"
  if (boxes.length) boxes[0] = boxes[0].replace(/^(\d+)/, (m) => n(Number(m), 'box', 'boxes'));
  const cells = [s.reclassified ? `${n(s.reclassified, 'WBC')} reclassified` : '', s.setApart ? `${n(s.setApart, 'WBC')} set apart (smudge / other)` : ''].filter(Boolean);
  return [boxes.join(', '), cells.join(', ')].filter(Boolean).join('; ');
}
