/**
 * The batch survives a reload or a crashed tab: images (as their original bytes), raw detections,
 * edits, review state and thresholds live in IndexedDB.
 *
 * Durability rules:
 * - a change is written within MAX_DELAY_MS (the first change starts the timer; later ones do not
 *   postpone it), and at once when the page is hidden or unloaded (visibilitychange, pagehide);
 * - an IndexedDB write started on pagehide may not commit before the page goes, so at that moment the
 *   review of every image changed since the last commit (its edits, undo history, reviewed and accepted
 *   marks: a few KB) is also written synchronously to localStorage, the journal; a restore applies it over
 *   what IndexedDB held, and the next write that began after it empties it once committed. The images
 *   removed since the last commit are journaled the same way (REMOVED_KEY): "Remove image" and a reload
 *   at once brought the image back into the totals;
 * - an entry counts as saved only after its transaction has completed;
 * - while a write is pending the store's `save.pending` is set, so the status does not say "Ready";
 * - a failed write (quota, private mode) is shown with the names of the images not saved, and the
 *   next change retries.
 * Writes are incremental (entries whose object identity changed since the last commit).
 * The notices of files the batch refused or could not count are kept with it (in `meta`), so that after
 * a reload the technician still sees which files are missing and why.
 */
import { NO_REFUSED } from '../store/batchSlice';
import { keptWithBatch, type Notice, type StoredNotice } from '../store/noticesSlice';
import type { AppState } from '../store/store';
import type { ImageEntry } from '../store/types';
import type { ImageFiles } from './files';
import { deferRender } from './renderBatch';
import { isolateName } from '../core/bidi';
import { AppError } from '../core/errors';
import { isQuotaError } from './idb';
import { batchJustSettled } from '../store/selectors';

const DB = 'smearcount';
const VERSION = 1;
export const MAX_DELAY_MS = 200;
/** localStorage key of the review journal (see the durability rules above). */
export const JOURNAL_KEY = 'smearcount-review-journal';
/** localStorage key of the ids of images removed since the last commit (the same rules as the review journal). */
export const REMOVED_KEY = 'smearcount-removed-journal';
type JournalEntry = Pick<ImageEntry, 'edits' | 'history' | 'reviewed' | 'accepted' | 'flagsAccepted'>;
const REVIEW_KEYS = ['edits', 'history', 'reviewed', 'accepted', 'flagsAccepted'] as const;

function readJournal(): Record<string, JournalEntry> {
  try {
    const v = typeof localStorage === 'undefined' ? null : localStorage.getItem(JOURNAL_KEY);
    return v ? (JSON.parse(v) as Record<string, JournalEntry>) : {};
  } catch {
    return {};
  }
}

function readRemoved(): Set<string> {
  try {
    const v: unknown = typeof localStorage === 'undefined' ? null : JSON.parse(localStorage.getItem(REMOVED_KEY) ?? 'null');
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

function dropJournal() {
  try {
    if (typeof localStorage === 'undefined') return;
    localStorage.removeItem(JOURNAL_KEY);
    localStorage.removeItem(REMOVED_KEY);
  } catch {
    /* storage unavailable: nothing was journaled */
  }
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('images');
      db.createObjectStore('blobs');
      db.createObjectStore('meta');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

const done = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new AppError('storage', 'the transaction was aborted'));
  });

const getAll = <T>(store: IDBObjectStore) =>
  new Promise<{ keys: IDBValidKey[]; values: T[] }>((resolve, reject) => {
    const k = store.getAllKeys();
    const v = store.getAll();
    v.onsuccess = () => resolve({ keys: k.result, values: v.result as T[] });
    v.onerror = () => reject(v.error);
  });

/** `notices` and `refused` are absent in batches saved before them. */
type Meta = Pick<AppState, 'order' | 'currentId' | 'postprocess'> & { notices?: readonly StoredNotice[]; refused?: AppState['refused'] };
/** The notices of the batch (keptWithBatch), as the store holds them: compared by identity. */
const batchNotices = (s: AppState): readonly Notice[] => s.notices.filter(keptWithBatch);
const sameList = <T>(a: readonly T[] | undefined, b: readonly T[]) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);
const metaChanged = (m: Meta | undefined, s: AppState) =>
  !m || m.order !== s.order || m.currentId !== s.currentId || m.postprocess !== s.postprocess || !sameList(m.notices, batchNotices(s)) || (m.refused ?? NO_REFUSED) !== s.refused;
export type PersistStore = {
  getState(): AppState;
  setState(p: Partial<AppState>): void;
  subscribe(f: (s: AppState, p: AppState) => void): () => void;
};

export class Persistence {
  private db?: Promise<IDBDatabase>;
  /** What IndexedDB holds, as of the last committed transaction. */
  private saved = new Map<string, ImageEntry>();
  private savedBlobs = new Set<string>();
  private savedMeta?: Meta;
  private timer?: ReturnType<typeof setTimeout>;
  private writing: Promise<void> = Promise.resolve();
  private unsubscribe?: () => void;
  private listening = false;
  /** Bumped at each journal write: a committed write drops the journal only if it began after it. */
  private journalSeq = 0;
  /** Set once another window owns the batch (windowLock.ts): nothing more is written, ever, from this page. */
  private halted = false;

  constructor(
    private store: PersistStore,
    private files: ImageFiles,
    private openDb: () => Promise<IDBDatabase> = open,
  ) {}

  private conn() {
    // A failed open is forgotten, so the next write opens again (a rejected promise kept here would
    // fail every later write the same way).
    return (this.db ??= this.openDb().catch((e: unknown) => {
      this.db = undefined;
      throw e;
    }));
  }

  /** Loads a stored batch into the store. Returns the number of images restored. */
  async restore(): Promise<number> {
    const db = await this.conn();
    const tx = db.transaction(['images', 'blobs', 'meta'], 'readonly');
    const [imgs, blobs, meta] = await Promise.all([
      getAll<ImageEntry>(tx.objectStore('images')),
      getAll<Blob>(tx.objectStore('blobs')),
      getAll<Meta>(tx.objectStore('meta')),
    ]);
    const m = meta.values[0];
    if (m?.notices?.length) this.store.getState().restoreNotices(m.notices);
    // the refused files are the batch's even where none of its images was stored
    if (m?.refused?.length) this.store.setState({ refused: m.refused });
    if (!m) return 0;
    const postprocess = { ...this.store.getState().defaults, ...m.postprocess };
    // a cleared session (no image yet) keeps the thresholds it was left with, as the screen kept them
    if (!imgs.values.length) {
      this.store.setState({ postprocess });
      return 0;
    }
    // removed before the page went, in a write that never committed: IndexedDB holds them still (the next
    // write deletes them there), and they are not the batch's
    const removed = readRemoved();
    blobs.keys.forEach((k, i) => {
      if (!removed.has(String(k))) this.files.set(String(k), blobs.values[i]);
      this.savedBlobs.add(String(k));
    });
    const images: Record<string, ImageEntry> = {};
    const stored: Record<string, ImageEntry> = {};
    const journal = readJournal();
    for (const im of imgs.values) {
      if (removed.has(im.id)) {
        this.saved.set(im.id, im);
        continue;
      }
      stored[im.id] = im;
      // An image cut off mid-detection by the crash runs again.
      const entry = im.status === 'running' ? { ...im, status: 'queued' as const } : im;
      // The review journaled when the page went, newer than what the last committed write held.
      const j = journal[im.id];
      images[im.id] = j ? { ...entry, ...Object.fromEntries(REVIEW_KEYS.filter((k) => k in j).map((k) => [k, j[k]])) } : entry;
    }
    const order = m.order.filter((id) => images[id] && this.files.get(id));
    this.store.setState({ images, order, currentId: m.currentId && images[m.currentId] ? m.currentId : (order[0] ?? null), postprocess });
    // a journaled image is not what IndexedDB holds: the next write stores it
    for (const id of order) this.saved.set(id, journal[id] ? stored[id] : images[id]);
    this.savedMeta = { order, currentId: m.currentId, postprocess, notices: m.notices ? batchNotices(this.store.getState()) : undefined, refused: m.refused ? this.store.getState().refused : undefined };
    return order.length;
  }

  /** True when the store holds something IndexedDB does not. */
  isDirty(s = this.store.getState()): boolean {
    for (const id of s.order) {
      if (this.saved.get(id) !== s.images[id]) return true;
      if (!this.savedBlobs.has(id) && this.files.get(id)) return true;
    }
    for (const id of this.saved.keys()) if (!s.images[id]) return true;
    return metaChanged(this.savedMeta, s);
  }

  /** Starts writing changes as they happen, and on page hide/unload. */
  start() {
    this.unsubscribe = this.store.subscribe((s, p) => {
      // The batch has just settled: nothing is left to gather into the write, and "Ready" waits for it.
      if (s.images !== p.images && batchJustSettled(s, p) && this.isDirty()) return this.flushSoon();
      if (s.images === p.images && s.order === p.order && s.currentId === p.currentId && s.postprocess === p.postprocess && sameList(batchNotices(p), batchNotices(s))) return;
      this.schedule();
    });
    if (typeof window !== 'undefined' && !this.listening) {
      this.listening = true;
      window.addEventListener('pagehide', () => {
        this.journal();
        void this.flush();
      });
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState !== 'hidden') return;
        this.journal();
        void this.flush();
      });
    }
    if (this.isDirty()) this.schedule();
  }

  stop() {
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Another window owns the batch now: this page writes nothing more (not on pagehide either). Flush first
   * to hand over what it holds. */
  halt() {
    this.halted = true;
    this.stop();
  }

  /** Writes the review of every image changed since the last commit to localStorage, synchronously. */
  journal() {
    if (this.halted) return;
    const s = this.store.getState();
    const out: Record<string, JournalEntry> = {};
    for (const id of s.order) {
      const im = s.images[id];
      const saved = this.saved.get(id);
      if (!saved || saved === im || REVIEW_KEYS.every((k) => saved[k] === im[k])) continue;
      out[id] = Object.fromEntries(REVIEW_KEYS.map((k) => [k, im[k]])) as unknown as JournalEntry;
    }
    const removed = [...this.saved.keys()].filter((id) => !s.images[id]);
    try {
      // the removals since the last commit, as of now (an image removed and then dropped again is the batch's)
      if (removed.length) localStorage.setItem(REMOVED_KEY, JSON.stringify(removed));
      else localStorage.removeItem(REMOVED_KEY);
    } catch {
      /* quota or no storage: the IndexedDB write is still tried */
    }
    if (removed.length) this.journalSeq++;
    if (!Object.keys(out).length) return;
    this.journalSeq++;
    try {
      localStorage.setItem(JOURNAL_KEY, JSON.stringify(out));
    } catch {
      /* quota or no storage: the IndexedDB write is still tried */
    }
  }

  private schedule() {
    if (!this.store.getState().save.pending) this.store.getState().setSave({ pending: true });
    if (this.timer !== undefined) return; // bounded: later changes do not postpone the write
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, MAX_DELAY_MS);
  }

  /** The write, after the current task (whatever else settles in it, the batch rule for specks on the
   * optics included, goes into the same write) instead of up to MAX_DELAY_MS later. */
  private flushSoon() {
    if (!this.store.getState().save.pending) this.store.getState().setSave({ pending: true });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, 0);
  }

  /** Writes everything not yet committed; resolves once it is (or once the failure is reported). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(async () => {
      if (this.halted) return;
      try {
        const seq = this.journalSeq;
        await this.write(); // reads the store before its first await: the state as of `seq`
        // IndexedDB now holds everything the journal had, unless the journal was written during the write
        if (seq === this.journalSeq) dropJournal();
        const st = this.store.getState();
        if (this.isDirty()) this.schedule();
        else if (st.save.pending || st.save.error) {
          if (st.save.error) st.dismissNotices((n) => n.source === 'save');
          deferRender(() => st.setSave({ pending: false, error: null, unsaved: [] }));
        }
      } catch (e) {
        const s = this.store.getState();
        const unsaved = s.order.filter((id) => this.saved.get(id) !== s.images[id] || !this.savedBlobs.has(id)).map((id) => s.images[id].name);
        const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        const lose = `A reload would lose ${unsaved.length} image${unsaved.length === 1 ? '' : 's'}${
          unsaved.length ? ` (${unsaved.slice(0, 3).map(isolateName).join(', ')}${unsaved.length > 3 ? ', …' : ''})` : ''
        }`;
        // a full quota is the common failure (a phone short of space, a day's batches): said as such, with what
        // frees room; the browser's words ("QuotaExceededError: …") told a technician nothing
        const error = isQuotaError(e)
          ? `The batch was not saved: the storage this browser gives the app on this device is full. ${lose}. Export the counts and the report now; then remove images you no longer need from the batch, or free space on the device, and the batch is saved again at the next change.`
          : `This browser did not save the batch (${why}). ${lose}; export the counts before closing the tab.`;
        s.setSave({ pending: false, unsaved, error });
        s.dismissNotices((n) => n.source === 'save');
        s.notify({ kind: 'error', source: 'save', subject: '', message: error });
      }
    });
    return this.writing;
  }

  private async write() {
    const s = this.store.getState();
    const db = await this.conn();
    const tx = db.transaction(['images', 'blobs', 'meta'], 'readwrite');
    const images = tx.objectStore('images');
    const blobs = tx.objectStore('blobs');
    const putImages: [string, ImageEntry][] = [];
    const putBlobs: string[] = [];
    const removed: string[] = [];
    for (const id of s.order) {
      const im = s.images[id];
      if (this.saved.get(id) !== im) {
        images.put(im, id);
        putImages.push([id, im]);
      }
      if (!this.savedBlobs.has(id)) {
        const b = this.files.get(id);
        if (b) {
          blobs.put(b, id);
          putBlobs.push(id);
        }
      }
    }
    for (const id of this.saved.keys()) {
      if (!s.images[id]) {
        images.delete(id);
        blobs.delete(id);
        removed.push(id);
      }
    }
    const notices = batchNotices(s);
    const meta = { order: s.order, currentId: s.currentId, postprocess: s.postprocess, notices, refused: s.refused };
    const changed = metaChanged(this.savedMeta, s);
    if (changed) tx.objectStore('meta').put({ ...meta, notices: notices.map(({ key: _, ...n }) => n) }, 'state');
    await done(tx);
    // Committed: only now do these count as saved.
    for (const [id, im] of putImages) this.saved.set(id, im);
    for (const id of putBlobs) this.savedBlobs.add(id);
    for (const id of removed) {
      this.saved.delete(id);
      this.savedBlobs.delete(id);
    }
    if (changed) this.savedMeta = meta;
  }

  async clear() {
    this.stop();
    await this.writing;
    const db = await this.conn();
    const tx = db.transaction(['images', 'blobs', 'meta'], 'readwrite');
    for (const n of ['images', 'blobs', 'meta']) tx.objectStore(n).clear();
    await done(tx);
    dropJournal();
    this.saved.clear();
    this.savedBlobs.clear();
    this.savedMeta = undefined;
    this.store.getState().setSave({ pending: false, error: null, unsaved: [] });
    this.start();
  }
}
