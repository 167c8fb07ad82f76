import { useState } from 'react';
import { useApp, useServices } from '../../services/context';

/**
 * The page's warnings and errors raised while live mode covers the page (a field's picture that could not be saved,
 * a capture the intake refused, a failed count, a write that failed), said in the live view at once. Before, they
 * went to the notices panel behind the full-screen view, inert, and the technician read them only after Stop, a
 * run of fields later. The latest is shown; they all stay in the page's notices, where OK here leaves them.
 */
export function LiveNotices({ open }: { open: boolean }) {
  const { store } = useServices();
  const notices = useApp((s) => s.notices);
  // the notices as they were when the view opened, and as they were at OK (a notice said again counts up: said
  // again here); set as the view opens, cleared as it closes
  const [seen, setSeen] = useState<ReadonlyMap<number, number> | null>(null);
  if (open && !seen) setSeen(new Map(store.getState().notices.map((n) => [n.key, n.count])));
  if (!open && seen) setSeen(null);
  if (!open || !seen) return null;
  const fresh = notices.filter((n) => n.kind !== 'info' && (seen.get(n.key) ?? 0) < n.count);
  const latest = fresh[fresh.length - 1];
  if (!latest) return null;
  return (
    <p className={`live-notice ${latest.kind}`} role="alert" data-testid="live-notice">
      <span>
        {latest.subject && (
          <>
            <bdi dir="ltr">{latest.subject}</bdi>:{' '}
          </>
        )}
        {latest.message}
        {fresh.length > 1 && ` (and ${fresh.length - 1} more in the notices after Stop)`}
      </span>
      <button
        className="live-notice-ok"
        data-testid="live-notice-ok"
        onClick={() => setSeen(new Map([...seen, ...fresh.map((n) => [n.key, n.count] as const)]))}
        aria-label="OK: hide this in the live view (it stays in the notices)"
      >
        OK
      </button>
    </p>
  );
}
