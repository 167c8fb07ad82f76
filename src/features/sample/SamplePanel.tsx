import { useId, useState } from 'react';
import { useApp, useServices } from '../../services/context';
import { correctedText, wbcBasis } from '../../core/differential/rules';
import { selectDifferentialState } from '../../store/selectors';
import { parseWbcCount } from './wbcCount';
import { browserLocale, fixed, plain } from '../../core/formats/numbers';
import { isoLocal, readLocalTime } from '../../core/formats/isoLocal';
import { Section } from '../Section';
import { useHovers } from '../useIsPhone';
import './sample.css';

const isoLocalOffset = (d: Date) => isoLocal(d).slice(19);

/** The sample this batch is: ID (required before the report is released), operator, times, notes, and
 * the analyser's WBC count for absolute counts. Cleared with the session, never pre-filled. */
export function SamplePanel() {
  const sample = useApp((s) => s.sample);
  const set = useApp((s) => s.setSample);
  return (
    <Section title="Sample" className="sample" testId="sample-panel">
      <div className="sample-fields">
        <label>
          Sample ID <input data-testid="sample-id" value={sample.id} onChange={(e) => set({ id: e.target.value })} required aria-required="true" autoComplete="off" />
        </label>
        <label>
          Operator <input data-testid="sample-operator" value={sample.operator} onChange={(e) => set({ operator: e.target.value })} autoComplete="off" />
        </label>
        <label>
          Patient <input data-testid="sample-patient" value={sample.patient} onChange={(e) => set({ patient: e.target.value })} autoComplete="off" placeholder="optional" />
        </label>
        <label>
          Ward <input data-testid="sample-ward" value={sample.ward} onChange={(e) => set({ ward: e.target.value })} autoComplete="off" placeholder="optional" />
        </label>
        <TimeField label="Collected" testId="sample-collected" value={sample.collectedAt} onValue={(v) => set({ collectedAt: v })} />
        <TimeField label="Received" testId="sample-received" value={sample.receivedAt} onValue={(v) => set({ receivedAt: v })} />
        <WbcCountField />
        <WbcCorrection />
        <label className="wide">
          Notes <textarea data-testid="sample-notes" rows={2} value={sample.notes} onChange={(e) => set({ notes: e.target.value })} />
        </label>
      </div>
      {!sample.id.trim() && <p className="hint">Enter the sample ID: the report cannot be released without it.</p>}
    </Section>
  );
}

const WBC_COUNT_USE = 'From the haematology analyser: gives absolute counts on the report';

/** The analyser's WBC count. The field keeps its own text: bound to the stored number, it lost what a number
 * could not hold yet ("0" of "0.8" was no count, so the field emptied, and "0,8" went in as 8). */
function WbcCountField() {
  const stored = useApp((s) => s.sample.wbcCount);
  const set = useApp((s) => s.setSample);
  // as the report prints it ("6,4" in de-DE), which parseWbcCount reads back (under 1000: never grouped)
  const shown = (v: number | null) => (v === null ? '' : plain(v, browserLocale()));
  const [text, setText] = useState(shown(stored));
  // the record changed elsewhere (restored after a reload, cleared with the session): the field follows it
  const [seen, setSeen] = useState(stored);
  if (stored !== seen) {
    setSeen(stored);
    if (parseWbcCount(text).value !== stored) setText(shown(stored));
  }
  const { error } = parseWbcCount(text);
  const errorId = useId();
  const purposeId = useId();
  const hovers = useHovers();
  return (
    <label title={hovers ? WBC_COUNT_USE : undefined}>
      WBC count (×10⁹/L){' '}
      <input
        type="text"
        inputMode="decimal"
        autoComplete="off"
        data-testid="sample-wbc"
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${purposeId} ${errorId}` : purposeId}
        onChange={(e) => {
          setText(e.target.value);
          const { value } = parseWbcCount(e.target.value);
          setSeen(value);
          set({ wbcCount: value });
        }}
      />
      {/* what the count is for: a title where a mouse hovers; on a touch screen, where no title shows, under the
          field. A description (aria-hidden keeps it out of the field's name, which is the label's text) */}
      <span className={hovers ? 'sr-only' : 'hint'} id={purposeId} aria-hidden data-testid="sample-wbc-use">
        {WBC_COUNT_USE}
      </span>
      {error && (
        <span className="field-error" id={errorId} data-testid="sample-wbc-error">
          {error}
        </span>
      )}
    </label>
  );
}

/** Whether the analyser's count is already corrected for NRBC, and the count the absolute counts rest on: the
 * report corrects the analyser's count by the NRBC the released differential counted (× 100 / (100 + NRBC per
 * 100 WBC)), unless the analyser corrected it itself. */
function WbcCorrection() {
  const { classifier } = useServices();
  const stored = useApp((s) => s.sample.wbcCount);
  const byAnalyser = useApp((s) => s.sample.wbcNrbcCorrected === true);
  const nrbc = useApp((s) => selectDifferentialState(s, classifier?.lowConfidence).released.nrbcPer100);
  const set = useApp((s) => s.setSample);
  const hintId = useId();
  if (!classifier) return null;
  const b = wbcBasis(stored, nrbc, byAnalyser);
  return (
    <div className="wide wbc-correction">
      <label className="check">
        <input type="checkbox" data-testid="sample-wbc-corrected" checked={byAnalyser} aria-describedby={b ? hintId : undefined} onChange={(e) => set({ wbcNrbcCorrected: e.target.checked })} />
        Already corrected for NRBC by the analyser
      </label>
      {b && (
        <span className="hint" id={hintId} data-testid="sample-wbc-basis">
          {b.correction === 'applied'
            ? `Corrected for ${fixed(b.nrbcPer100!, 1, browserLocale())} NRBC per 100 WBC: ${correctedText(b, browserLocale())} ×10⁹/L (${plain(b.analyser, browserLocale())} uncorrected). The report's absolute counts use the corrected count.`
            : b.correction === 'analyser'
              ? `The report's absolute counts use ${plain(b.analyser, browserLocale())} ×10⁹/L as entered, not corrected again.`
              : `No NRBC verified in the differential: the absolute counts use ${plain(b.analyser, browserLocale())} ×10⁹/L as entered.`}
        </span>
      )}
    </div>
  );
}

/** A collection or receipt time. On the days the clocks change, a time typed may be no time at all here (the
 * hour skipped) or two (the hour gone over twice): said under the field, as the report prints it. */
function TimeField({ label, testId, value, onValue }: { label: string; testId: string; value: string; onValue(v: string): void }) {
  const t = readLocalTime(value);
  const noteId = useId();
  const note = t?.skipped
    ? 'No such time on this device\'s clock: the clocks went forward over it. Check the time.'
    : t?.otherOffset
      ? `This time happened twice (the clocks went back): the report gives both offsets, ${isoLocalOffset(t.date)} and ${t.otherOffset}.`
      : null;
  return (
    <label className="wide">
      {label}{' '}
      <input type="datetime-local" data-testid={testId} value={value} aria-describedby={note ? noteId : undefined} onChange={(e) => onValue(e.target.value)} />
      {note && (
        <span className="field-error" id={noteId} data-testid={`${testId}-note`}>
          {note}
        </span>
      )}
    </label>
  );
}
