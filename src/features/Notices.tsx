import { useApp } from '../services/context';

/** The one place problems are shown: bad files, model and engine trouble, save failures. Each stays
 * until dismissed; the same message twice shows once with a count; the batch goes on. */
export function Notices() {
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismissNotice);
  const dismissAll = useApp((s) => s.dismissNotices);
  if (!notices.length) return null;
  return (
    <section className="notices" aria-label="Notices">
      {notices.length > 1 && (
        <button className="dismiss-all" data-testid="dismiss-all" onClick={() => dismissAll()}>
          Dismiss all ({notices.length})
        </button>
      )}
      <ul className="file-errors" aria-live="polite">
        {notices.map((n) => (
          <li key={n.key} className={`notice-item ${n.kind}`} data-testid={n.source === 'file' && n.kind === 'error' ? 'file-error' : `notice-${n.source}`} role={n.kind === 'error' ? 'alert' : 'status'}>
            {n.subject && <strong>{n.subject}</strong>}
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
