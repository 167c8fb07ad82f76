import { useEffect, useEffectEvent, type RefObject } from 'react';
import type { Detection } from '../../core/detection/detection';
import { focusTransform, keepImageInView } from '../../core/detection/geometry';
import type { ViewTransform } from '../../store/viewStore';

/** Review: pans and zooms to the box under review each time a box is focused (a new focus, not a new
 * render: the technician may pan away from it), no further than keeps the image over the canvas (aligned as
 * the fit aligns it: `align`). `reserveBottom` px at the canvas's foot are left out of the view the box is
 * centred in (a phone docks the box's actions there). `canvas`: the canvas's element, brought on screen where
 * the page is scrolled away from it. */
export function useReviewFocus(
  focus: { id: string; nonce: number } | null,
  shown: readonly Detection[],
  image: { width: number; height: number },
  size: { w: number; h: number },
  setView: (t: ViewTransform) => void,
  reserveBottom = 0,
  canvas?: RefObject<HTMLElement | null>,
  align: 'centre' | 'top' = 'centre',
) {
  const show = useEffectEvent((id: string) => {
    const d = shown.find((x) => x.id === id);
    if (d) setView(keepImageInView(focusTransform(d.box, image.width, image.height, size.w, Math.max(size.h / 2, size.h - reserveBottom)), image.width, image.height, size.w, size.h, 8, align));
    // On a phone the panels fold under the canvas: the gallery opened from the differential there, its
    // "Show on canvas" zoomed to the cell a screen above, and the page stayed on the panel, so nothing
    // seemed to happen. After the frame: the closing gallery gives the focus back to its opener, which
    // scrolls the page to it (and its history entry, taken off, must not scroll it back: services/backButton).
    if (d && canvas) requestAnimationFrame(() => bringOnScreen(canvas.current));
  });
  useEffect(() => {
    if (focus) show(focus.id);
  }, [focus]);
}

function bringOnScreen(el: HTMLElement | null) {
  if (el && visibleShare(el.getBoundingClientRect(), window.innerHeight) < 0.5) el.scrollIntoView({ block: 'nearest' });
}

/** The share of an element's height inside the viewport's height (0 when it is wholly above or below). */
export function visibleShare(r: { top: number; bottom: number; height: number }, viewportHeight: number): number {
  if (r.height <= 0) return 1;
  return Math.max(0, Math.min(r.bottom, viewportHeight) - Math.max(r.top, 0)) / r.height;
}
