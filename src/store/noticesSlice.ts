import type { StateCreator } from 'zustand';
import type { AppState } from './store';

/** The one channel for what the user must know: per-file problems, model and engine problems, and
 * save failures. The same notice twice is one notice with a count; each can be dismissed, or all. */
export type NoticeKind = 'error' | 'warning' | 'info';
export type NoticeSource = 'file' | 'model' | 'engine' | 'save' | 'differential' | 'profile' | 'camera' | 'batch' | 'release' | 'export';

export interface Notice {
  key: number;
  kind: NoticeKind;
  source: NoticeSource;
  /** What it is about: a file name, or empty. */
  subject: string;
  message: string;
  count: number;
}

/** A notice as the batch stores it: keys are handed out afresh on each page. */
export type StoredNotice = Omit<Notice, 'key'>;

/** Notices kept with the batch across a reload: the files it refused or could not count, and why. An
 * 'info' file notice (an annotation waiting for its image) is about this page's drop, not the batch. */
export const keptWithBatch = (n: Notice) => n.source === 'file' && n.kind !== 'info';

export interface NoticesSlice {
  notices: Notice[];
  notify(n: Omit<Notice, 'key' | 'count'>): void;
  dismissNotice(key: number): void;
  dismissNotices(filter?: (n: Notice) => boolean): void;
  /** Puts back the notices a stored batch kept (keptWithBatch); one already shown is not doubled. */
  restoreNotices(stored: readonly StoredNotice[]): void;
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
  restoreNotices(stored) {
    set((s) => {
      const same = (a: StoredNotice, b: StoredNotice) => a.kind === b.kind && a.source === b.source && a.subject === b.subject && a.message === b.message;
      const fresh = stored.filter((n) => !s.notices.some((x) => same(x, n)));
      return fresh.length ? { notices: [...s.notices, ...fresh.map((n) => ({ ...n, key: ++noticeKey }))] } : s;
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
