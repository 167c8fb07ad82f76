import type { StateCreator } from 'zustand';
import type { AppState } from './store';

/** The one channel for what the user must know: per-file problems, model and engine problems, and
 * save failures. The same notice twice is one notice with a count; each can be dismissed, or all. */
export type NoticeKind = 'error' | 'warning' | 'info';
export type NoticeSource = 'file' | 'model' | 'engine' | 'save' | 'differential' | 'profile' | 'camera' | 'batch';

export interface Notice {
  key: number;
  kind: NoticeKind;
  source: NoticeSource;
  /** What it is about: a file name, or empty. */
  subject: string;
  message: string;
  count: number;
}

export interface NoticesSlice {
  notices: Notice[];
  notify(n: Omit<Notice, 'key' | 'count'>): void;
  dismissNotice(key: number): void;
  dismissNotices(filter?: (n: Notice) => boolean): void;
  /** Per-file problems (a bad file, a failed detection). */
  addFileError(file: string, message: string): void;
}

let noticeKey = 0;

export const createNoticesSlice: StateCreator<AppState, [], [], NoticesSlice> = (set, get) => ({
  notices: [],
  notify(n) {
    set((s) => {
      const same = s.notices.find((x) => x.kind === n.kind && x.source === n.source && x.subject === n.subject && x.message === n.message);
      if (same) return { notices: s.notices.map((x) => (x === same ? { ...x, count: x.count + 1 } : x)) };
      return { notices: [...s.notices, { ...n, key: ++noticeKey, count: 1 }] };
    });
  },
  dismissNotice(key) {
    set((s) => ({ notices: s.notices.filter((n) => n.key !== key) }));
  },
  dismissNotices(filter = () => true) {
    set((s) => ({ notices: s.notices.filter((n) => !filter(n)) }));
  },
  addFileError(file, message) {
    get().notify({ kind: 'error', source: 'file', subject: file, message });
  },
});
