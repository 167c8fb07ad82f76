import './flags.css';
import { useServices, useApp, useView } from '../services/context';
import { EXCLUDING_FLAGS, excludes, flagSentence } from '../core/quality/flags';
import { imageFlags, selectCurrent, shownDetections } from '../store/selectors';
import { plateletClumps } from '../core/quality/clumps';
import { browserLocale } from '../core/formats/numbers';

/** The current image's quality flags beside its counts, and the one-click accept (and its undo) that
 * puts a not-smear / out-of-focus image back into the batch totals. */
export function FlagsNotice() {
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const acceptFlags = useApp((s) => s.acceptFlags);
  const { classifier } = useServices();
  const setSelected = useView((s) => s.setSelected);
  const setFocus = useView((s) => s.setFocus);
  if (!current || current.status !== 'done') return null;
  const flags = imageFlags(current, params, classifier?.lowConfidence);
  if (!flags.length) return null;
  const excluding = excludes(flags);
  // the largest clump, to bring into view (the flag's own rule on the same shown boxes)
  const clump = flags.includes('platelet-clumps') ? plateletClumps(shownDetections(current, params))[0] : undefined;
  return (
    <div className="image-flags" data-testid="flags-notice" role="status">
      <ul>
        {flags.map((f) => (
          <li key={f} data-testid="flag-text" data-flag={f} className={EXCLUDING_FLAGS.includes(f) ? 'excluding' : 'advisory'}>
            {flagSentence(f, current.flagsAccepted, current.quality, undefined, browserLocale())}
            {f === 'platelet-clumps' && clump && (
              <>
                {' '}
                <button
                  data-testid="show-clump"
                  onClick={() => {
                    setSelected(clump[0]);
                    setFocus(clump[0]);
                  }}
                >
                  Show the clump ({clump.length} platelets)
                </button>
              </>
            )}
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
