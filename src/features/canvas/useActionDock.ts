import { useLayoutEffect, useState, type CSSProperties, type RefObject } from 'react';
import type { Box } from '../../core/detection/geometry';
import { boxOnScreen, placeDocked } from '../../core/detection/gesture';
import type { ViewStore } from '../../store/viewStore';
import { useIsPhone } from '../useIsPhone';

/** The canvas's colour key (ImageCanvas). */
const key = () => document.querySelector<HTMLElement>('[data-testid="legend"]');

/**
 * On a phone, the style that docks a panel (the selected box's actions) across the visible part of the
 * canvas, at its bottom edge or, for a box down there, its top edge (the image's own edge where the canvas has
 * room beyond it, so no band of empty canvas parts the panel from the image): where the finger is, but never over
 * the box or the cells around it (placeDocked in core). A row above the canvas is scrolled away while a
 * box is checked, and a panel floating beside the box covered its neighbours. Kept in place as the page
 * scrolls or the image pans and zooms. Elsewhere, and with no box, undefined: the panel stays in its row.
 */
export function useActionDock(panel: RefObject<HTMLElement | null>, box: Box | undefined, view: ViewStore, image?: { width: number; height: number }): CSSProperties | undefined {
  const phone = useIsPhone();
  // off: the canvas has scrolled (nearly) out of view, so the panel would float over the panels below it
  const [at, setAt] = useState<{ x: number; y: number; w: number; off?: boolean } | null>(null);
  const on = phone && !!box;
  const imageW = image?.width;
  const imageH = image?.height;
  useLayoutEffect(() => {
    if (!on || !box) return;
    const place = () => {
      const el = panel.current;
      const canvas = document.querySelector('[data-testid="canvas"] canvas');
      if (!el || !canvas) return;
      const r = canvas.getBoundingClientRect();
      // Less of the canvas on screen than the panel needs: the box is out of view, and a panel kept on screen
      // floated over the sample fields and the counts, acting on a cell no one could see. Hidden until the
      // canvas is back in view.
      if (Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0) < el.offsetHeight + 8) {
        setAt((o) => (o?.off ? o : { x: 0, y: 0, w: 0, off: true }));
        return;
      }
      const { transform } = view.getState();
      const origin = { x: r.left, y: r.top };
      const target = boxOnScreen(box, transform, origin);
      const shown = imageW && imageH ? boxOnScreen({ x1: 0, y1: 0, x2: imageW, y2: imageH }, transform, origin) : undefined;
      const canvasBox = { x1: r.left, y1: r.top, x2: r.right, y2: r.bottom };
      const viewport = { w: document.documentElement.clientWidth, h: window.innerHeight };
      let p = placeDocked(target, canvasBox, el.offsetHeight, viewport, undefined, shown);
      // On a phone on its side the colour key stands on the canvas, at the middle of its left edge (styles.css): a
      // key of four hint lines reached the band the actions dock in and lay over their first buttons. There the
      // actions dock beside the key.
      const k = key()?.getBoundingClientRect();
      if (k && k.left < p.x + p.w && k.right > p.x && k.top < p.y + el.offsetHeight && k.bottom > p.y && k.right < r.right) {
        p = placeDocked(target, { ...canvasBox, x1: k.right }, el.offsetHeight, viewport, undefined, shown);
      }
      setAt((o) => (o && !o.off && o.x === p.x && o.y === p.y && o.w === p.w ? o : p));
    };
    place();
    // the panel's height changes with its buttons (a WBC adds the type list; a narrow one wraps), and the
    // canvas moves when something above it opens (the notices)
    const ro = new ResizeObserver(place);
    if (panel.current) ro.observe(panel.current);
    // the key grows a line with an edit ("dotted: 1 set by hand")
    const legend = key();
    if (legend) ro.observe(legend);
    ro.observe(document.body);
    const unsub = view.subscribe(place);
    window.addEventListener('scroll', place, { passive: true });
    window.addEventListener('resize', place);
    return () => {
      ro.disconnect();
      unsub();
      window.removeEventListener('scroll', place);
      window.removeEventListener('resize', place);
    };
  }, [on, box, panel, view, imageW, imageH]);
  if (!on) return undefined;
  // Before the first measurement the panel is laid out but not seen, so its size can be read.
  return at && !at.off ? { position: 'fixed', left: at.x, top: at.y, width: at.w, zIndex: 30 } : { position: 'fixed', left: 0, top: 0, visibility: 'hidden' };
}
