import { useEffect, useState } from 'react';

/**
 * `text` once it has stayed the same for `ms` (at once where `now`): what a live region should say. The live
 * view's status follows the capture rule frame by frame ("Moving", "Hold still…", "Capturing…", "Captured") and
 * the bar's figures follow the captures and their counting; read out as they came, a screen reader heard six
 * sentences a field, some 10 ms apart, queued behind one another and behind the view. A state the view passes
 * through is not said; one it stays in is, once.
 */
export function useSettledText(text: string, ms: number, now = false): string {
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (text === said) return;
    const t = setTimeout(() => setSaid(text), now ? 0 : ms);
    return () => clearTimeout(t);
  }, [text, said, ms, now]);
  return said;
}
