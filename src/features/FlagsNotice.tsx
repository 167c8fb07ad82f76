import './flags.css';
import { useServices, useApp } from '../services/context';
import { EXCLUDING_FLAGS, excludes, flagSentence } from '../core/quality/flags';
import { imageFlags, selectCurrent } from '../store/selectors';

/** The current image's quality flags beside its counts, and the one-click accept (and its undo) that
 * puts a not-smear / out-of-focus image back into the batch totals. */
export function FlagsNotice() {
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const acceptFlags = useApp((s) => s.acceptFlags);
  const { classifier } = useServices();
  if (!current || current.status !== 'done') return null;
  const flags = imageFlags(current, params, classifier?.lowConfidence);
  if (!flags.length) return null;
  const excluding = excludes(flags);
  return (
    <div className="image-flags" data-testid="flags-notice" role="status">
      <ul>
        {flags.map((f) => (
          <li key={f} data-testid="flag-text" data-flag={f} className={EXCLUDING_FLAGS.includes(f) ? 'excluding' : 'advisory'}>
            {flagSentence(f, current.flagsAccepted, current.quality)}
          </li>
        ))}
      </ul>
      {excluding &&
        (current.flagsAccepted ? (
          <p>
            You accepted this image: it is counted in the batch totals.{' '}
            <button data-testid="unaccept-flags" onClick={() => acceptFlags(current.id, false)}>
              Undo
            </button>
          </p>
        ) : (
          <p>
            Not in the batch totals or the differential.{' '}
            <button data-testid="accept-flags" onClick={() => acceptFlags(current.id, true)}>
              Count it anyway
            </button>
          </p>
        ))}
    </div>
  );
}
