import { useEffect, useRef } from 'react';
import { addBackEntry } from '../services/backButton';

/** While `open`, a phone's Back calls `close` instead of leaving the app (services/backButton); closed
 * another way, the view takes its history entry off again. For full-screen views: the gallery, the report. */
export function useBackCloses(open: boolean, close: () => void) {
  const latest = useRef(close);
  useEffect(() => {
    latest.current = close;
  });
  useEffect(() => {
    if (!open) return;
    return addBackEntry(() => latest.current());
  }, [open]);
}
