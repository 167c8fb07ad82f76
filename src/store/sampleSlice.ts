import type { StateCreator } from 'zustand';
import type { AuditEntry } from '../core/edits/audit';
import { ADULT_REFERENCE, DEFAULT_RULES, type DiffRules, type ReferenceIntervals } from '../core/differential/rules';
import type { AppState } from './store';
import { RELEASE_SCHEME, releaseRevision } from './release';
import { scaleUsed, selectAdaptationLine } from './report';
import type { ModelsInUse } from './modelSlice';

/** One batch is one sample. Everything here is cleared with the session and never carried over. */
export interface SampleRecord {
  id: string;
  operator: string;
  /** Optional, as the lab's request form gives them: printed on the report when entered. */
  patient: string;
  ward: string;
  /** datetime-local text, as entered */
  collectedAt: string;
  receivedAt: string;
  notes: string;
  /** The analyser's WBC count, ×10⁹/L (absolute counts on the report); null: not entered. */
  wbcCount: number | null;
  /** The analyser's WBC count is already corrected for NRBC (an analyser that counts them apart): absolute counts
   * use it as entered. Otherwise they use it corrected by the NRBC the differential counted (core/differential
   * wbcBasis). Absent in records saved before it: false. */
  wbcNrbcCorrected?: boolean;
  /** Set when the report is released: who verified it, and when (ISO). */
  verifiedBy: string;
  verifiedAt: string | null;
  /** The revision of the batch the release rests on (store/release); '' when not released. */
  releasedRevision: string;
  /** What that revision covers (store/release RELEASE_SCHEME); absent in records saved before it: 1. */
  releasedScheme?: number;
  /** The report's line on the microscope profile's adaptation when released ('' for none), which the revision
   * covers: it stands in for the line while the profile is read after a reload (store/release revisionAdaptation).
   * Kept after a withdrawal (the withdrawn revision rests on it); absent in records saved before scheme 4. */
  releasedAdaptation?: string;
  /** The report's magnification line when released, which stands in for it likewise until the profile (whose
   * setting it is) is read (store/release revisionScale); absent in records saved before scheme 5. */
  releasedScale?: string;
  /** The models the release was made with, the classifier's unsure bar among them (store/release modelsChange):
   * a release restored under others is withdrawn and says so; absent in records saved before scheme 5. */
  releasedModels?: ModelsInUse | null;
  /** Why the last release was withdrawn ('' when none was). */
  withdrawn: string;
  /** The revision the withdrawn release rested on: an undo that brings the batch back to it is said
   * (store/release backAtWithdrawnRelease). Absent in records saved before it. */
  withdrawnRevision?: string;
  /** When the withdrawn release was made (ISO; absent in records saved before it). */
  withdrawnReleasedAt?: string;
  /** On a release made after a withdrawal: the release it corrects (its time, revision and why it was
   * withdrawn). A clinician may hold the earlier paper; the new one says it replaces it (LIS: "corrected"). */
  replaces?: { releasedAt: string; revision: string; reason: string } | null;
  /** The technician's reason for a differential on fewer cells than the target (e.g. "leukopenia: 43
   * cells in 40 fields"); printed with it, and without it no H/L flag is printed. */
  shortReason: string;
}

export const EMPTY_SAMPLE: SampleRecord = Object.freeze({ id: '', operator: '', patient: '', ward: '', collectedAt: '', receivedAt: '', notes: '', wbcCount: null, wbcNrbcCorrected: false, verifiedBy: '', verifiedAt: null, releasedRevision: '', withdrawn: '', withdrawnRevision: '', withdrawnReleasedAt: '', replaces: null, shortReason: '' });

export interface SampleSlice {
  sample: SampleRecord;
  setSample(patch: Partial<SampleRecord>): void;
  /** Every edit of this sample: what changed, from what to what, when. */
  audit: AuditEntry[];
  logAudit(entries: AuditEntry[]): void;
  /** Releases the report on the batch as it is now (its revision), with the audit entry. */
  releaseReport(verifiedBy: string): void;
  /** Withdraws the release, saying why in the audit trail. The verifier's name goes with it (a new release is
   * signed again, by whoever verifies the change), unless the name itself is what is being edited. */
  withdrawRelease(reason: string, opts?: { keepVerifier?: boolean }): void;
  /** Cleared with the session: the sample record and its audit trail. */
  clearSample(): void;
  /** Lab settings (kept across samples): the differential's rules and reference intervals. */
  diffRules: DiffRules;
  setDiffRules(patch: Partial<DiffRules>): void;
  reference: ReferenceIntervals;
  setReference(r: ReferenceIntervals): void;
}

export const AUDIT_LIMIT = 20_000;

/** The fields a person enters: each change is an audit entry of its own. The release fields are set by
 * "Verify and print" and the watch, and have entries of their own (`release`). */
const RECORD_FIELDS = ['id', 'operator', 'patient', 'ward', 'collectedAt', 'receivedAt', 'notes', 'wbcCount', 'wbcNrbcCorrected', 'verifiedBy', 'shortReason'] as const;
/** Keystrokes in one field within this long of the first are one change (from before the first to after the last). */
export const SAMPLE_EDIT_MERGE_MS = 30_000;
const recordText = (v: unknown) => (v === null || v === undefined || v === '' ? null : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

/** The audit trail with one entry per changed field of the sample record. Typing goes through setSample a
 * key at a time: the entry of the field's last change grows instead when nothing but withdrawals came
 * after it (a release in between keeps the value it was released with), and it began moments ago. */
function recordEntries(audit: AuditEntry[], was: SampleRecord, next: SampleRecord, keys: readonly (keyof SampleRecord)[], now = new Date()): AuditEntry[] {
  let out = audit;
  for (const k of keys) {
    if (!(RECORD_FIELDS as readonly string[]).includes(k)) continue;
    const from = recordText(was[k]);
    const to = recordText(next[k]);
    if (from === to) continue;
    let i = out.length - 1;
    while (i >= 0 && out[i].field === 'release' && out[i].action === 'withdraw') i--;
    const last = out[i];
    if (last && last.field === 'sample' && last.cell === k && now.getTime() - Date.parse(last.at) < SAMPLE_EDIT_MERGE_MS) {
      // the entry keeps the time the change began (the trail stays in time order); typed back to what it
      // was, it goes, unless a withdrawal it caused follows it
      const undone = last.from === to && i === out.length - 1;
      out = undone ? out.slice(0, i) : [...out.slice(0, i), { ...last, to }, ...out.slice(i + 1)];
    } else out = [...out, { at: now.toISOString(), image: '', action: 'sample', cell: k, field: 'sample', from, to }];
  }
  return out.slice(-AUDIT_LIMIT);
}

/** from and to are the report's state before and after, as for every other field. */
const releaseEntry = (action: 'release' | 'withdraw', from: string, to: string): AuditEntry => ({ at: new Date().toISOString(), image: '', action, cell: '', field: 'release', from, to });

export const createSampleSlice: StateCreator<AppState, [], [], SampleSlice> = (set, get) => ({
  sample: EMPTY_SAMPLE,
  setSample(patch) {
    const was = get().sample;
    const next = { ...was, ...patch };
    if (patch.wbcCount !== undefined) next.wbcCount = patch.wbcCount !== null && Number.isFinite(patch.wbcCount) && patch.wbcCount > 0 ? patch.wbcCount : null;
    const changed = (Object.keys(patch) as (keyof SampleRecord)[]).filter((k) => next[k] !== was[k]);
    if (!changed.length) return;
    // the entry first, in the same update: a withdrawal it causes is logged after it
    set((s) => ({ sample: next, audit: recordEntries(s.audit, was, next, changed) }));
    // an edit to the record after release withdraws the release: it has to be verified again
    // (typing in "Verified by" keeps what is typed)
    if (was.verifiedAt && !('verifiedAt' in patch)) get().withdrawRelease(`sample record changed (${changed.join(', ')})`, { keepVerifier: changed.includes('verifiedBy') });
  },
  audit: [],
  logAudit(entries) {
    if (entries.length) set((s) => ({ audit: [...s.audit, ...entries].slice(-AUDIT_LIMIT) }));
  },
  releaseReport(verifiedBy) {
    const s = get();
    if (!s.sample.id.trim()) return;
    // the lines the report prints now: while the microscope profile is still read after a reload, the revision's
    // stand-ins are the last release's (kept after its withdrawal), and a release made then recorded those, to be
    // withdrawn as the profile was read, with a reason naming a change nobody made
    const releasedAdaptation = selectAdaptationLine(s) ?? '';
    const releasedScale = scaleUsed(s).words;
    const revision = releaseRevision({ ...s, sample: { ...s.sample, releasedAdaptation, releasedScale } });
    // released again after a withdrawal: a correction of that release, which it names
    const replaces = s.sample.withdrawn ? { releasedAt: s.sample.withdrawnReleasedAt ?? '', revision: s.sample.withdrawnRevision ?? '', reason: s.sample.withdrawn } : null;
    set({ sample: { ...s.sample, verifiedBy, verifiedAt: new Date().toISOString(), releasedRevision: revision, releasedScheme: RELEASE_SCHEME, releasedAdaptation, releasedScale, releasedModels: s.models, withdrawn: '', withdrawnRevision: '', withdrawnReleasedAt: '', replaces } });
    // the revision signed, as the report prints it: the trail alone tells which figures each release rested on
    get().logAudit([releaseEntry('release', 'not released', `released by ${verifiedBy || '(no name)'} · revision ${revision}${replaces?.revision ? ` · corrects revision ${replaces.revision}` : ''}`)]);
    // a withdrawal said earlier is settled by this release
    get().dismissNotices((n) => n.source === 'release');
  },
  withdrawRelease(reason, opts) {
    const s = get();
    if (!s.sample.verifiedAt) return;
    // the name stayed in "Verified by", so one click released the corrected report in the name of whoever signed
    // the first, who may never have seen the change: it is typed again (the trail keeps who signed what)
    const verifiedBy = opts?.keepVerifier ? s.sample.verifiedBy : '';
    set({ sample: { ...s.sample, verifiedBy, verifiedAt: null, releasedRevision: '', withdrawn: reason, withdrawnRevision: s.sample.releasedRevision, withdrawnReleasedAt: s.sample.verifiedAt } });
    get().logAudit([releaseEntry('withdraw', `released by ${s.sample.verifiedBy || '(no name)'} at ${s.sample.verifiedAt} · revision ${s.sample.releasedRevision}`, `withdrawn: ${reason}`)]);
    // said where the technician is working, not only in the report preview
    get().notify({ kind: 'warning', source: 'release', subject: s.sample.id, message: `The released report was withdrawn (${reason}): verify and print it again.` });
  },
  clearSample() {
    set({ sample: EMPTY_SAMPLE, audit: [] });
  },
  diffRules: DEFAULT_RULES,
  setDiffRules(patch) {
    get().noteSetting(() => get().setDiffRules(patch));
    set((s) => ({ diffRules: { ...s.diffRules, ...patch } }));
  },
  reference: ADULT_REFERENCE,
  setReference(reference) {
    get().noteSetting(() => get().setReference(reference));
    set({ reference });
  },
});
