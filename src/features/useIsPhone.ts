import { useSyncExternalStore } from 'react';

/** Phones: the canvas fills the screen's width and most of its height; the layout in styles.css changes
 * at the same width. */
const PHONE = '(max-width: 700px)';
const subscribe = (l: () => void) => {
  const m = matchMedia(PHONE);
  m.addEventListener('change', l);
  return () => m.removeEventListener('change', l);
};
export const useIsPhone = () => useSyncExternalStore(subscribe, () => matchMedia(PHONE).matches);
