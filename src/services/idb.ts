/** The IndexedDB calls of the services that keep one value under a key in one object store (the
 * microscope profile, the sample record), as promises. The batch (persist.ts) has its own schema. */

/** A write refused for want of room: the DOMException browsers raise at the quota (Firefox's older name too). */
export function isQuotaError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED');
}

/** Opens the database, creating its one object store on first use. */
export function openKeyed(name: string, store: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(store);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function getKeyed<T>(db: IDBDatabase, store: string, key: string): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const r = db.transaction(store).objectStore(store).get(key);
    r.onsuccess = () => resolve(r.result as T | undefined);
    r.onerror = () => reject(r.error);
  });
}

/** Empties the store; resolves once that is committed. */
export function clearKeyed(db: IDBDatabase, store: string): Promise<void> {
  const tx = db.transaction(store, 'readwrite');
  tx.objectStore(store).clear();
  return new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

/** Resolves once the write is committed. */
export function putKeyed(db: IDBDatabase, store: string, key: string, value: unknown): Promise<void> {
  const tx = db.transaction(store, 'readwrite');
  tx.objectStore(store).put(value, key);
  return new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

/**
 * One keyed database, opened on first use and opened again after a failure or a close: a failed open is
 * not kept for the page's life (a blocked upgrade, a storage hiccup, or the browser closing the
 * connection). The profile and the sample record both go through it.
 */
export class KeyedDb {
  private db?: Promise<IDBDatabase>;
  /** The open connection, once there is one: a write on page hide must start synchronously. */
  handle?: IDBDatabase;

  constructor(
    private name: string,
    private store: string,
    private open: (name: string, store: string) => Promise<IDBDatabase> = openKeyed,
  ) {}

  conn(): Promise<IDBDatabase> {
    return (this.db ??= this.open(this.name, this.store).then(
      (d) => {
        this.handle = d;
        const forget = () => {
          if (this.handle === d) {
            this.handle = undefined;
            this.db = undefined;
          }
        };
        d.onclose = forget;
        // another tab upgrades the schema: let it, and open again on the next call
        d.onversionchange = () => {
          d.close();
          forget();
        };
        return d;
      },
      (e: unknown) => {
        this.db = undefined;
        throw e;
      },
    ));
  }

  async get<T>(key: string): Promise<T | undefined> {
    return getKeyed<T>(await this.conn(), this.store, key);
  }

  /** Starts the write at once on an open connection (page hide), else after opening; resolves on commit. */
  put(key: string, value: unknown): Promise<void> {
    if (this.handle) {
      try {
        return putKeyed(this.handle, this.store, key, value);
      } catch {
        // a connection closed under us: open again below
        this.handle = undefined;
        this.db = undefined;
      }
    }
    return this.conn().then((db) => putKeyed(db, this.store, key, value));
  }

  async clear(): Promise<void> {
    return clearKeyed(await this.conn(), this.store);
  }
}

/** Runs `f` when the page is hidden or unloaded: the last moment a write of this page's work can start. */
export function whenPageGoes(f: () => void) {
  window.addEventListener('pagehide', f);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') f();
  });
}
