/**
 * The audit trail: what an edit changed, from what to what. Derived by comparing two Edits values, so
 * every path (canvas, keys, gallery, undo) is recorded the same way without each one describing itself.
 */
import type { Edits } from './edits';

export interface AuditChange {
  /** Detection id within the image. */
  cell: string;
  /** `release`: the report was released or withdrawn (cell and image empty). `image`: the technician took
   * the image out of the batch (cell empty; from: what it counted, to: "removed"). `counted`: a flagged image
   * accepted into the totals ("Count it anyway") or left out again (cell empty; from / to: "left out",
   * "counted"). `sample`: a field of the sample record (cell: the field's name, image empty). */
  field: 'deleted' | 'class' | 'box' | 'added' | 'kept' | 'type' | 'verified' | 'category' | 'note' | 'release' | 'image' | 'counted' | 'sample';
  from: string | null;
  to: string | null;
}

export interface AuditEntry extends AuditChange {
  /** ISO 8601 time. */
  at: string;
  image: string;
  /** The action name (relabel, reclassify, verify, undo, ...). */
  action: string;
}

// to 0.01 px, as the exports carry a box (whole pixels hid a move of a fraction of one, made by a drag at a
// high zoom, from the trail and from the release, while the boxes CSV, JSON and COCO carried the new place)
const boxText = (b: { x1: number; y1: number; x2: number; y2: number } | undefined) => (b ? [b.x1, b.y1, b.x2, b.y2].map((v) => Number(v.toFixed(2))).join(',') : null);

/** `unset`: what a cell shows where the edits hold no value for it (the model's own class or box). */
function diffRecord<T>(a: Readonly<Record<string, T>> | undefined, b: Readonly<Record<string, T>> | undefined, field: AuditChange['field'], text: (v: T | undefined) => string | null, out: AuditChange[], unset: (cell: string) => string | null = () => null) {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  for (const k of keys) {
    const from = text(a?.[k]) ?? unset(k);
    const to = text(b?.[k]) ?? unset(k);
    if (from !== to) out.push({ cell: k, field, from, to });
  }
}

/** A model cell as the model found it: the audit's "from" for a first relabel or move, its "to" for an undo. */
export interface ModelCell {
  id: string;
  cls: string;
  box: { x1: number; y1: number; x2: number; y2: number };
}

/**
 * `modelType`: the WBC type a cell showed before anyone typed it (the classifier's, or the microscope
 * profile's), the audit's "from" where a verification locks that type or a technician changes it.
 */
export function diffEdits(a: Edits, b: Edits, model: readonly ModelCell[] = [], modelType: (cell: string) => string | undefined = () => undefined): AuditChange[] {
  if (a === b) return [];
  const out: AuditChange[] = [];
  const da = new Set(a.deleted);
  const db = new Set(b.deleted);
  for (const id of db) if (!da.has(id)) out.push({ cell: id, field: 'deleted', from: 'no', to: 'yes' });
  for (const id of da) if (!db.has(id)) out.push({ cell: id, field: 'deleted', from: 'yes', to: 'no' });
  const ka = new Set(a.kept ?? []);
  const kb = new Set(b.kept ?? []);
  for (const id of kb) if (!ka.has(id)) out.push({ cell: id, field: 'kept', from: 'under threshold', to: 'counted' });
  for (const id of ka) if (!kb.has(id)) out.push({ cell: id, field: 'kept', from: 'counted', to: 'under threshold' });
  const byId = model.length ? new Map(model.map((d) => [d.id, d])) : null;
  diffRecord(a.relabeled, b.relabeled, 'class', (v) => v ?? null, out, (k) => byId?.get(k)?.cls ?? null);
  diffRecord(a.moved, b.moved, 'box', boxText, out, (k) => boxText(byId?.get(k)?.box));
  const addedA = Object.fromEntries(a.added.map((d) => [d.id, d]));
  const addedB = Object.fromEntries(b.added.map((d) => [d.id, d]));
  diffRecord(addedA, addedB, 'added', (d) => (d ? `${d.cls} ${boxText(d.box)}` : null), out);
  diffRecord(a.typed, b.typed, 'type', (v) => v ?? null, out, (k) => modelType(k) ?? null);
  const va = new Set(a.verified ?? []);
  const vb = new Set(b.verified ?? []);
  for (const id of vb) if (!va.has(id)) out.push({ cell: id, field: 'verified', from: 'no', to: 'yes' });
  for (const id of va) if (!vb.has(id)) out.push({ cell: id, field: 'verified', from: 'yes', to: 'no' });
  diffRecord(a.excluded, b.excluded, 'category', (v) => v?.category ?? null, out);
  diffRecord(a.excluded, b.excluded, 'note', (v) => (v?.note ? v.note : null), out);
  return out;
}
