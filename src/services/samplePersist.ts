/**
 * The sample record and its audit trail survive a reload like the batch does (IndexedDB, written within
 * 200 ms of a change and on page hide), in a database of their own so the batch's schema is untouched.
 * Clearing the session empties the record, and the empty record is what gets written. The lab's settings
 * (the differential's target and basis, the reference intervals) are kept beside it and survive the
 * clearing: they belong to the lab, not to the sample.
 */
import { parseIntervals, parseRules, type DiffRules, type ReferenceIntervals } from '../core/differential/rules';
import type { AuditEntry } from '../core/edits/audit';
import { EMPTY_SAMPLE, type SampleRecord } from '../store/sampleSlice';
import type { AppStore } from '../store/store';
import { getKeyed, openKeyed, putKeyed } from './idb';

const DB = 'smearcount-sample';
const STORE = 'sample';
const KEY = 'current';

interface Stored {
  sample: SampleRecord;
  audit: AuditEntry[];
  lab?: { diffRules: DiffRules; reference: ReferenceIntervals };
}

export class SamplePersistence {
  private db?: Promise<IDBDatabase>;
  private timer?: ReturnType<typeof setTimeout>;
  private writing: Promise<void> = Promise.resolve();

  constructor(private store: AppStore) {}

  /** The open connection, once there is one: a write on page hide must start synchronously. */
  private handle?: IDBDatabase;

  private conn() {
    return (this.db ??= openKeyed(DB, STORE).then((d) => (this.handle = d)));
  }

  async restore(): Promise<void> {
    const db = await this.conn();
    const v = await getKeyed<Stored>(db, STORE, KEY);
    if (v?.sample) this.store.setState({ sample: { ...EMPTY_SAMPLE, ...v.sample }, audit: Array.isArray(v.audit) ? v.audit : [] });
    if (v?.lab) {
      this.store.setState({ diffRules: parseRules(v.lab.diffRules) });
      try {
        this.store.setState({ reference: parseIntervals(v.lab.reference) });
      } catch {
        // a stored table this version cannot read: the defaults stay
      }
    }
  }

  start() {
    this.store.subscribe((s, p) => {
      if (s.sample === p.sample && s.audit === p.audit && s.diffRules === p.diffRules && s.reference === p.reference) return;
      if (this.timer === undefined) this.timer = setTimeout(() => void this.flush(), 200);
    });
    if (typeof window !== 'undefined') window.addEventListener('pagehide', () => void this.flush());
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { sample, audit, diffRules, reference } = this.store.getState();
    const v: Stored = { sample, audit, lab: { diffRules, reference } };
    const fail = (e: unknown) =>
      this.store.getState().notify({ kind: 'error', source: 'save', subject: '', message: `The sample record was not saved (${(e as Error).message}).` });
    // started now, not after earlier writes: IndexedDB orders transactions on one store itself
    this.writing = this.handle ? putKeyed(this.handle, STORE, KEY, v).catch(fail) : this.conn().then((db) => putKeyed(db, STORE, KEY, v)).catch(fail);
    return this.writing;
  }
}
