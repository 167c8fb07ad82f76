import { useEffect, useEffectEvent } from 'react';
import type { Detection } from '../../core/detection/detection';
import { focusTransform } from '../../core/detection/geometry';
import type { ViewTransform } from '../../store/viewStore';

/** Review: pans and zooms to the box under review each time a box is focused (a new focus, not a new
 * render: the technician may pan away from it). `reserveBottom` px at the canvas's foot are left out of the
 * view the box is centred in (a phone docks the box's actions there). */
export function useReviewFocus(
  focus: { id: string; nonce: number } | null,
  shown: readonly Detection[],
  image: { width: number; height: number },
  size: { w: number; h: number },
  setView: (t: ViewTransform) => void,
  reserveBottom = 0,
) {
  const show = useEffectEvent((id: string) => {
    const d = shown.find((x) => x.id === id);
    if (d) setView(focusTransform(d.box, image.width, image.height, size.w, Math.max(size.h / 2, size.h - reserveBottom)));
  });
  useEffect(() => {
    if (focus) show(focus.id);
  }, [focus]);
}
