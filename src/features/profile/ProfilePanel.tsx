import { useRef, useState } from 'react';
import { adapts, keptWhy, modelRight } from '../../core/adapt/adapt';
import { COUNT_RULE_LABELS } from '../../core/detection/postprocess';
import { cellSizeWords } from '../../core/detection/scaleWords';
import { browserLocale, plain } from '../../core/formats/numbers';
import { AppError, errorMessage } from '../../core/errors';
import { useApp, useServices } from '../../services/context';
import { Section } from '../Section';
import { adaptedHow, cellsWords, fittedWords, resetQuestion } from './profileWords';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The microscope profile: what the classifier learnt from this lab's verified cells, with a reset, and
 * export / import so a lab's workstations share it. */
export function ProfilePanel() {
  const { profile, store } = useServices();
  const a = useApp((s) => s.adaptation);
  const fixedScale = useApp((s) => s.fixedScale);
  const countRule = useApp((s) => s.postprocess.countRule);
  const input = useRef<HTMLInputElement>(null);
  // the name being typed; otherwise the profile's (loaded after the first render, or imported)
  const [draft, setDraft] = useState<string | null>(null);
  if (!profile) {
    return a.unavailable ? (
      <Section title="Microscope profile" className="profile" testId="profile-panel">
        <p className="hint">This WBC classifier exposes no embedding: it cannot adapt to the microscope.</p>
      </Section>
    ) : null;
  }
  // the largest of the verified types' weights (each at most 1: there the adapted head alone types it)
  const w = a.head && a.head.weight > 0 ? Math.max(0, ...a.head.weights) : 0;
  const locale = browserLocale();
  return (
    <Section title="Microscope profile" className="profile" testId="profile-panel">
      <label>
        Microscope name{' '}
        <input
          data-testid="profile-name"
          value={draft ?? a.name}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => {
            if (draft !== null) profile.setName(draft.trim() || 'This microscope');
            setDraft(null);
          }}
        />
      </label>
      <p data-testid="profile-status" role="status">
        {!a.cells
          ? 'Not adapted yet: verified cells in the gallery teach it this microscope.'
          : adapts(a.head)
            ? `Adapted to this microscope from ${cellsWords(a.cells, locale)}${adaptedHow(w, !!a.head?.bias, locale)}`
            : `Not adapted: the model alone ${keptWhy(modelRight(a.head), a.cells)}, so its own types are kept.`}
      </p>
      <p className="muted" data-testid="profile-settings">
        Magnification: {fixedScale === null ? 'estimated per image' : cellSizeWords(1 / fixedScale, locale)} · count rule: {COUNT_RULE_LABELS[countRule].replace(/^[A-Z](?![A-Z])/, (c) => c.toLowerCase())}
        {fittedWords(a.fitMs, locale)}
      </p>
      <div className="buttons">
        <button data-testid="profile-reset" disabled={!a.cells} onClick={() => {
            const cur = profile.current();
            if (confirm(resetQuestion(cur.name, cur.cells.length, locale))) profile.reset();
          }}>
          Reset
        </button>
        <button data-testid="profile-export" onClick={() => download(`microscope-profile-${(profile.current().name || 'profile').replace(/[^\p{L}\p{N}._-]+/gu, '_')}.json`, profile.exportJson())}>
          Export profile
        </button>
        <button data-testid="profile-import-button" onClick={() => input.current?.click()}>
          Import profile…
        </button>
        <input
          ref={input}
          type="file"
          accept="application/json,.json"
          hidden
          data-testid="profile-import"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (!f) return;
            const st = store.getState();
            st.dismissNotices((n) => n.source === 'profile');
            try {
              const p = await profile.importFile(f, (cur, next) =>
                confirm(
                  `Replace the microscope profile "${cur.name}" (${cellsWords(cur.cells.length, locale)}) with "${next.name}" (${cellsWords(next.cells.length, locale)})? This device then forgets the cells "${cur.name}" learnt from: export it first to keep them.`,
                ),
              );
              if (!p) return;
              setDraft(null);
              st.notify({ kind: 'info', source: 'profile', subject: f.name, message: `Microscope profile "${p.name}" imported: ${plain(p.cells.length, locale)} verified cells.` });
            } catch (err) {
              const e = err instanceof AppError ? err : new AppError('profile', `could not be read (${errorMessage(err)})`);
              st.notify({ kind: 'error', source: 'profile', subject: f.name, message: errorMessage(e) });
            }
          }}
        />
      </div>
      <p className="hint">The profile stays on this device (with its scale override and count rule); export it to share it with the lab's other workstations.</p>
    </Section>
  );
}
