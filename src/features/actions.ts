/**
 * Everything a technician can do to the current image, as a typed registry: the toolbar, the
 * keyboard handler and tests call the same entries by name, and an unknown name does not compile.
 * Edits go through the pure commands in src/core/edits, so undo covers every path; the review
 * logic is core's reviewStep.
 */
import type { CellClass } from '../core/detection/classes';
import { deleteBox, relabelBox } from '../core/edits/commands';
import { reviewStep } from '../core/edits/review';
import { shownDetections } from '../store/selectors';
import type { AppStore } from '../store/store';
import type { ViewStore } from '../store/viewStore';

export interface ActionContext {
  store: AppStore;
  view: ViewStore;
}

interface ActionDef {
  keyTest(e: KeyboardEvent): boolean;
  run(ctx: ActionContext): void;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;

const relabel = (cls: CellClass, i: number): ActionDef => ({
  keyTest: (e) => !mod(e) && e.key === String(i + 1),
  run({ store, view }) {
    const id = store.getState().currentId;
    const sel = view.getState().selectedId;
    if (id && sel) store.getState().edit(id, relabelBox, { id: sel, cls });
    else view.getState().setDrawClass(cls);
  },
});

export const actions = {
  delete: {
    keyTest: (e) => e.key === 'Delete' || e.key === 'Backspace',
    run({ store, view }) {
      const id = store.getState().currentId;
      const sel = view.getState().selectedId;
      if (id && sel) {
        store.getState().edit(id, deleteBox, { id: sel });
        view.getState().setSelected(null);
      }
    },
  },
  'relabel-RBC': relabel('RBC', 0),
  'relabel-WBC': relabel('WBC', 1),
  'relabel-Platelets': relabel('Platelets', 2),
  undo: {
    keyTest: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'z',
    run({ store }) {
      const id = store.getState().currentId;
      if (id) store.getState().undo(id);
    },
  },
  redo: {
    keyTest: (e) => mod(e) && ((e.shiftKey && e.key.toLowerCase() === 'z') || e.key.toLowerCase() === 'y'),
    run({ store }) {
      const id = store.getState().currentId;
      if (id) store.getState().redo(id);
    },
  },
  draw: {
    keyTest: (e) => !mod(e) && (e.key === 'n' || e.key === 'b'),
    run({ view }) {
      view.getState().setSelected(null);
      view.getState().setMode('draw');
    },
  },
  escape: {
    keyTest: (e) => e.key === 'Escape',
    run({ view }) {
      view.getState().setSelected(null);
      view.getState().setMode('select');
    },
  },
  fit: { keyTest: (e) => !mod(e) && e.key === 'f', run: ({ view }) => view.getState().fit() },
  'next-image': {
    keyTest: (e) => !mod(e) && (e.key === 'ArrowDown' || e.key === 'ArrowRight' || e.key === 'j'),
    run({ store, view }) {
      view.getState().setSelected(null);
      store.getState().selectRelative(1);
    },
  },
  'previous-image': {
    keyTest: (e) => !mod(e) && (e.key === 'ArrowUp' || e.key === 'ArrowLeft' || e.key === 'k'),
    run({ store, view }) {
      view.getState().setSelected(null);
      store.getState().selectRelative(-1);
    },
  },
  // Review mode: U steps through the current image's least certain detections; at the end it
  // marks the image reviewed and moves to the next image not yet reviewed.
  'next-uncertain': {
    keyTest: (e) => !mod(e) && e.key === 'u',
    run({ store, view }) {
      const s = store.getState();
      const im = s.currentId ? s.images[s.currentId] : undefined;
      if (!im) return;
      const step = reviewStep(shownDetections(im, s.postprocess), s.postprocess, view.getState().selectedId, s.order, im.id, (id) => {
        const other = s.images[id];
        return !other.reviewed && other.status === 'done';
      });
      if (step.kind === 'select') return view.getState().setSelected(step.detectionId);
      s.setReviewed(im.id, true);
      view.getState().setSelected(null);
      if (step.next) s.select(step.next);
    },
  },
  'toggle-reviewed': {
    keyTest: (e) => !mod(e) && e.key === 'r',
    run({ store }) {
      const s = store.getState();
      const im = s.currentId ? s.images[s.currentId] : undefined;
      if (im) s.setReviewed(im.id, !im.reviewed);
    },
  },
} satisfies Record<string, ActionDef>;

export type ActionName = keyof typeof actions;

/** Relabel action for a class (1/2/3). */
export const relabelAction = (cls: CellClass): ActionName => `relabel-${cls}`;

export function runAction(ctx: ActionContext, name: ActionName) {
  actions[name].run(ctx);
}

export function handleKey(ctx: ActionContext, e: KeyboardEvent) {
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
  const name = (Object.keys(actions) as ActionName[]).find((n) => actions[n].keyTest(e));
  if (name) {
    e.preventDefault();
    actions[name].run(ctx);
  }
}

