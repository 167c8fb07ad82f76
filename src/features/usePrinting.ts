import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

/**
 * Whether the page is being printed: from `beforeprint` to `afterprint` (the browser's print, Ctrl+P or
 * window.print()), or while print media applies (`matchMedia('print')`; Playwright's
 * `emulateMedia({ media: 'print' })` fires only this one, not beforeprint). For content that exists only
 * on paper and is not worth keeping rendered on screen.
 */
export function usePrinting(): boolean {
  const [printing, setPrinting] = useState(() => window.matchMedia('print').matches);
  useEffect(() => {
    const media = window.matchMedia('print');
    // flushSync: the browser lays the page out for print right after these events; content rendered a
    // task later would be missing from the paper
    const before = () => flushSync(() => setPrinting(true));
    const after = () => setPrinting(media.matches);
    const change = () => flushSync(() => setPrinting(media.matches));
    window.addEventListener('beforeprint', before);
    window.addEventListener('afterprint', after);
    media.addEventListener('change', change);
    return () => {
      window.removeEventListener('beforeprint', before);
      window.removeEventListener('afterprint', after);
      media.removeEventListener('change', change);
    };
  }, []);
  return printing;
}
