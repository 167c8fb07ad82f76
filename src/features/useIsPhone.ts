import { useSyncExternalStore } from 'react';

function useMedia(query: string): boolean {
  return useSyncExternalStore(
    (l) => {
      const m = matchMedia(query);
      m.addEventListener('change', l);
      return () => m.removeEventListener('change', l);
    },
    () => matchMedia(query).matches,
  );
}

/** Phones, upright or on their side: the canvas fills the screen's width and most of its height; the
 * layout in styles.css changes at the same sizes. */
const PHONE = '(max-width: 700px), (max-width: 1000px) and (max-height: 500px), (max-width: 1000px) and (max-height: 600px) and (orientation: landscape)';
export const useIsPhone = () => useMedia(PHONE);

/** Tablets and phones: the canvas first at the page's width, the panels under it (styles.css changes at the same
 * sizes). An upright screen up to 1100 px wide too: a 12.9-inch iPad Pro held upright (1024x1366) had the
 * desktop's three columns, the canvas 464 px wide between the panels and the field 464x348 in 1118 px of dark. */
export const NARROW = '(max-width: 1000px), (max-width: 1100px) and (orientation: portrait)';

/** A wide screen or a projector (styles.css widens the panels and enlarges the text at the same width):
 * the canvas's labels grow with it. */
export const WIDE = '(min-width: 1600px)';
export const useIsWide = () => useMedia(WIDE);

/** A mouse or trackpad as the main pointer, where a `title` shows on hover. Not useInputMode's last input: a
 * phone's Esc from a keyboard made that 'keys', and a tip's button, focused, was swapped for a title under
 * the finger (the focus fell to the page's body). */
export const useHovers = () => useMedia('(hover: hover) and (pointer: fine)');
