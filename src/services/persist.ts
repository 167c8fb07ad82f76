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
 * - the batch's review (each image's counts, types, edits and review marks, the order and the thresholds)
 *   is one transaction, and each image's picture (its original bytes, the large part) another of its own
 *   after it: a picture over the quota no longer takes the review of that write down with it. An image
 *   whose picture never committed comes back after a reload as "parked" (persistSlice): named among the
 *   refused files, and whole again, counts and review, when the same file is dropped again;
 * - a failed write (quota, private mode) is shown with the names of the images not saved and what of
 *   them, the review is journaled to localStorage, and the write is retried (RETRY_MS, doubling up to a
 *   minute) as well as at the next change.
 * Writes are incremental (entries whose object identity changed since the last commit).
 * The notices of files the batch refused or could not count are kept with it (in `meta`), so that after
 * a reload the technician still sees which files are missing and why. So is the batch's undo history (the order
 * of its steps across images, batchSlice `undoLog`; each image keeps its own Edits in `history`), journaled with
 * the review: without it Undo was off after a reload, though every image still held its history.
 */
import { NO_REFUSED, restoredLog } from '../store/batchSlice';
import { keptWithBatch, type Notice, type StoredNotice } from '../store/noticesSlice';
import type { AppState } from '../store/store';
import type { ImageEntry } from '../store/types';
import type { ImageFiles } from './files';
import { deferRender } from './renderBatch';
import { isolateName } from '../core/bidi';
import { AppError } from '../core/errors';
import { isQuotaError, whenPageGoes } from './idb';
import { batchJustSettled } from '../store/selectors';
import { CLASS_NAMES, perClass } from '../core/detection/classes';

const DB = 'smearcount';
const VERSION = 1;
export const MAX_DELAY_MS = 200;
/** The first retry after a failed write; each failure in a row doubles it, up to RETRY_MAX_MS. */
export const RETRY_MS = 5000;
const RETRY_MAX_MS = 60_000;
/** Why a picture may be missing from the saved batch: its own write failed (the storage full), or the page went
 * between the batch's review and its picture, two transactions (the owner window closed, or reloaded, mid-drop).
 * The words said only the first, and a window given the batch of one closed mid-drop read "the storage was
 * full" of a device with room to spare. */
const NOT_SAVED = '(the storage was full, or the page closed before it was written)';
/** Why a restored image is not in the batch: its picture was never saved (services/persist). */
export const PARKED_MESSAGE = `Its picture was not saved with the batch ${NOT_SAVED}, so it is not in the batch after the reload. Its counts and review were saved: drop the same file again and they come back.`;
/** The same, for an image not counted yet when the page went. */
export const PARKED_UNCOUNTED_MESSAGE = `Its picture was not saved with the batch ${NOT_SAVED}, so it is not in the batch after the reload, and it was not counted yet: drop the same file again to count it.`;
/** The same, for a field captured live: the app held its only copy, so there is no file to drop again. */
export const PARKED_LIVE_MESSAGE = `A field captured live: its picture was not saved with the batch ${NOT_SAVED}, and the app held its only copy, so it is not in the batch after the reload and cannot be added again. Its counts and review were saved, but without the picture they are not in the totals: capture that field again to count it.`;
export const PARKED_LIVE_UNCOUNTED_MESSAGE = `A field captured live, not counted yet: its picture was not saved with the batch ${NOT_SAVED}, and the app held its only copy, so it is not in the batch after the reload and cannot be added again: capture that field again to count it.`;
const PARKED_WORDS = [PARKED_MESSAGE, PARKED_UNCOUNTED_MESSAGE, PARKED_LIVE_MESSAGE, PARKED_LIVE_UNCOUNTED_MESSAGE];
/** The same words as earlier versions saved them with a batch (said anew on restore). */
export const EARLIER_PARKED_WORDS = PARKED_WORDS.map((m) => m.replace(NOT_SAVED, '(the storage was full)'));
/** localStorage key of the review journal (see the durability rules above). */
export const JOURNAL_KEY = 'smearcount-review-journal';
/** localStorage key of the ids of images removed since the last commit (the same rules as the review journal). */
export const REMOVED_KEY = 'smearcount-removed-journal';
/** localStorage key of the batch's settings (thresholds, NMS, the count rule, the review band, the classes shown)
 * and its undo history, where they differ from what the last commit held (the same rules as the review journal): a
 * threshold set and the page reloaded within MAX_DELAY_MS came back as it was, and an edit journaled so came back
 * without its undo step. */
export const META_JOURNAL_KEY = 'smearcount-meta-journal';
type MetaJournal = { postprocess?: AppState['postprocess']; undoLog?: unknown } & ViewSettings;
/** The review band (U's reach) and the classes shown on the canvas: kept with the batch as the thresholds are
 * (both came back at their defaults after a reload, a class hidden shown again). */
type ViewSettings = { reviewBand?: number; visible?: AppState['visible'] };

/** The view settings of a stored meta or journal, checked: a value no setter could have made is passed over. */
function viewSettings(j: Record<string, unknown>): ViewSettings {
  const band = j.reviewBand;
  const v = j.visible as Record<string, unknown> | undefined;
  return {
    ...(typeof band === 'number' && band >= 0.01 && band <= 1 ? { reviewBand: band } : {}),
    ...(v && typeof v === 'object' && CLASS_NAMES.every((c) => typeof v[c] === 'boolean') ? { visible: perClass((c) => v[c] as boolean) } : {}),
  };
}
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

function readMetaJournal(): MetaJournal {
  try {
    const v: unknown = typeof localStorage === 'undefined' ? null : JSON.parse(localStorage.getItem(META_JOURNAL_KEY) ?? 'null');
    if (!v || typeof v !== 'object') return {};
    const j = v as Record<string, unknown>;
    const p = j.postprocess as Record<string, unknown> | undefined;
    return {
      // the whole of the settings as they stood, or nothing: a part of them is no setting the technician made
      ...(p && typeof p === 'object' && p.scoreThresholds && typeof p.scoreThresholds === 'object' ? { postprocess: p as unknown as AppState['postprocess'] } : {}),
      ...('undoLog' in j ? { undoLog: j.undoLog } : {}),
      ...viewSettings(j),
    };
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
    localStorage.removeItem(META_JOURNAL_KEY);
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

/** Some pictures of the batch did not commit (the review did). */
class PicturesNotSaved extends Error {
  constructor(
    readonly ids: string[],
    readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = cause instanceof Error ? cause.name : 'Error';
  }
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

/** `notices`, `refused`, `undoLog`, `removed`, `reviewBand` and `visible` are absent in batches saved before them.
 * `removed`: the images removed whose removal Undo can still take back (batchSlice removedImages), each with its place
 * in the order; their entries and pictures stay in IndexedDB until the step leaves the history. */
type Meta = Pick<AppState, 'order' | 'currentId' | 'postprocess'> & { notices?: readonly StoredNotice[]; refused?: AppState['refused']; undoLog?: AppState['undoLog']; removed?: Record<string, number> } & ViewSettings;
/** The notices of the batch (keptWithBatch), as the store holds them: compared by identity. */
const batchNotices = (s: AppState): readonly Notice[] => s.notices.filter(keptWithBatch);
const sameList = <T>(a: readonly T[] | undefined, b: readonly T[]) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);
const metaChanged = (m: Meta | undefined, s: AppState) =>
  !m ||
  m.order !== s.order ||
  m.currentId !== s.currentId ||
  m.postprocess !== s.postprocess ||
  !sameList(m.notices, batchNotices(s)) ||
  (m.refused ?? NO_REFUSED) !== s.refused ||
  m.undoLog !== s.undoLog ||
  m.reviewBand !== s.reviewBand ||
  m.visible !== s.visible;
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
  /** Pictures in IndexedDB that no saved image holds (a write cut off between its two transactions):
   * deleted by the next write, so that they take no room for ever. */
  private strayBlobs = new Set<string>();
  /** The parked images (persistSlice) as IndexedDB holds them. */
  private savedParked = new Map<string, ImageEntry>();
  private retry?: ReturnType<typeof setTimeout>;
  private failures = 0;
  /** Callers of `whenSaved` waiting for a write that commits. */
  private waiting: (() => void)[] = [];

  constructor(
    private store: PersistStore,
    private files: ImageFiles,
    private openDb: () => Promise<IDBDatabase> = open,
    private retryMs = RETRY_MS,
  ) {}

  private conn() {
    // A failed open is forgotten, so the next write opens again (a rejected promise kept here would
    // fail every later write the same way).
    const opened = (this.db ??= this.openDb().then(
      (d) => {
        const forget = () => {
          if (this.db === opened) this.db = undefined;
        };
        // A newer version of the app, in another window, upgrades the schema: this connection lets it
        // (held open, it blocked that window's open for as long as this one stayed: its batch never came back
        // and nothing it did was saved), and the next write opens again.
        d.onversionchange = () => {
          d.close();
          forget();
        };
        d.onclose = forget;
        return d;
      },
      (e: unknown) => {
        this.db = undefined;
        throw e;
      },
    ));
    return opened;
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
    // the settings and undo history as the page left them, newer than what the last committed write held
    const mj = readMetaJournal();
    // the review band and the classes shown, as the journal holds them (checked as it was read)
    const journaledView: ViewSettings = { ...(mj.reviewBand !== undefined ? { reviewBand: mj.reviewBand } : {}), ...(mj.visible ? { visible: mj.visible } : {}) };
    if (!m) {
      // the page went before its first write committed: only the journal has the settings it was left with
      if (mj.postprocess) this.store.setState({ postprocess: { ...this.store.getState().defaults, ...mj.postprocess } });
      this.store.setState(journaledView);
      return 0;
    }
    const savedPostprocess = { ...this.store.getState().defaults, ...m.postprocess };
    const postprocess = mj.postprocess ? { ...savedPostprocess, ...mj.postprocess } : savedPostprocess;
    const savedView = viewSettings(m as unknown as Record<string, unknown>);
    this.store.setState({ ...savedView, ...journaledView });
    // a cleared session (no image yet) keeps the thresholds it was left with, as the screen kept them
    if (!imgs.values.length) {
      this.store.setState({ postprocess });
      return 0;
    }
    // removed before the page went, in a write that never committed: IndexedDB holds them still (the next
    // write deletes them there), and they are not the batch's
    const removed = readRemoved();
    // the images removed whose removal Undo can still take back, with their places: those committed so, and those
    // removed since the last commit (the journal names them; the committed order still has their place)
    const log = 'undoLog' in mj ? mj.undoLog : m.undoLog;
    const removedAt: Record<string, number> = Object.fromEntries(Object.entries(m.removed ?? {}).filter(([id]) => !m.order.includes(id)));
    for (const id of removed) if (!(id in removedAt) && m.order.includes(id)) removedAt[id] = m.order.indexOf(id);
    const held = new Set(imgs.values.map((im) => im.id));
    blobs.keys.forEach((k, i) => {
      const id = String(k);
      this.savedBlobs.add(id);
      if (!held.has(id)) this.strayBlobs.add(id);
      else if (!removed.has(id) && !(id in removedAt)) this.files.set(id, blobs.values[i]);
    });
    const images: Record<string, ImageEntry> = {};
    const stored: Record<string, ImageEntry> = {};
    const parked: Record<string, ImageEntry> = {};
    const journal = readJournal();
    const removedEntries: Record<string, ImageEntry> = {};
    for (const im of imgs.values) {
      if (removed.has(im.id) || im.id in removedAt) {
        this.saved.set(im.id, im);
        removedEntries[im.id] = im;
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
    // saved without their picture (the storage was full): kept in IndexedDB, out of the batch, and named
    for (const id of [...m.order, ...Object.keys(images)]) if (images[id] && !this.files.get(id) && !parked[id]) parked[id] = images[id];
    const st = this.store.getState();
    const parkedWords = [...PARKED_WORDS, ...EARLIER_PARKED_WORDS];
    for (const im of Object.values(parked)) {
      const why = im.capture ? (im.status === 'done' ? PARKED_LIVE_MESSAGE : PARKED_LIVE_UNCOUNTED_MESSAGE) : im.status === 'done' ? PARKED_MESSAGE : PARKED_UNCOUNTED_MESSAGE;
      const subject = im.path ?? im.name;
      // said otherwise with the batch (an earlier version named a live capture as a file to drop again): said anew
      const stale = (message: string) => message !== why && parkedWords.includes(message);
      st.dismissNotices((n) => n.source === 'file' && n.subject === subject && stale(n.message));
      const { refused } = this.store.getState();
      if (refused.some((r) => r.name === subject && stale(r.error))) this.store.setState({ refused: refused.filter((r) => !(r.name === subject && stale(r.error))) });
      // named once: a notice restored with the batch already says it
      if (!this.store.getState().notices.some((n) => n.source === 'file' && n.subject === subject && n.message === why)) st.addFileError(subject, why);
      st.refuseFile(subject, why);
    }
    // the undo history of the images back in the batch: each image keeps its own Edits in `history`, and this
    // says in which order the steps were made (without it, Undo was off after every reload)
    // a removed image comes back for Undo where its picture did and its removal is still a step of the history
    const steps = restoredLog(log, [...order, ...Object.keys(removedEntries)]);
    const inLog = new Set([...steps.past, ...steps.future].flatMap((st) => ('removed' in st ? [st.removed] : [])));
    const removedImages: AppState['removedImages'] = {};
    blobs.keys.forEach((k, i) => {
      const id = String(k);
      const entry = removedEntries[id];
      if (!entry || !inLog.has(id) || !(id in removedAt)) return;
      this.files.set(id, blobs.values[i]);
      (removedImages as Record<string, { entry: ImageEntry; at: number }>)[id] = { entry: entry.status === 'running' ? { ...entry, status: 'queued' } : entry, at: removedAt[id] };
    });
    // read again over the removed images that did come back: a removal whose picture is gone (or past its
    // time) is no step, and the first read, over every removed entry, still held it
    const undoLog = restoredLog(log, [...order, ...Object.keys(removedImages)]);
    this.store.setState({
      images: Object.fromEntries(order.map((id) => [id, images[id]])),
      order,
      currentId: m.currentId && images[m.currentId] && order.includes(m.currentId) ? m.currentId : (order[0] ?? null),
      postprocess,
      parked,
      undoLog,
      removedImages,
    });
    // a journaled image is not what IndexedDB holds: the next write stores it
    for (const id of order) this.saved.set(id, journal[id] ? stored[id] : images[id]);
    for (const id of Object.keys(parked)) this.savedParked.set(id, journal[id] ? stored[id] : parked[id]);
    // the notices and refused files named for parked images are not yet IndexedDB's; nor are settings and a
    // history from the journal, nor a history cut to the images back (or absent, in a batch saved before it)
    const heldLog = !('undoLog' in mj) && JSON.stringify(undoLog) === JSON.stringify(m.undoLog ?? null) ? undoLog : undefined;
    const shown = this.store.getState();
    const committed = {
      order,
      currentId: m.currentId,
      postprocess: mj.postprocess ? savedPostprocess : postprocess,
      undoLog: heldLog,
      // what IndexedDB holds of them: the restored values, unless the journal's replaced them (or none was saved)
      reviewBand: journaledView.reviewBand === undefined && savedView.reviewBand !== undefined ? shown.reviewBand : savedView.reviewBand,
      visible: !journaledView.visible && savedView.visible ? shown.visible : savedView.visible,
    };
    this.savedMeta = Object.keys(parked).length
      ? committed
      : { ...committed, notices: m.notices ? batchNotices(this.store.getState()) : undefined, refused: m.refused ? this.store.getState().refused : undefined };
    return order.length;
  }

  /** True when the store holds something IndexedDB does not. */
  isDirty(s = this.store.getState()): boolean {
    for (const id of s.order) {
      if (this.saved.get(id) !== s.images[id]) return true;
      if (!this.savedBlobs.has(id) && this.files.get(id)) return true;
    }
    for (const id of this.saved.keys()) if (!s.images[id] && !s.removedImages[id]) return true;
    for (const [id, r] of Object.entries(s.removedImages)) if (!s.images[id] && this.saved.has(id) && this.saved.get(id) !== r.entry) return true;
    for (const [id, im] of Object.entries(s.parked)) if (this.savedParked.get(id) !== im) return true;
    for (const id of this.savedParked.keys()) if (!s.parked[id] && !s.images[id]) return true;
    return metaChanged(this.savedMeta, s);
  }

  /** Starts writing changes as they happen, and on page hide/unload. */
  start() {
    this.unsubscribe = this.store.subscribe((s, p) => {
      // The batch has just settled: nothing is left to gather into the write, and "Ready" waits for it.
      if (s.images !== p.images && batchJustSettled(s, p) && this.isDirty()) return this.flushSoon();
      if (s.images === p.images && s.order === p.order && s.currentId === p.currentId && s.postprocess === p.postprocess && s.undoLog === p.undoLog && s.reviewBand === p.reviewBand && s.visible === p.visible && sameList(batchNotices(p), batchNotices(s))) return;
      this.schedule();
    });
    if (typeof window !== 'undefined' && !this.listening) {
      this.listening = true;
      whenPageGoes(() => {
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
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** After a failed write: tried again by itself, sooner at first (a hiccup), then once a minute. */
  private retryLater() {
    clearTimeout(this.retry);
    const delay = Math.min(this.retryMs * 2 ** this.failures, RETRY_MAX_MS);
    this.failures++;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.flush();
    }, delay);
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
    // the settings and the undo history, where the last commit did not hold them as they are now
    const m = this.savedMeta;
    const meta: MetaJournal = {
      ...(m?.postprocess !== s.postprocess ? { postprocess: s.postprocess } : {}),
      ...(m?.undoLog !== s.undoLog ? { undoLog: s.undoLog } : {}),
      ...(m?.reviewBand !== s.reviewBand ? { reviewBand: s.reviewBand } : {}),
      ...(m?.visible !== s.visible ? { visible: s.visible } : {}),
    };
    try {
      if (Object.keys(meta).length) localStorage.setItem(META_JOURNAL_KEY, JSON.stringify(meta));
      else localStorage.removeItem(META_JOURNAL_KEY);
    } catch {
      /* quota or no storage: the IndexedDB write is still tried */
    }
    if (Object.keys(meta).length) this.journalSeq++;
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

  /** Resolves once a write has committed the batch as it is now, pictures included: this one, or when it fails
   * the first later one that commits (a retry, the next change); never while every write fails. What waits
   * for the batch to be safe (the intake journal's names) waits for this, not for `flush`. */
  whenSaved(): Promise<void> {
    // `failures` is 0 after a write that committed: this one, or a later one that held all this one did
    return this.flush().then(() => (this.failures ? new Promise<void>((r) => this.waiting.push(r)) : undefined));
  }

  /** Another window takes the batch: writes what this page holds, and nothing after it. Halted only once this
   * write had committed, a write queued behind it meanwhile (a change's timer, a retry) still ran, after the
   * lock had passed: the other window's restore could read it, or its own writes be overwritten by it. */
  flushAndHalt(): Promise<void> {
    const last = this.flush(true);
    this.halt();
    return last;
  }

  /** Writes everything not yet committed; resolves once it is (or once the failure is reported). `last`: the
   * handing-over write (flushAndHalt), which runs although the page is halted by the time it starts. */
  flush(last = false): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(async () => {
      if (this.halted && !last) return;
      try {
        const seq = this.journalSeq;
        await this.write(); // reads the store before its first await: the state as of `seq`
        // IndexedDB now holds everything the journal had, unless the journal was written during the write
        if (seq === this.journalSeq) dropJournal();
        this.failures = 0;
        clearTimeout(this.retry);
        this.retry = undefined;
        for (const w of this.waiting.splice(0)) w();
        const st = this.store.getState();
        if (this.isDirty()) this.schedule();
        else if (st.save.pending || st.save.error) {
          if (st.save.error) st.dismissNotices((n) => n.source === 'save');
          deferRender(() => st.setSave({ pending: false, error: null, unsaved: [] }));
        }
      } catch (e) {
        const s = this.store.getState();
        // what the IndexedDB write could not keep, a reload keeps through the journal (localStorage)
        this.journal();
        this.retryLater();
        const tried = 'saving is tried again by itself, and at the next change';
        const names = (list: string[]) => ` (${list.slice(0, 3).map(isolateName).join(', ')}${list.length > 3 ? ', …' : ''})`;
        let unsaved: string[];
        let error: string;
        if (e instanceof PicturesNotSaved) {
          // the review was saved: only the pictures are at stake, and a reload says which to drop again
          const lost = e.ids.filter((id) => s.images[id]);
          unsaved = lost.map((id) => s.images[id].name);
          const n = `${unsaved.length} image${unsaved.length === 1 ? '' : 's'}${unsaved.length ? names(unsaved) : ''}`;
          const live = lost.filter((id) => s.images[id].capture).length;
          const full = isQuotaError(e.cause) ? 'the storage this browser gives the app on this device is full' : `this browser refused it (${e.name}: ${e.message})`;
          error = `The picture of ${n} was not saved: ${full}. Their counts and review are saved; after a reload each is named as not in the batch, and comes back whole when its file is dropped again.${
            live ? ` ${live === 1 ? 'One is a field' : `${live} are fields`} captured live, with no other copy: keep this tab open until it is saved.` : ''
          } Remove images you no longer need from the batch, or free space on the device; ${tried}.`;
        } else {
          unsaved = s.order.filter((id) => this.saved.get(id) !== s.images[id] || !this.savedBlobs.has(id)).map((id) => s.images[id].name);
          const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          const lose = `A reload would lose ${unsaved.length} image${unsaved.length === 1 ? '' : 's'}${unsaved.length ? names(unsaved) : ''}`;
          // a full quota is the common failure (a phone short of space, a day's batches): said as such, with what
          // frees room; the browser's words ("QuotaExceededError: …") told a technician nothing
          error =
            e instanceof Error && e.name === 'VersionError'
              ? `A newer version of Smearcount, opened in another window, keeps the batch now, and this older window cannot save it. ${lose}: reload this window (it then runs the newer version and restores the saved batch), or export the counts first.`
              : isQuotaError(e)
            ? `The batch was not saved: the storage this browser gives the app on this device is full. ${lose}. Export the counts and the report now; then remove images you no longer need from the batch, or free space on the device; ${tried}.`
            : `This browser did not save the batch (${why}). ${lose}; export the counts before closing the tab; ${tried}.`;
        }
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
    // 1. The review: every image's entry (counts, types, edits, marks), the removals and the batch's meta, in
    //    one transaction of a few KB an image.
    const tx = db.transaction(['images', 'blobs', 'meta'], 'readwrite');
    const images = tx.objectStore('images');
    const blobs = tx.objectStore('blobs');
    const putImages: [string, ImageEntry][] = [];
    const removed: string[] = [];
    for (const id of s.order) {
      const im = s.images[id];
      if (this.saved.get(id) !== im) {
        images.put(im, id);
        putImages.push([id, im]);
      }
    }
    // a removed image waits for Undo with its last entry and its picture (an edit just before Remove image included);
    // one back in the batch under the same id (the same bytes: a still field captured again, a file dropped again)
    // is the batch's, and Undo of its removal has nothing to bring back
    for (const [id, r] of Object.entries(s.removedImages)) {
      if (s.images[id] || !this.saved.has(id) || this.saved.get(id) === r.entry) continue;
      images.put(r.entry, id);
      putImages.push([id, r.entry]);
    }
    const putParked: [string, ImageEntry][] = [];
    for (const [id, im] of Object.entries(s.parked)) {
      if (this.savedParked.get(id) === im) continue;
      images.put(im, id);
      putParked.push([id, im]);
    }
    const unparked = [...this.savedParked.keys()].filter((id) => !s.parked[id]);
    for (const id of [...this.saved.keys(), ...unparked]) {
      if (!s.images[id] && !s.parked[id] && !s.removedImages[id]) {
        images.delete(id);
        blobs.delete(id);
        removed.push(id);
      }
    }
    const strays = [...this.strayBlobs];
    for (const id of strays) if (!s.images[id] && !s.parked[id]) blobs.delete(id);
    const notices = batchNotices(s);
    // only those IndexedDB holds (one removed before its first write has nothing there to bring back)
    const kept = Object.entries(s.removedImages).filter(([id]) => !s.images[id] && this.saved.has(id));
    const removedAt = Object.fromEntries(kept.map(([id, r]) => [id, r.at]));
    const meta = { order: s.order, currentId: s.currentId, postprocess: s.postprocess, notices, refused: s.refused, undoLog: s.undoLog, removed: removedAt, reviewBand: s.reviewBand, visible: s.visible };
    const changed = metaChanged(this.savedMeta, s);
    if (changed) tx.objectStore('meta').put({ ...meta, notices: notices.map(({ key: _, ...n }) => n) }, 'state');
    await done(tx);
    // Committed: only now do these count as saved.
    for (const [id, im] of putImages) this.saved.set(id, im);
    for (const [id, im] of putParked) this.savedParked.set(id, im);
    for (const id of unparked) this.savedParked.delete(id);
    for (const id of removed) {
      this.saved.delete(id);
      this.savedBlobs.delete(id);
    }
    for (const id of strays) {
      this.strayBlobs.delete(id);
      if (!s.images[id] && !s.parked[id]) this.savedBlobs.delete(id);
    }
    if (changed) this.savedMeta = meta;
    // 2. Each picture not stored yet, in a transaction of its own: one over the quota fails alone, and the
    //    review above is saved whatever becomes of it.
    const failed: string[] = [];
    let cause: unknown;
    for (const id of s.order) {
      if (this.savedBlobs.has(id) || !this.store.getState().images[id]) continue;
      const b = this.files.get(id);
      if (!b) continue;
      try {
        const t = db.transaction('blobs', 'readwrite');
        t.objectStore('blobs').put(b, id);
        await done(t);
        this.savedBlobs.add(id);
        // removed while it was written: its entry's deletion (the next write) takes the picture with it
      } catch (e) {
        failed.push(id);
        cause ??= e;
      }
    }
    if (failed.length) throw new PicturesNotSaved(failed, cause);
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
    this.savedParked.clear();
    this.strayBlobs.clear();
    this.failures = 0;
    for (const w of this.waiting.splice(0)) w();
    this.savedMeta = undefined;
    this.store.setState({ parked: {} });
    this.store.getState().setSave({ pending: false, error: null, unsaved: [] });
    this.start();
  }
}
