import { useLayoutEffect, useState, useSyncExternalStore, type CSSProperties, type RefObject } from 'react';
import type { Box } from '../../core/detection/geometry';
import { boxOnScreen, placeBeside } from '../../core/detection/gesture';
import type { ViewStore } from '../../store/viewStore';

/** Phones: the canvas fills the screen, so a row of buttons above it is scrolled away while a box is checked. */
const PHONE = '(max-width: 700px)';
const subscribe = (l: () => void) => {
  const m = matchMedia(PHONE);
  m.addEventListener('change', l);
  return () => m.removeEventListener('change', l);
};
export const useIsPhone = () => useSyncExternalStore(subscribe, () => matchMedia(PHONE).matches);

/**
 * On a phone, the style that floats a panel (the selected box's actions) beside that box on the screen,
 * kept inside the viewport as the page scrolls or the image pans and zooms (placeBeside in core).
 * Elsewhere, and with no box, undefined: the panel stays in its row.
 */
export function useBesideBox(panel: RefObject<HTMLElement | null>, box: Box | undefined, view: ViewStore): CSSProperties | undefined {
  const phone = useIsPhone();
  const [at, setAt] = useState<{ x: number; y: number } | null>(null);
  const on = phone && !!box;
  useLayoutEffect(() => {
    if (!on || !box) return;
    const place = () => {
      const el = panel.current;
      const canvas = document.querySelector('[data-testid="canvas"] canvas');
      if (!el || !canvas) return;
      const r = canvas.getBoundingClientRect();
      const target = boxOnScreen(box, view.getState().transform, { x: r.left, y: r.top });
      const p = placeBeside(target, { w: el.offsetWidth, h: el.offsetHeight }, { w: document.documentElement.clientWidth, h: window.innerHeight });
      setAt((o) => (o && o.x === p.x && o.y === p.y ? o : p));
    };
    place();
    const unsub = view.subscribe(place);
    window.addEventListener('scroll', place, { passive: true });
    window.addEventListener('resize', place);
    return () => {
      unsub();
      window.removeEventListener('scroll', place);
      window.removeEventListener('resize', place);
    };
  }, [on, box, panel, view]);
  if (!on) return undefined;
  // Before the first measurement the panel is laid out but not seen, so its size can be read.
  return at ? { position: 'fixed', left: at.x, top: at.y, zIndex: 30 } : { position: 'fixed', left: 0, top: 0, visibility: 'hidden' };
}
