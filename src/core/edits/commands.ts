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
    if (isDrawn(id)) return e.added.some((d) => d.id === id) ? { ...e, added: e.added.filter((d) => d.id !== id) } : e;
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

/** `modelCls`: the class the model gave a model box. Relabelled to the class it shows, nothing changes (the
 * pressed RBC button on an RBC box had made it a box set by hand, its score gone from the exports and the
 * release withdrawn); relabelled back to the model's class, it is the model's box again. */
export const relabelBox: Command<{ id: string; cls: CellClass; modelCls?: CellClass; keep?: boolean }> = {
  name: 'relabel',
  perform(e0, { id, cls, modelCls, keep }) {
    // `keep`: a model box under its threshold (U visits them), relabelled: a reviewer who names its class says
    // it is a cell, so it is counted as that class (kept), in the same step. Relabelled alone it stayed
    // uncounted, the relabel kept in the edits and the audit trail, unseen.
    const e = keep && !isDrawn(id) ? keepBox.perform(e0, { id }) : e0;
    if (isDrawn(id)) {
      const d = e.added.find((x) => x.id === id);
      return !d || d.cls === cls ? e : unreviewed({ ...e, added: e.added.map((x) => (x === d ? { ...d, cls } : x)) }, id);
    }
    if ((e.relabeled[id] ?? modelCls) === cls) return e;
    if (cls === modelCls) {
      const { [id]: _, ...rest } = e.relabeled;
      return unreviewed({ ...e, relabeled: rest }, id);
    }
    return unreviewed({ ...e, relabeled: { ...e.relabeled, [id]: cls } }, id);
  },
};

/** A box whose class changed loses what a technician said of it as a WBC: its verification, the type set or
 * locked by hand and a manual category. A verified WBC relabelled RBC and back to WBC came back verified with its
 * old type, counted in the released differential though nobody had looked at it as a WBC since; it now comes
 * back unverified with the classifier's type, to be verified again. Undo brings the whole Edits back, review too. */
function unreviewed(e: Edits, id: string): Edits {
  const verified = e.verified?.includes(id);
  const typed = e.typed && id in e.typed;
  const excluded = e.excluded && id in e.excluded;
  if (!verified && !typed && !excluded) return e;
  const { [id]: _t, ...restTyped } = e.typed ?? {};
  const { [id]: _x, ...restExcluded } = e.excluded ?? {};
  return {
    ...e,
    ...(verified ? { verified: e.verified!.filter((x) => x !== id) } : {}),
    ...(typed ? { typed: restTyped } : {}),
    ...(excluded ? { excluded: restExcluded } : {}),
  };
}

/** The smallest side (image px) of a box drawn, moved or resized by hand: the smallest a keyboard resize
 * leaves (nudgedBox). A stroke off the image, clipped to it, left a box 0 px tall, counted and never seen. */
export const MIN_BOX_SIDE = 2;

const sameBox = (a: Box, b: Box) => a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2;

/** The box clipped to the image, or (`keepSize`, a box dragged whole) moved back inside it at its size;
 * null when too little of it lies on the image to be a cell. */
function onImage(box: Box, width: number, height: number, keepSize = false): Box | null {
  let b = normalizeBox(box, width, height);
  if (keepSize) {
    const w = Math.min(Math.abs(box.x2 - box.x1), width);
    const h = Math.min(Math.abs(box.y2 - box.y1), height);
    const x1 = Math.min(width - w, Math.max(0, Math.min(box.x1, box.x2)));
    const y1 = Math.min(height - h, Math.max(0, Math.min(box.y1, box.y2)));
    b = { x1, y1, x2: x1 + w, y2: y1 + h };
  }
  return b.x2 - b.x1 >= MIN_BOX_SIDE && b.y2 - b.y1 >= MIN_BOX_SIDE ? b : null;
}

/** `keepSize`: the box was dragged whole, so past the image's edge it stops there at its size rather than
 * being clipped (dragged off the image, it had shrunk to a line, counted and out of reach). */
export const moveBox: Command<{ id: string; box: Box; width: number; height: number; keepSize?: boolean }> = {
  name: 'move',
  perform(e, { id, box, width, height, keepSize }) {
    const b = onImage(box, width, height, keepSize);
    if (!b) return e;
    if (isDrawn(id)) {
      const d = e.added.find((x) => x.id === id);
      return !d || sameBox(d.box, b) ? e : { ...e, added: e.added.map((x) => (x === d ? { ...d, box: b } : x)) };
    }
    const was = e.moved[id];
    return was && sameBox(was, b) ? e : { ...e, moved: { ...e.moved, [id]: b } };
  },
};

function nextManualId(e: Edits): number {
  return e.added.reduce((m, d) => Math.max(m, Number(d.id.slice(1)) + 1), e.nextId ?? 0);
}

export const addBox: Command<{ cls: CellClass; box: Box; width: number; height: number }> = {
  name: 'add',
  perform(e, { cls, box, width, height }) {
    const b = onImage(box, width, height);
    if (!b) return e;
    const n = nextManualId(e);
    const det: Detection = { id: `u${n}`, cls, score: 1, box: b, origin: 'manual' };
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
