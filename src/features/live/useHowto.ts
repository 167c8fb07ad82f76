import { useCallback, useState } from 'react';

/** localStorage key: the technician has dismissed live mode's how-to on this device (this origin's own). */
const SEEN_KEY = 'smearcount.liveHowtoSeen';

function stored(): boolean {
  try {
    return localStorage.getItem(SEEN_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * Whether live mode's how-to, its first-use explanation, has been dismissed (Got it) on this device: kept, as the
 * camera chosen is, so that it no longer shows at each Live (the help control, ?, shows it again for a run:
 * liveStore howtoAsked). Before, it came back at every Live whatever the technician had read, with no way to
 * dismiss it.
 */
export function useHowtoSeen(): [boolean, () => void] {
  const [seen, setSeen] = useState(stored);
  const dismiss = useCallback(() => {
    setSeen(true);
    try {
      localStorage.setItem(SEEN_KEY, '1');
    } catch {
      // no storage: dismissed for this page
    }
  }, []);
  return [seen, dismiss];
}
