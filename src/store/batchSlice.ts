import type { StateCreator } from 'zustand';
import { NO_EDITS, type Edits } from '../core/edits/edits';
import { EMPTY_HISTORY, record, redo, undo, type Command } from '../core/edits/commands';
import type { Labeled } from '../core/metrics/ap';
import { diffEdits } from '../core/edits/audit';
import type { ImageEntry } from './types';
import type { AppState } from './store';

export interface BatchSlice {
  images: Record<string, ImageEntry>;
  order: string[];
  currentId: string | null;
  /** When the current run started and how many images it had done then (for the ETA). */
  run: { startedAt: number; doneAtStart: number } | null;
  /** Files dropped but not yet checked and hashed: the app is busy while this is > 0. */
  intake: number;
  addIntake(n: number): void;
  addImage(e: Pick<ImageEntry, 'id' | 'name' | 'bytes' | 'path'>): boolean;
  updateImage(id: string, patch: Partial<ImageEntry>): void;
  removeImage(id: string): void;
  select(id: string | null): void;
  selectRelative(step: number): void;
  setRun(run: BatchSlice['run']): void;
  setGroundTruth(id: string, gt: Labeled[]): void;
  edit<I>(id: string, cmd: Command<I>, input: I): void;
  undo(id: string): void;
  redo(id: string): void;
  setReviewed(id: string, reviewed: boolean): void;
  acceptBox(id: string, detectionId: string): void;
  /** Counts a flagged (not-smear / out-of-focus) image in the totals, or takes it out again (undo). */
  acceptFlags(id: string, accepted: boolean): void;
  /** Back to the queue to be detected again (Count again). Model box ids restart with the new
   * detections, so edits, review and WBC types keyed by them go too. */
  requeue(ids: readonly string[]): void;
  clearBatch(): void;
}

function audit(s: AppState, im: ImageEntry, action: string, from: Edits, to: Edits) {
  const at = new Date().toISOString();
  s.logAudit(diffEdits(from, to).map((c) => ({ at, image: im.name, action, ...c })));
}

export const createBatchSlice: StateCreator<AppState, [], [], BatchSlice> = (set, get) => ({
  images: {},
  order: [],
  currentId: null,
  run: null,
  intake: 0,
  addIntake(n) {
    set((s) => ({ intake: Math.max(0, s.intake + n) }));
  },
  addImage(e) {
    if (get().images[e.id]) return false;
    const entry: ImageEntry = { ...e, status: 'queued', edits: NO_EDITS, history: EMPTY_HISTORY, reviewed: false };
    set((s) => ({
      images: { ...s.images, [e.id]: entry },
      order: [...s.order, e.id],
      currentId: s.currentId ?? e.id,
    }));
    return true;
  },
  updateImage(id, patch) {
    set((s) => (s.images[id] ? { images: { ...s.images, [id]: { ...s.images[id], ...patch } } } : s));
  },
  removeImage(id) {
    set((s) => {
      const { [id]: _, ...images } = s.images;
      const order = s.order.filter((x) => x !== id);
      return { images, order, currentId: s.currentId === id ? (order[0] ?? null) : s.currentId };
    });
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
  edit(id, cmd, input) {
    const im = get().images[id];
    if (!im) return;
    const next: Edits = cmd.perform(im.edits, input);
    if (next === im.edits) return;
    get().updateImage(id, { edits: next, history: record(im.history, im.edits) });
    audit(get(), im, cmd.name, im.edits, next);
  },
  undo(id) {
    const im = get().images[id];
    const r = im && undo(im.history, im.edits);
    if (r) get().updateImage(id, { edits: r.edits, history: r.history });
    if (r) audit(get(), im, 'undo', im.edits, r.edits);
  },
  redo(id) {
    const im = get().images[id];
    const r = im && redo(im.history, im.edits);
    if (r) get().updateImage(id, { edits: r.edits, history: r.history });
    if (r) audit(get(), im, 'redo', im.edits, r.edits);
  },
  acceptBox(id, detectionId) {
    const im = get().images[id];
    if (im && !im.accepted?.includes(detectionId)) get().updateImage(id, { accepted: [...(im.accepted ?? []), detectionId] });
  },
  acceptFlags(id, accepted) {
    if (get().images[id]) get().updateImage(id, { flagsAccepted: accepted });
  },
  requeue(ids) {
    set((s) => {
      const images = { ...s.images };
      for (const id of ids) {
        const im = images[id];
        if (!im || (im.status !== 'done' && im.status !== 'error')) continue;
        images[id] = { id: im.id, name: im.name, path: im.path, bytes: im.bytes, gt: im.gt, status: 'queued', edits: NO_EDITS, history: EMPTY_HISTORY, reviewed: false };
      }
      return { images };
    });
  },
  setReviewed(id, reviewed) {
    get().updateImage(id, { reviewed });
  },
  clearBatch() {
    set({ images: {}, order: [], currentId: null, notices: [], run: null });
  },
});
