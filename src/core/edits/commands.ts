/**
 * Edit commands: pure `perform(edits, input) -> edits`. The toolbar, keyboard shortcuts, undo
 * history and tests all call these; components hold no edit logic.
 */
import type { CellClass } from '../detection/classes';
import type { Detection } from '../detection/detection';
import { normalizeBox, type Box } from '../detection/geometry';
import type { Edits } from './edits';

export interface Command<I> {
  name: string;
  perform(e: Edits, input: I): Edits;
}

/** A box drawn by hand (its id is made by `addBox`), not one of the model's (`m…`, core/detection/decode). */
export const isDrawn = (id: string) => id.startsWith('u');

export const deleteBox: Command<{ id: string }> = {
  name: 'delete',
  perform(e, { id }) {
    if (isDrawn(id)) return { ...e, added: e.added.filter((d) => d.id !== id) };
    return e.deleted.includes(id) ? e : { ...e, deleted: [...e.deleted, id] };
  },
};

/** Keeps a model box scored under its class threshold (a reviewer saw it in the band below). */
export const keepBox: Command<{ id: string }> = {
  name: 'keep',
  perform(e, { id }) {
    if (e.kept?.includes(id)) return e;
    return { ...e, kept: [...(e.kept ?? []), id], deleted: e.deleted.includes(id) ? e.deleted.filter((x) => x !== id) : e.deleted };
  },
};

export const relabelBox: Command<{ id: string; cls: CellClass }> = {
  name: 'relabel',
  perform(e, { id, cls }) {
    if (isDrawn(id)) return { ...e, added: e.added.map((d) => (d.id === id ? { ...d, cls } : d)) };
    return { ...e, relabeled: { ...e.relabeled, [id]: cls } };
  },
};

export const moveBox: Command<{ id: string; box: Box; width: number; height: number }> = {
  name: 'move',
  perform(e, { id, box, width, height }) {
    const b = normalizeBox(box, width, height);
    if (isDrawn(id)) return { ...e, added: e.added.map((d) => (d.id === id ? { ...d, box: b } : d)) };
    return { ...e, moved: { ...e.moved, [id]: b } };
  },
};

function nextManualId(e: Edits): number {
  return e.added.reduce((m, d) => Math.max(m, Number(d.id.slice(1)) + 1), e.nextId ?? 0);
}

export const addBox: Command<{ cls: CellClass; box: Box; width: number; height: number }> = {
  name: 'add',
  perform(e, { cls, box, width, height }) {
    const n = nextManualId(e);
    const det: Detection = { id: `u${n}`, cls, score: 1, box: normalizeBox(box, width, height), origin: 'manual' };
    return { ...e, added: [...e.added, det], nextId: n + 1 };
  },
};

/** Undo history of whole Edits values (they are small and immutable). */
export interface History {
  past: readonly Edits[];
  future: readonly Edits[];
}
export const EMPTY_HISTORY: History = { past: [], future: [] };
const LIMIT = 200;

export function record(h: History, before: Edits): History {
  return { past: [...h.past.slice(-LIMIT + 1), before], future: [] };
}
/** The restored state keeps the id counter of the state it replaces: undo takes back the box, not its id. */
function keepIds(restored: Edits, current: Edits): Edits {
  const n = Math.max(nextManualId(restored), nextManualId(current));
  return (restored.nextId ?? 0) === n ? restored : { ...restored, nextId: n };
}
export function undo(h: History, current: Edits): { history: History; edits: Edits } | null {
  if (!h.past.length) return null;
  return { history: { past: h.past.slice(0, -1), future: [current, ...h.future] }, edits: keepIds(h.past[h.past.length - 1], current) };
}
export function redo(h: History, current: Edits): { history: History; edits: Edits } | null {
  if (!h.future.length) return null;
  return { history: { past: [...h.past, current], future: h.future.slice(1) }, edits: keepIds(h.future[0], current) };
}
