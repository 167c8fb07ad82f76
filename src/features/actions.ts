/**
 * Everything a technician can do to the current image, as { name, keyTest, run }. The toolbar,
 * the keyboard handler and tests call the same entries; edits go through the pure commands in
 * src/core/edits, so undo covers every path.
 */
import { useAppStore } from '../app/instance';
import { CLASS_NAMES } from '../core/detection/classes';
import { deleteBox, relabelBox } from '../core/edits/commands';
import { nextUncertain } from '../core/edits/review';
import { shownDetections } from '../store/selectors';
import { useView } from './viewState';

export interface Action {
  name: string;
  keyTest(e: KeyboardEvent): boolean;
  run(): void;
}

const cur = () => useAppStore.getState().currentId;
const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;

export const actions: Action[] = [
  {
    name: 'delete',
    keyTest: (e) => e.key === 'Delete' || e.key === 'Backspace',
    run() {
      const id = cur();
      const sel = useView.getState().selectedId;
      if (id && sel) {
        useAppStore.getState().edit(id, deleteBox, { id: sel });
        useView.getState().setSelected(null);
      }
    },
  },
  ...CLASS_NAMES.map(
    (cls, i): Action => ({
      name: `relabel-${cls}`,
      keyTest: (e) => !mod(e) && e.key === String(i + 1),
      run() {
        const id = cur();
        const sel = useView.getState().selectedId;
        if (id && sel) useAppStore.getState().edit(id, relabelBox, { id: sel, cls });
        else useView.getState().setDrawClass(cls);
      },
    }),
  ),
  {
    name: 'undo',
    keyTest: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'z',
    run() {
      const id = cur();
      if (id) useAppStore.getState().undo(id);
    },
  },
  {
    name: 'redo',
    keyTest: (e) => mod(e) && ((e.shiftKey && e.key.toLowerCase() === 'z') || e.key.toLowerCase() === 'y'),
    run() {
      const id = cur();
      if (id) useAppStore.getState().redo(id);
    },
  },
  {
    name: 'draw',
    keyTest: (e) => !mod(e) && (e.key === 'n' || e.key === 'b'),
    run() {
      useView.getState().setSelected(null);
      useView.getState().setMode('draw');
    },
  },
  {
    name: 'escape',
    keyTest: (e) => e.key === 'Escape',
    run() {
      useView.getState().setSelected(null);
      useView.getState().setMode('select');
    },
  },
  { name: 'fit', keyTest: (e) => !mod(e) && e.key === 'f', run: () => useView.getState().fit() },
  {
    name: 'next-image',
    keyTest: (e) => !mod(e) && (e.key === 'ArrowDown' || e.key === 'ArrowRight' || e.key === 'j'),
    run() {
      useView.getState().setSelected(null);
      useAppStore.getState().selectRelative(1);
    },
  },
  {
    name: 'previous-image',
    keyTest: (e) => !mod(e) && (e.key === 'ArrowUp' || e.key === 'ArrowLeft' || e.key === 'k'),
    run() {
      useView.getState().setSelected(null);
      useAppStore.getState().selectRelative(-1);
    },
  },
  {
    // Review mode: U steps through the current image's least certain detections; at the end it
    // marks the image reviewed and moves to the next image not yet reviewed.
    name: 'next-uncertain',
    keyTest: (e) => !mod(e) && e.key === 'u',
    run() {
      const s = useAppStore.getState();
      const im = s.currentId ? s.images[s.currentId] : undefined;
      if (!im) return;
      const next = nextUncertain(shownDetections(im, s.postprocess), s.postprocess, useView.getState().selectedId);
      if (next) return useView.getState().setSelected(next.id);
      s.setReviewed(im.id, true);
      const after = [...s.order.slice(s.order.indexOf(im.id) + 1), ...s.order].find((id) => !useAppStore.getState().images[id].reviewed && s.images[id].status === 'done');
      useView.getState().setSelected(null);
      if (after) s.select(after);
    },
  },
  {
    name: 'toggle-reviewed',
    keyTest: (e) => !mod(e) && e.key === 'r',
    run() {
      const id = cur();
      const im = id ? useAppStore.getState().images[id] : undefined;
      if (im) useAppStore.getState().setReviewed(im.id, !im.reviewed);
    },
  },
];

export const runAction = (name: string) => actions.find((a) => a.name === name)?.run();

export function handleKey(e: KeyboardEvent) {
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
  const a = actions.find((x) => x.keyTest(e));
  if (a) {
    e.preventDefault();
    a.run();
  }
}
