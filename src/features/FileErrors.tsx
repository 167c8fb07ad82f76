import { useApp } from '../services/context';

/** The one place per-file problems are shown. Each stays until dismissed; the batch goes on. */
export function FileErrors() {
  const errors = useApp((s) => s.fileErrors);
  const dismiss = useApp((s) => s.dismissFileError);
  if (!errors.length) return null;
  return (
    <ul className="file-errors" aria-live="polite">
      {errors.map((e) => (
        <li key={e.key} data-testid="file-error" role="alert">
          <strong>{e.file}</strong>: {e.message}
          <button aria-label="Dismiss" onClick={() => dismiss(e.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
