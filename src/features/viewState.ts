import { create } from 'zustand';
import type { CellClass } from '../core/detection/classes';

/** UI-only view state of the canvas (selection, tool), separate from the batch data. */
interface ViewState {
  selectedId: string | null;
  mode: 'select' | 'draw';
  drawClass: CellClass;
  fitNonce: number;
  /** Stage transform (image px -> canvas px), published for tests and the PNG export. */
  transform: { scale: number; x: number; y: number };
  setTransform(t: { scale: number; x: number; y: number }): void;
  setSelected(id: string | null): void;
  setMode(m: 'select' | 'draw'): void;
  setDrawClass(c: CellClass): void;
  fit(): void;
}

export const useView = create<ViewState>()((set) => ({
  selectedId: null,
  mode: 'select',
  drawClass: 'RBC',
  fitNonce: 0,
  transform: { scale: 1, x: 0, y: 0 },
  setTransform: (transform) => set({ transform }),
  setSelected: (selectedId) => set({ selectedId }),
  setMode: (mode) => set({ mode }),
  setDrawClass: (drawClass) => set({ drawClass }),
  fit: () => set((s) => ({ fitNonce: s.fitNonce + 1 })),
}));
