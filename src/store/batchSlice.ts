import type { StateCreator } from 'zustand';
import { NO_EDITS, type Edits } from '../core/edits/edits';
import { EMPTY_HISTORY, record, redo, undo, type Command } from '../core/edits/commands';
import type { Labeled } from '../core/metrics/ap';
import { diffEdits } from '../core/edits/audit';
import { sameName } from '../core/formats/names';
import type { ImageEntry } from './types';
import type { AppState } from './store';
import { AUDIT_LIMIT } from './sampleSlice';
import { imageCounts, modelTypes } from './selectors';

/** A step of the batch's history: the images an edit changed (each keeps its Edits in its own `history`),
 * or a flagged image put into the totals or taken out ("Count it anyway" and its undo), or an image the
 * technician removed (Remove image: its entry waits in `removedImages` while the step is in the history). */
export type UndoStep = readonly string[] | { readonly flags: string; readonly accepted: boolean } | { readonly removed: string };

export interface BatchSlice {
  images: Record<string, ImageEntry>;
  order: string[];
  currentId: string | null;
  /** When the current run started and how many images it had done then (for the ETA). */
  run: { startedAt: number; doneAtStart: number } | null;
  /** Files dropped but not yet checked and hashed: the app is busy while this is > 0. */
  intake: number;
  addIntake(n: number): void;
  addImage(e: Pick<ImageEntry, 'id' | 'name' | 'bytes' | 'path' | 'capture'>): boolean;
  updateImage(id: string, patch: Partial<ImageEntry>): void;
  removeImage(id: string): void;
  /** The technician takes one image out of the batch (a wrong field, a picture that is not a smear): it
   * leaves the totals, the list and the saved batch, and the audit trail says so with what it counted.
   * `why`: what took it out instead of the technician (live mode replacing a soft capture by a sharper one). */
  discardImage(id: string, why?: string): void;
  /** Images the technician removed whose removal is a step of the history, each with its place in the order: Undo
   * puts one back as it was (counts, edits, its own history). Kept with the saved batch, entry and picture, so that
   * Undo brings it back after a reload too (services/persist). An image leaves this once its step leaves the history. */
  removedImages: Readonly<Record<string, { entry: ImageEntry; at: number }>>;
  select(id: string | null): void;
  selectRelative(step: number): void;
  setRun(run: BatchSlice['run']): void;
  setGroundTruth(id: string, gt: Labeled[]): void;
  /** `chain`: edits made one after another under the same key (the keyboard's nudges of one box) are one
   * step of the history and one line of the audit trail, until anything else is edited or undone. */
  edit<I>(id: string, cmd: Command<I>, input: I, chain?: string): void;
  /** One edit over several images (a gallery group verified, cells moved): one step of the history. */
  editMany(name: string, changes: ReadonlyMap<string, (e: Edits) => Edits>): void;
  /** The batch's one history, in the order edits were made from the canvas, the keys or the gallery:
   * each step names the images it changed (each image keeps the Edits values in its own `history`). */
  undoLog: { past: readonly UndoStep[]; future: readonly UndoStep[] };
  /** Takes back the last step, wherever it was made, and shows its image; false when there is none. */
  undo(): boolean;
  redo(): boolean;
  setReviewed(id: string, reviewed: boolean): void;
  acceptBox(id: string, detectionId: string): void;
  /** Counts a flagged (not-smear / out-of-focus) image in the totals, or takes it out again: a step of the
   * history, so Ctrl+Z takes it back like any edit. */
  acceptFlags(id: string, accepted: boolean): void;
  /** Back to the queue to be detected again (Count again). Model box ids restart with the new
   * detections, so edits, review and WBC types keyed by them go too. */
  requeue(ids: readonly string[]): void;
  clearBatch(): void;
  /** Files the intake refused (empty, not an image, damaged, too large…), with why: counted nowhere, and
   * named wherever the batch's figures are (report, CSV, JSON) so that no field drops out unseen. A copy of
   * an image already in the batch is not one of them (it is counted, once). Kept with the batch. */
  refused: readonly RefusedFile[];
  refuseFile(name: string, error: string): void;
}

export interface RefusedFile {
  name: string;
  error: string;
}

/** Whether an image added answers for a file refused under `refused` (its name, or its path in a folder). */
const answers = (refused: string, e: Pick<ImageEntry, 'name' | 'path'>) => sameName(refused, e.path ?? e.name) || (!/[\\/]/.test(refused) && sameName(refused, e.name));

/** No refused file: one array, so that "none, as before" compares equal (services/persist). */
export const NO_REFUSED: readonly RefusedFile[] = Object.freeze([]);

const LOG_LIMIT = 200;
const EMPTY_LOG: BatchSlice['undoLog'] = { past: [], future: [] };
/** The log without an image (removed, or counted again: its own history is gone). */
const dropFromLog = (log: BatchSlice['undoLog'], ids: readonly string[]): BatchSlice['undoLog'] => {
  const out = (steps: readonly UndoStep[]) =>
    steps.map((st) => ('removed' in st ? st : 'flags' in st ? (ids.includes(st.flags) ? [] : st) : st.filter((x) => !ids.includes(x)))).filter((st) => !Array.isArray(st) || st.length);
  return { past: out(log.past), future: out(log.future) };
};

/** The history as a saved batch held it (services/persist), with only the steps of images it brings back (`ids`:
 * the batch's, and the removed images it keeps for Undo): a step is a list of image ids, a flagged image counted or
 * left out, or an image removed; anything else (a batch saved before the history was kept, a damaged entry) is no
 * history. */
export function restoredLog(v: unknown, ids: readonly string[]): BatchSlice['undoLog'] {
  const have = new Set(ids);
  const steps = (x: unknown): UndoStep[] =>
    !Array.isArray(x)
      ? []
      : x.flatMap((st: unknown): UndoStep[] => {
          if (Array.isArray(st)) {
            const kept = st.filter((id): id is string => typeof id === 'string' && have.has(id));
            return kept.length ? [kept] : [];
          }
          if (st && typeof st === 'object' && 'flags' in st && 'accepted' in st && typeof st.flags === 'string' && typeof st.accepted === 'boolean' && have.has(st.flags))
            return [{ flags: st.flags, accepted: st.accepted }];
          if (st && typeof st === 'object' && 'removed' in st && typeof st.removed === 'string' && have.has(st.removed)) return [{ removed: st.removed }];
          return [];
        });
  const log = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  const past = steps(log.past).slice(-LOG_LIMIT);
  const future = steps(log.future).slice(0, LOG_LIMIT);
  return past.length || future.length ? { past, future } : EMPTY_LOG;
}

/** The batch without one image: the next one becomes current where it was, and its steps leave the history. */
function withoutImage(s: AppState, id: string): Pick<AppState, 'images' | 'order' | 'currentId' | 'undoLog'> {
  return { ...outOfOrder(s, id), undoLog: dropFromLog(s.undoLog, [id]) };
}

function outOfOrder(s: AppState, id: string): Pick<AppState, 'images' | 'order' | 'currentId'> {
  const { [id]: _, ...images } = s.images;
  const order = s.order.filter((x) => x !== id);
  const at = s.order.indexOf(id);
  return { images, order, currentId: s.currentId === id ? (order[Math.min(at, order.length - 1)] ?? null) : s.currentId };
}

/** The removed images whose removal is still a step of `log` (a new edit drops the steps undone, and the history
 * keeps LOG_LIMIT steps): the others are gone for good. The same object where none left. */
function keptRemoved(bin: AppState['removedImages'], log: AppState['undoLog']): AppState['removedImages'] {
  const ids = Object.keys(bin);
  if (!ids.length) return bin;
  const held = new Set([...log.past, ...log.future].flatMap((st) => ('removed' in st ? [st.removed] : [])));
  return ids.every((id) => held.has(id)) ? bin : Object.fromEntries(ids.filter((id) => held.has(id)).map((id) => [id, bin[id]]));
}

/** The audit line of a removed image put back (`back`) or taken out again, by undo or redo. */
const removedEntry = (im: ImageEntry, action: string, back: boolean, counts: string) =>
  ({ at: new Date().toISOString(), image: im.name, action, cell: '', field: 'image' as const, from: back ? 'removed' : counts, to: back ? counts : 'removed' });

/** "RBC 212, WBC 3, PLT 14" for a counted image (the removal's audit line), else its status. */
function countsWords(im: ImageEntry, params: AppState['postprocess']): string {
  const c = im.status === 'done' ? imageCounts(im, params) : null;
  return c ? `RBC ${c.RBC}, WBC ${c.WBC}, PLT ${c.Platelets}` : im.status;
}

/** The audit entries of edits, written in the same store update as the edits themselves, so that anything
 * reacting to the change (a release withdrawn) is logged after it. */
function auditEntries(s: AppState, changed: readonly string[], action: string, after: AppState['images']): AppState['audit'] {
  const at = new Date().toISOString();
  const entries = changed.flatMap((id) => diffEdits(s.images[id].edits, after[id].edits, s.images[id].raw, modelTypes(s.images[id])).map((c) => ({ at, image: s.images[id].name, action, ...c })));
  return entries.length ? [...s.audit, ...entries].slice(-AUDIT_LIMIT) : s.audit;
}

/** The audit line of a flagged image taken into the totals (`counted`) or left out again. */
const countedEntry = (image: string, action: string, counted: boolean) =>
  ({ at: new Date().toISOString(), image, action, cell: '', field: 'counted' as const, from: counted ? 'left out' : 'counted', to: counted ? 'counted' : 'left out' });

/** The edit step still growing (BatchSlice.edit's `chain`): what it started from, and the history and audit
 * it left, which change (and so end it) when anything else is edited or undone. */
interface Chain {
  key: string;
  before: Edits;
  log: AppState['undoLog'];
  audit: AppState['audit'];
  auditBase: AppState['audit'];
}

export const createBatchSlice: StateCreator<AppState, [], [], BatchSlice> = (set, get) => {
  let chain: Chain | null = null;
  return {
  images: {},
  order: [],
  undoLog: EMPTY_LOG,
  removedImages: {},
  currentId: null,
  run: null,
  intake: 0,
  addIntake(n) {
    set((s) => ({ intake: Math.max(0, s.intake + n) }));
  },
  addImage(e) {
    if (get().images[e.id]) return false;
    // the same file again, whose picture the saved batch lacked: its saved count and review come back (persistSlice)
    const back = get().parked[e.id];
    // One not counted yet (queued, cut off mid-count, or failed and counted by hand) is counted now, with the
    // review it was saved or journaled with: dropped again, it came back as a new image, its edits gone
    const entry: ImageEntry =
      back?.status === 'done'
        ? back
        : back
          ? { ...e, status: 'queued', ...(back.gt ? { gt: back.gt } : {}), edits: back.edits, history: back.history, reviewed: back.reviewed, ...(back.accepted ? { accepted: back.accepted } : {}), ...(back.flagsAccepted ? { flagsAccepted: back.flagsAccepted } : {}) }
          : { ...e, status: 'queued', edits: NO_EDITS, history: EMPTY_HISTORY, reviewed: false };
    set((s) => ({
      ...(back ? { parked: Object.fromEntries(Object.entries(s.parked).filter(([id]) => id !== e.id)) } : {}),
      images: { ...s.images, [e.id]: entry },
      order: [...s.order, e.id],
      currentId: s.currentId ?? e.id,
      // a file refused before and now dropped again whole is no longer missing. A refusal is named by the file's
      // place in its folder where it had one (day1/field.jpg): another folder's field.jpg does not answer for it
      ...(s.refused.some((r) => answers(r.name, e)) ? { refused: s.refused.filter((r) => !answers(r.name, e)) } : {}),
    }));
    return true;
  },
  updateImage(id, patch) {
    set((s) => (s.images[id] ? { images: { ...s.images, [id]: { ...s.images[id], ...patch } } } : s));
  },
  removeImage(id) {
    set((s) => withoutImage(s, id));
  },
  discardImage(id, why) {
    const s = get();
    const im = s.images[id];
    if (!im) return;
    const from = countsWords(im, s.postprocess);
    const entry = { at: new Date().toISOString(), image: im.name, action: why ? 'replace-image' : 'remove-image', cell: '', field: 'image' as const, from, to: why ?? 'removed' };
    const audit = [...s.audit, entry].slice(-AUDIT_LIMIT);
    // one update, so that what reacts to the removal (a release withdrawn) is logged after it
    if (why) return set({ ...withoutImage(s, id), audit });
    // The technician's removal is a step of the one history, as every edit is (GUIDE 19): Ctrl+Z after Remove image
    // said nothing of it and took back an earlier edit, or had nothing to undo. The image's own steps stay, behind
    // the removal's: undone, it is back with them.
    const undoLog = { past: [...s.undoLog.past.slice(-LOG_LIMIT + 1), { removed: id }], future: [] };
    set({ ...outOfOrder(s, id), undoLog, removedImages: keptRemoved({ ...s.removedImages, [id]: { entry: im, at: s.order.indexOf(id) } }, undoLog), audit });
  },
  select(id) {
    set({ currentId: id });
  },
  selectRelative(step) {
    const { order, currentId } = get();
    if (!order.length) return;
    const i = currentId ? order.indexOf(currentId) : -1;
    const j = Math.min(order.length - 1, Math.max(0, i + step));
    set({ currentId: order[j] });
  },
  setRun(run) {
    set({ run });
  },
  setGroundTruth(id, gt) {
    get().updateImage(id, { gt });
  },
  edit(id, cmd, input, chainKey) {
    const s = get();
    const im = s.images[id];
    if (chainKey && im && chain?.key === `${id}:${chainKey}` && chain.log === s.undoLog && chain.audit === s.audit) {
      // the same step goes on: the history keeps the edits from before its first part, and the audit
      // line reads from there to here
      const next = cmd.perform(im.edits, input);
      if (next === im.edits) return;
      const images = { ...s.images, [id]: { ...im, edits: next } };
      const base = { ...s, images: { ...s.images, [id]: { ...im, edits: chain.before } }, audit: chain.auditBase };
      const audit = auditEntries(base, [id], cmd.name, images);
      set({ images, audit });
      chain = { ...chain, audit };
      return;
    }
    chain = null;
    get().editMany(cmd.name, new Map([[id, (e: Edits) => cmd.perform(e, input)]]));
    const after = get();
    if (chainKey && im && after.images[id]?.edits !== im.edits)
      chain = { key: `${id}:${chainKey}`, before: im.edits, log: after.undoLog, audit: after.audit, auditBase: s.audit };
  },
  editMany(name, changes) {
    const s = get();
    const images = { ...s.images };
    const changed: string[] = [];
    for (const [id, perform] of changes) {
      const im = images[id];
      if (!im) continue;
      const next = perform(im.edits);
      if (next === im.edits) continue;
      images[id] = { ...im, edits: next, history: record(im.history, im.edits) };
      changed.push(id);
    }
    if (!changed.length) return;
    const undoLog = { past: [...s.undoLog.past.slice(-LOG_LIMIT + 1), changed], future: [] };
    set({ images, undoLog, removedImages: keptRemoved(s.removedImages, undoLog), audit: auditEntries(s, changed, name, images) });
  },
  undo() {
    return step(get, set, 'undo');
  },
  redo() {
    return step(get, set, 'redo');
  },
  acceptBox(id, detectionId) {
    const im = get().images[id];
    if (im && !im.accepted?.includes(detectionId)) get().updateImage(id, { accepted: [...(im.accepted ?? []), detectionId] });
  },
  acceptFlags(id, accepted) {
    const s = get();
    const im = s.images[id];
    if (!im || !!im.flagsAccepted === accepted) return;
    const undoLog = { past: [...s.undoLog.past.slice(-LOG_LIMIT + 1), { flags: id, accepted }], future: [] };
    set({
      images: { ...s.images, [id]: { ...im, flagsAccepted: accepted } },
      undoLog,
      removedImages: keptRemoved(s.removedImages, undoLog),
      audit: [...s.audit, countedEntry(im.name, accepted ? 'accept-flagged' : 'leave-out-flagged', accepted)].slice(-AUDIT_LIMIT),
    });
  },
  requeue(ids) {
    set((s) => {
      const images = { ...s.images };
      for (const id of ids) {
        const im = images[id];
        if (!im || (im.status !== 'done' && im.status !== 'error')) continue;
        images[id] = { id: im.id, name: im.name, path: im.path, bytes: im.bytes, ...(im.capture ? { capture: im.capture } : {}), gt: im.gt, status: 'queued', recount: true, edits: NO_EDITS, history: EMPTY_HISTORY, reviewed: false };
      }
      return { images, undoLog: dropFromLog(s.undoLog, ids) };
    });
  },
  setReviewed(id, reviewed) {
    // an image not counted (queued, running, failed) has no boxes anyone has seen: R on it marked it reviewed,
    // and the count of images left to review ran short
    if (reviewed && get().images[id]?.status !== 'done') return;
    get().updateImage(id, { reviewed });
  },
  clearBatch() {
    set({ images: {}, order: [], currentId: null, notices: [], run: null, undoLog: EMPTY_LOG, removedImages: {}, refused: NO_REFUSED, parked: {} });
  },
  refused: NO_REFUSED,
  refuseFile(name, error) {
    set((s) => (s.refused.some((r) => r.name === name && r.error === error) ? s : { refused: [...s.refused, { name, error }] }));
  },
  };
};

/** Undo or redo one step of the batch's history on every image it changed, and show its image. */
function step(get: () => AppState, set: (p: Partial<AppState>) => void, dir: 'undo' | 'redo'): boolean {
  const s = get();
  const from = dir === 'undo' ? s.undoLog.past : s.undoLog.future;
  const last = from.length ? (dir === 'undo' ? from[from.length - 1] : from[0]) : undefined;
  if (!last) return false;
  const log =
    dir === 'undo'
      ? { past: s.undoLog.past.slice(0, -1), future: [last, ...s.undoLog.future] }
      : { past: [...s.undoLog.past, last], future: s.undoLog.future.slice(1) };
  if ('removed' in last) {
    const id = last.removed;
    if (dir === 'undo') {
      // the image back where it was, as it was, and shown
      const kept = s.removedImages[id];
      if (!kept || s.images[id]) {
        set({ undoLog: log });
        return true;
      }
      const { [id]: _, ...removedImages } = s.removedImages;
      const order = [...s.order];
      order.splice(Math.min(kept.at, order.length), 0, id);
      const audit = [...s.audit, removedEntry(kept.entry, dir, true, countsWords(kept.entry, s.postprocess))].slice(-AUDIT_LIMIT);
      set({ images: { ...s.images, [id]: kept.entry }, order, currentId: id, undoLog: log, removedImages, audit });
      return true;
    }
    const im = s.images[id];
    if (!im) {
      set({ undoLog: log });
      return true;
    }
    const audit = [...s.audit, removedEntry(im, dir, false, countsWords(im, s.postprocess))].slice(-AUDIT_LIMIT);
    set({ ...outOfOrder(s, id), undoLog: log, removedImages: { ...s.removedImages, [id]: { entry: im, at: s.order.indexOf(id) } }, audit });
    return true;
  }
  if ('flags' in last) {
    const im = s.images[last.flags];
    const flagsAccepted = dir === 'undo' ? !last.accepted : last.accepted;
    const audit = im ? [...s.audit, countedEntry(im.name, dir, flagsAccepted)].slice(-AUDIT_LIMIT) : s.audit;
    set({ images: im ? { ...s.images, [im.id]: { ...im, flagsAccepted } } : s.images, undoLog: log, currentId: im ? im.id : s.currentId, audit });
    return true;
  }
  const ids = last;
  const images = { ...s.images };
  const done: string[] = [];
  for (const id of ids) {
    const im = images[id];
    const r = im && (dir === 'undo' ? undo(im.history, im.edits) : redo(im.history, im.edits));
    if (!r) continue;
    images[id] = { ...im, edits: r.edits, history: r.history };
    done.push(id);
  }
  // an undo from the gallery or another image is seen where it happens
  const currentId = s.currentId && ids.includes(s.currentId) ? s.currentId : (done[0] ?? s.currentId);
  set({ images, undoLog: log, currentId, audit: auditEntries(s, done, dir, images) });
  return true;
}
