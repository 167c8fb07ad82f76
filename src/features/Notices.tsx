import { useState } from 'react';
import { useApp } from '../services/context';
import type { Notice } from '../store/noticesSlice';
import { isolateName } from '../core/bidi';

const WORST: Notice['kind'][] = ['error', 'warning', 'info'];

/** The notices in one line: a file's name and why, or how many there are and about what. */
function oneLine(notices: readonly Notice[]): string {
  if (notices.length === 1) {
    const n = notices[0];
    return n.subject ? `${isolateName(n.subject)}: ${n.message}` : n.message;
  }
  const subjects = notices.map((n) => n.subject).filter(Boolean);
  // files refused or failed, and nothing else: say what they have in common ("6 notices" said nothing)
  const files = notices.every((n) => n.source === 'file' && n.kind === 'error');
  return `${notices.length} ${files ? 'files not counted' : 'notices'}${subjects.length ? `: ${subjects.map(isolateName).join(', ')}` : ''}`;
}

/** The one place problems are shown: bad files, model and engine trouble, save failures. Each stays
 * until dismissed; the same message twice shows once with a count; the batch goes on.
 * On a phone or tablet they sit above the canvas folded into one line, so they do not push the image
 * off the first screen; the line opens the full list. */
export function Notices() {
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismissNotice);
  const dismissAll = useApp((s) => s.dismissNotices);
  const [open, setOpen] = useState(false);
  const worst = WORST.find((k) => notices.some((n) => n.kind === k));
  // With no notice the section stays in the page, empty and out of sight, so that its live region is there
  // before the first notice: a live region put into the page with its first words in it is not read by every
  // screen reader, and the first notice is the one that says a file was not counted.
  return (
    <section className={`notices${open ? ' open' : ''}${worst ? '' : ' empty'}`} aria-label={worst ? 'Notices' : undefined} data-testid="notices">
      {/* shown on narrow screens only (styles.css), where the list below is folded away: its one line is said by
          a status region kept in the strip from before the first notice, for the reason the list is */}
      <div className={`notices-strip ${worst ?? 'none'}`} data-testid="notices-strip">
        <span className="sr-only" role="status" data-testid="notices-status">
          {worst ? oneLine(notices) : ''}
        </span>
        {worst && (
          <>
            <button className="notices-toggle" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="notices-toggle">
              <span className="notices-line">
                {oneLine(notices)}
              </span>
              <span className="notices-more">{open ? 'Hide' : 'Show'}</span>
            </button>
            <button aria-label={notices.length > 1 ? `Dismiss all ${notices.length} notices` : 'Dismiss'} onClick={() => dismissAll()} data-testid="notices-strip-dismiss">
              ×
            </button>
          </>
        )}
      </div>
      {notices.length > 1 && (
        <button className="dismiss-all" data-testid="dismiss-all" onClick={() => dismissAll()}>
          Dismiss all ({notices.length})
        </button>
      )}
      {/* one polite live region: each notice is read once as it comes. An item of its own role alert or status
          was a live region inside it, and screen readers read a refused file twice, the alert cutting in */}
      <ul className="file-errors" aria-live="polite">
        {notices.map((n) => (
          <li key={n.key} className={`notice-item ${n.kind}`} data-testid={n.source === 'file' && n.kind === 'error' ? 'file-error' : `notice-${n.source}`}>
            {/* a name's right-to-left letters or direction controls stay inside it (core/bidi) */}
            {n.subject && (
              <strong>
                <bdi dir="ltr">{n.subject}</bdi>
              </strong>
            )}
            {n.subject ? ': ' : ''}
            {n.message}
            {n.count > 1 && <span className="times"> (×{n.count})</span>}
            <button aria-label="Dismiss" onClick={() => dismiss(n.key)}>
              ×
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
