/**
 * The batch survives a reload or a crashed tab: images (as their original bytes), raw detections,
 * edits, review state and thresholds live in IndexedDB. Writes are incremental (only entries whose
 * object identity changed since the last write) and debounced, so a 200-image batch never
 * serialises the whole store at once.
 */
import type { AppState } from '../store/store';
import type { ImageEntry } from '../store/types';
import { imageFiles } from './files';

const DB = 'smearcount';
const VERSION = 1;

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
    tx.onerror = tx.onabort = () => reject(tx.error);
  });

const getAll = <T>(store: IDBObjectStore) =>
  new Promise<{ keys: IDBValidKey[]; values: T[] }>((resolve, reject) => {
    const k = store.getAllKeys();
    const v = store.getAll();
    v.onsuccess = () => resolve({ keys: k.result, values: v.result as T[] });
    v.onerror = () => reject(v.error);
  });

type Meta = Pick<AppState, 'order' | 'currentId' | 'postprocess'>;
type Store = { getState(): AppState; setState(p: Partial<AppState>): void; subscribe(f: (s: AppState, p: AppState) => void): () => void };

export class Persistence {
  private db?: Promise<IDBDatabase>;
  private saved = new Map<string, ImageEntry>();
  private savedBlobs = new Set<string>();
  private savedMeta?: Meta;
  private timer?: ReturnType<typeof setTimeout>;
  private writing = Promise.resolve();

  constructor(private store: Store) {}

  private conn() {
    return (this.db ??= open());
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
    if (!m || !imgs.values.length) return 0;
    blobs.keys.forEach((k, i) => {
      imageFiles.set(String(k), blobs.values[i]);
      this.savedBlobs.add(String(k));
    });
    const images: Record<string, ImageEntry> = {};
    for (const im of imgs.values) {
      // An image cut off mid-detection by the crash runs again.
      images[im.id] = im.status === 'running' ? { ...im, status: 'queued' } : im;
    }
    const order = m.order.filter((id) => images[id] && imageFiles.get(id));
    this.store.setState({ images, order, currentId: m.currentId && images[m.currentId] ? m.currentId : (order[0] ?? null), postprocess: m.postprocess });
    for (const id of order) this.saved.set(id, images[id]);
    this.savedMeta = { order, currentId: m.currentId, postprocess: m.postprocess };
    return order.length;
  }

  /** Starts writing changes as they happen. */
  start() {
    this.store.subscribe(() => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.flush(), 300);
    });
  }

  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write()).catch((e) => console.warn('could not save the batch', e));
    return this.writing;
  }

  private async write() {
    const s = this.store.getState();
    const db = await this.conn();
    const tx = db.transaction(['images', 'blobs', 'meta'], 'readwrite');
    const images = tx.objectStore('images');
    const blobs = tx.objectStore('blobs');
    for (const id of s.order) {
      const im = s.images[id];
      if (this.saved.get(id) !== im) {
        images.put(im, id);
        this.saved.set(id, im);
      }
      if (!this.savedBlobs.has(id)) {
        const b = imageFiles.get(id);
        if (b) {
          blobs.put(b, id);
          this.savedBlobs.add(id);
        }
      }
    }
    for (const id of [...this.saved.keys()]) {
      if (!s.images[id]) {
        images.delete(id);
        blobs.delete(id);
        this.saved.delete(id);
        this.savedBlobs.delete(id);
      }
    }
    const m = this.savedMeta;
    if (!m || m.order !== s.order || m.currentId !== s.currentId || m.postprocess !== s.postprocess) {
      tx.objectStore('meta').put({ order: s.order, currentId: s.currentId, postprocess: s.postprocess }, 'state');
      this.savedMeta = { order: s.order, currentId: s.currentId, postprocess: s.postprocess };
    }
    await done(tx);
  }

  async clear() {
    clearTimeout(this.timer);
    await this.writing;
    const db = await this.conn();
    const tx = db.transaction(['images', 'blobs', 'meta'], 'readwrite');
    for (const n of ['images', 'blobs', 'meta']) tx.objectStore(n).clear();
    await done(tx);
    this.saved.clear();
    this.savedBlobs.clear();
    this.savedMeta = undefined;
  }
}
