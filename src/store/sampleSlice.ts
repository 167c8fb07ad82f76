import type { StateCreator } from 'zustand';
import type { AuditEntry } from '../core/edits/audit';
import { ADULT_REFERENCE, DEFAULT_RULES, type DiffRules, type ReferenceIntervals } from '../core/differential/rules';
import type { AppState } from './store';

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
  /** Set when the report is released: who verified it, and when (ISO). */
  verifiedBy: string;
  verifiedAt: string | null;
}

export const EMPTY_SAMPLE: SampleRecord = Object.freeze({ id: '', operator: '', patient: '', ward: '', collectedAt: '', receivedAt: '', notes: '', wbcCount: null, verifiedBy: '', verifiedAt: null });

export interface SampleSlice {
  sample: SampleRecord;
  setSample(patch: Partial<SampleRecord>): void;
  /** Every edit of this sample: what changed, from what to what, when. */
  audit: AuditEntry[];
  logAudit(entries: AuditEntry[]): void;
  /** Cleared with the session: the sample record and its audit trail. */
  clearSample(): void;
  /** Lab settings (kept across samples): the differential's rules and reference intervals. */
  diffRules: DiffRules;
  setDiffRules(patch: Partial<DiffRules>): void;
  reference: ReferenceIntervals;
  setReference(r: ReferenceIntervals): void;
}

const AUDIT_LIMIT = 20_000;

export const createSampleSlice: StateCreator<AppState, [], [], SampleSlice> = (set) => ({
  sample: EMPTY_SAMPLE,
  setSample(patch) {
    set((s) => {
      const next = { ...s.sample, ...patch };
      if (patch.wbcCount !== undefined) next.wbcCount = patch.wbcCount !== null && Number.isFinite(patch.wbcCount) && patch.wbcCount > 0 ? patch.wbcCount : null;
      // an edit to the record after release withdraws the release: it has to be verified again
      if (!('verifiedAt' in patch) && s.sample.verifiedAt) next.verifiedAt = null;
      return { sample: next };
    });
  },
  audit: [],
  logAudit(entries) {
    if (entries.length) set((s) => ({ audit: [...s.audit, ...entries].slice(-AUDIT_LIMIT) }));
  },
  clearSample() {
    set({ sample: EMPTY_SAMPLE, audit: [] });
  },
  diffRules: DEFAULT_RULES,
  setDiffRules(patch) {
    set((s) => ({ diffRules: { ...s.diffRules, ...patch } }));
  },
  reference: ADULT_REFERENCE,
  setReference(reference) {
    set({ reference });
  },
});
