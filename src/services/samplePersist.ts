/**
 * The sample record and its audit trail survive a reload like the batch does (IndexedDB, written within
 * 200 ms of a change and on page hide or hidden), in a database of their own so the batch's schema is
 * untouched. The record itself (a few short fields) is also written synchronously to localStorage on
 * every change: an IndexedDB write started in `pagehide` is not sure to commit before the page goes, and
 * a sample ID typed just before a reload must not be lost.
 * Clearing the session empties the record, and the empty record is what gets written. The lab's settings
 * (the differential's target and basis, the reference intervals, the smear estimates' factors, the lab's name on the report) are kept beside it and survive the
 * clearing: they belong to the lab, not to the sample.
 */
import { parseIntervals, parseRules, type DiffRules, type ReferenceIntervals } from '../core/differential/rules';
import { restoredFactor } from '../core/counts/estimate';
import type { AuditEntry } from '../core/edits/audit';
import { EMPTY_SAMPLE, type SampleRecord } from '../store/sampleSlice';
import type { AppState, AppStore } from '../store/store';
import { KeyedDb, isQuotaError, whenPageGoes } from './idb';

const DB = 'smearcount-sample';
const STORE = 'sample';
const KEY = 'current';
/** localStorage key of the record's synchronous copy. */
export const SAMPLE_RECORD_KEY = 'smearcount-sample-record';
/** localStorage key of the audit trail as it was when the page was hidden, while it differs from what
 * IndexedDB committed: a removal or an edit made just before a reload kept its effect (the batch's journal,
 * services/persist) but lost its audit entry. Never older than IndexedDB's: dropped by the first commit after it. */
export const AUDIT_JOURNAL_KEY = 'smearcount-audit-journal';
/** localStorage key of the lab's settings, written when a write of them to IndexedDB fails (the storage full):
 * a restore prefers it, and the first commit after it drops it. */
export const LAB_JOURNAL_KEY = 'smearcount-lab-journal';
/** The first retry after a failed write; each failure in a row doubles it, up to a minute. */
const RETRY_MS = 5000;
const isSampleFailure = (message: string) => message.startsWith('The sample record');

type SyncStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The lab's settings kept with the sample record: every printed page and a release rest on them. */
type LabSettings = { diffRules: DiffRules; reference: ReferenceIntervals; labName?: string; estimateFactors?: AppState['estimateFactors'] };

interface Stored {
  sample: SampleRecord;
  audit: AuditEntry[];
  lab?: LabSettings;
}

export class SamplePersistence {
  private db: KeyedDb;
  private timer?: ReturnType<typeof setTimeout>;
  private writing: Promise<void> = Promise.resolve();
  /** The audit trail as of the last committed write (identity: the store replaces it on each change). */
  private committedAudit?: AuditEntry[];
  /** The lab's settings as IndexedDB last committed them (undefined: unknown, so page hide journals them). */
  private committedLab?: LabSettings;
  /** The restore applied lab settings from the journal, which IndexedDB does not hold yet. */
  private labFromJournal = false;
  /** Bumped at each journal write: a committed write drops the journal only if it began after it. */
  private journalSeq = 0;
  /** Set once another window owns the batch (windowLock.ts): nothing more is written from this page. */
  private halted = false;
  private retry?: ReturnType<typeof setTimeout>;
  private failures = 0;

  constructor(
    private store: AppStore,
    private storage: SyncStorage | null = typeof localStorage === 'undefined' ? null : localStorage,
    open?: (name: string, store: string) => Promise<IDBDatabase>,
    private retryMs = RETRY_MS,
  ) {
    this.db = new KeyedDb(DB, STORE, open);
  }

  /** The record's synchronous copy, when there is one that reads. */
  private syncCopy(): SampleRecord | null {
    try {
      const t = this.storage?.getItem(SAMPLE_RECORD_KEY);
      const v = t ? (JSON.parse(t) as Partial<SampleRecord>) : null;
      return v && typeof v === 'object' ? { ...EMPTY_SAMPLE, ...v } : null;
    } catch {
      return null;
    }
  }

  async restore(): Promise<void> {
    // the synchronous copy is never older than IndexedDB's: it is written first, on every change
    const copy = this.syncCopy();
    if (copy) this.store.setState({ sample: copy });
    // what a failed write journaled is applied even where IndexedDB cannot be read now
    let v: Stored | undefined;
    let failed: unknown;
    try {
      v = await this.db.get<Stored>(KEY);
    } catch (e) {
      failed = e;
    }
    const stored = Array.isArray(v?.audit) ? v.audit : [];
    const journaled = this.auditJournal();
    if (v?.sample) this.store.setState({ sample: copy ?? { ...EMPTY_SAMPLE, ...v.sample }, audit: journaled ?? stored });
    else if (journaled) this.store.setState({ audit: journaled });
    if (!failed) this.committedAudit = stored;
    const journaledLab = this.labJournal();
    const lab = journaledLab ?? v?.lab;
    if (lab) {
      this.store.setState({ diffRules: parseRules(lab.diffRules), ...(typeof lab.labName === 'string' ? { labName: lab.labName.slice(0, 200) } : {}) });
      // the factors a released report's estimates rest on (and its revision): lost, the report said "Released"
      // after a reload with its estimates gone
      // each with the checks a typed factor gets: one that fails them is not used, and the technician is told
      // which, and why (an estimate off without a word reads as one never set)
      const f = lab.estimateFactors as Record<string, unknown> | undefined;
      if (f && typeof f === 'object') {
        const factor = (cls: 'WBC' | 'Platelets') => {
          const r = restoredFactor(f[cls]);
          if ('factor' in r) return r.factor;
          this.store.getState().notify({
            kind: 'warning',
            source: 'batch',
            subject: '',
            message: `The ${cls === 'WBC' ? 'WBC' : 'platelet'} smear estimate's factor saved with the lab's settings was not used: ${r.error}. The estimate is off until a factor is typed in the counts panel.`,
          });
          return null;
        };
        this.store.setState({ estimateFactors: { WBC: factor('WBC'), Platelets: factor('Platelets') } });
      }
      try {
        this.store.setState({ reference: parseIntervals(lab.reference) });
      } catch {
        // a stored table this version cannot read: the defaults stay
      }
    }
    if (!failed && !journaledLab) this.committedLab = this.labOf(this.store.getState());
    this.labFromJournal = !!journaledLab;
    if (failed) throw failed;
  }

  private labOf(s: Pick<AppState, 'diffRules' | 'reference' | 'labName' | 'estimateFactors'>): LabSettings {
    return { diffRules: s.diffRules, reference: s.reference, labName: s.labName, estimateFactors: s.estimateFactors };
  }

  private labJournal(): Stored['lab'] | null {
    try {
      const v: unknown = JSON.parse(this.storage?.getItem(LAB_JOURNAL_KEY) ?? 'null');
      return v && typeof v === 'object' ? (v as Stored['lab']) : null;
    } catch {
      return null;
    }
  }

  start() {
    this.store.subscribe((s, p) => {
      if (s.sample !== p.sample) this.writeSync(s.sample);
      if (s.sample === p.sample && s.audit === p.audit && s.diffRules === p.diffRules && s.reference === p.reference && s.labName === p.labName && s.estimateFactors === p.estimateFactors) return;
      if (this.timer === undefined) this.timer = setTimeout(() => void this.flush(), 200);
    });
    if (typeof window !== 'undefined') {
      whenPageGoes(() => {
        this.journal();
        void this.flush();
      });
    }
    // a trail restored from the journal is not yet IndexedDB's
    if (((this.committedAudit && this.store.getState().audit !== this.committedAudit) || this.labFromJournal) && this.timer === undefined) this.timer = setTimeout(() => void this.flush(), 200);
  }

  /** Another window owns the batch now: no more writes from this page (flush first to hand over). */
  halt() {
    this.halted = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  private auditJournal(): AuditEntry[] | null {
    try {
      const v: unknown = JSON.parse(this.storage?.getItem(AUDIT_JOURNAL_KEY) ?? 'null');
      return Array.isArray(v) ? (v as AuditEntry[]) : null;
    } catch {
      return null;
    }
  }

  /** Writes the audit trail to localStorage, synchronously, when it differs from what IndexedDB committed:
   * an IndexedDB write started as the page goes may not commit. */
  journal() {
    if (this.halted) return;
    const st = this.store.getState();
    if (st.audit !== this.committedAudit) {
      try {
        this.storage?.setItem(AUDIT_JOURNAL_KEY, JSON.stringify(st.audit));
        this.journalSeq++;
      } catch {
        // storage full or refused: IndexedDB's write is still tried
      }
    }
    // the lab's name heads every printed page, and a release rests on it (and on the factors): renamed, then
    // released, then the page gone before IndexedDB committed, and a reload read "Released" under the old name
    const lab = this.labOf(st);
    const c = this.committedLab;
    if (c && lab.diffRules === c.diffRules && lab.reference === c.reference && lab.labName === c.labName && lab.estimateFactors === c.estimateFactors) return;
    try {
      this.storage?.setItem(LAB_JOURNAL_KEY, JSON.stringify(lab));
      this.journalSeq++;
    } catch {
      // storage full or refused: IndexedDB's write is still tried
    }
  }

  private writeSync(sample: SampleRecord) {
    if (this.halted) return;
    try {
      this.storage?.setItem(SAMPLE_RECORD_KEY, JSON.stringify(sample));
    } catch {
      // storage full or refused: IndexedDB still gets it within 200 ms
    }
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.halted) return this.writing;
    const { sample, audit, diffRules, reference, labName, estimateFactors } = this.store.getState();
    this.writeSync(sample);
    const v: Stored = { sample, audit, lab: { diffRules, reference, labName, estimateFactors } };
    const fail = (e: unknown) =>
      this.store.getState().notify({
        kind: 'error',
        source: 'save',
        subject: '',
        message: isQuotaError(e)
          ? 'The sample record (its release and audit trail) was not saved: the storage this browser gives the app on this device is full. Print or export the report now; then remove images you no longer need from the batch, or free space on the device; saving is tried again by itself, and at the next change.'
          : `The sample record was not saved (${(e as Error).message}); saving is tried again by itself, and at the next change.`,
      });
    const failed = (e: unknown) => {
      // a crash before a write commits keeps the trail and the lab's settings through localStorage
      this.journal();
      try {
        this.storage?.setItem(LAB_JOURNAL_KEY, JSON.stringify(v.lab));
        this.journalSeq++;
      } catch {
        // storage full or refused: the retry is all there is
      }
      clearTimeout(this.retry);
      this.retry = setTimeout(() => void this.flush(), Math.min(this.retryMs * 2 ** this.failures++, 60_000));
      this.store.getState().dismissNotices((n) => n.source === 'save' && isSampleFailure(n.message));
      fail(e);
    };
    const seq = this.journalSeq;
    // started now, not after earlier writes: IndexedDB orders transactions on one store itself
    this.writing = this.db
      .put(KEY, v)
      .then(() => {
        this.committedAudit = audit;
        this.committedLab = v.lab;
        // IndexedDB holds what the journal had, unless it was written during the write
        try {
          if (seq === this.journalSeq) {
            this.storage?.removeItem(AUDIT_JOURNAL_KEY);
            this.storage?.removeItem(LAB_JOURNAL_KEY);
          }
        } catch {
          // storage refused: the journal stays, never older than what IndexedDB holds
        }
        if (this.failures) {
          this.failures = 0;
          clearTimeout(this.retry);
          this.store.getState().dismissNotices((n) => n.source === 'save' && isSampleFailure(n.message));
        }
      })
      .catch(failed);
    return this.writing;
  }
}
