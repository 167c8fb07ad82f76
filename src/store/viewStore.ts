import { create } from 'zustand';
import type { CellClass } from '../core/detection/classes';
import type { Box } from '../core/detection/geometry';

/** Stage transform: image px -> canvas px. */
export type ViewTransform = { scale: number; x: number; y: number };

/** UI-only view state of the canvas (selection, tool, stage transform), beside the batch store.
 * The stage transform lives here only: the canvas renders from it and writes to it. */
export interface ViewState {
  selectedId: string | null;
  mode: 'select' | 'draw';
  drawClass: CellClass;
  /** Stage transform (image px -> canvas px). */
  transform: ViewTransform;
  /** The canvas's size in CSS px (0 before it is laid out): where the middle of the view is. */
  viewport: { w: number; h: number };
  setViewport(v: { w: number; h: number }): void;
  /** Incremented to ask the canvas to fit the image to the view. */
  fitNonce: number;
  /** While reviewing: the box to pan and zoom to, and where we are in the image's uncertain list. */
  focus: { id: string; nonce: number } | null;
  review: { k: number; n: number } | null;
  setFocus(id: string | null, review?: { k: number; n: number } | null): void;
  /** The keyboard shortcut sheet (?). */
  helpOpen: boolean;
  setHelpOpen(v: boolean): void;
  /** The report preview (before the print dialog). */
  reportOpen: boolean;
  setReportOpen(v: boolean): void;
  /** Incremented to ask the export panel to open and take the focus on its first export (E). */
  exportsNonce: number;
  openExports(): void;
  /** A short answer to the last action (U on an image with nothing uncertain), shown beside the tools. */
  said: { text: string; nonce: number } | null;
  say(text: string | null): void;
  setTransform(t: ViewTransform): void;
  setSelected(id: string | null): void;
  /** Where the box deleted last was, while nothing is selected since: ] and [ go on from its place in
   * reading order instead of starting again at the first box. */
  deletedAt: { imageId: string; id: string; box: Box } | null;
  setDeletedAt(v: { imageId: string; id: string; box: Box } | null): void;
  /** The current image's review order as the last U or A step saw it (core/edits/review reviewTrail): U
   * after a Delete or a relabel goes on from the box's place there, not from the first box passed over. */
  reviewTrail: { imageId: string; ids: readonly string[] } | null;
  setReviewTrail(v: { imageId: string; ids: readonly string[] } | null): void;
  setMode(m: 'select' | 'draw'): void;
  setDrawClass(c: CellClass): void;
  fit(): void;
}

export const createViewStore = () =>
  create<ViewState>()((set) => ({
    selectedId: null,
    mode: 'select',
    drawClass: 'RBC',
    fitNonce: 0,
    transform: { scale: 1, x: 0, y: 0 },
    viewport: { w: 0, h: 0 },
    setViewport: (viewport) => set((s) => (s.viewport.w === viewport.w && s.viewport.h === viewport.h ? s : { viewport })),
    setTransform: (transform) => set({ transform }),
    // another box selected (a click, a key): its hint replaces an answer about the last one
    setSelected: (selectedId) => set((s) => (selectedId && selectedId !== s.selectedId ? { selectedId, said: null, deletedAt: null } : { selectedId })),
    deletedAt: null,
    setDeletedAt: (deletedAt) => set({ deletedAt }),
    reviewTrail: null,
    setReviewTrail: (reviewTrail) => set({ reviewTrail }),
    setMode: (mode) => set({ mode }),
    setDrawClass: (drawClass) => set({ drawClass }),
    fit: () => set((s) => ({ fitNonce: s.fitNonce + 1 })),
    focus: null,
    helpOpen: false,
    reportOpen: false,
    setReportOpen: (reportOpen) => set({ reportOpen }),
    exportsNonce: 0,
    openExports: () => set((s) => ({ exportsNonce: s.exportsNonce + 1 })),
    setHelpOpen: (helpOpen) => set({ helpOpen }),
    review: null,
    said: null,
    say: (text) => set((s) => ({ said: text ? { text, nonce: (s.said?.nonce ?? 0) + 1 } : null })),
    setFocus: (id, review = null) => set((s) => ({ focus: id ? { id, nonce: (s.focus?.nonce ?? 0) + 1 } : null, review })),
  }));

export type ViewStore = ReturnType<typeof createViewStore>;
