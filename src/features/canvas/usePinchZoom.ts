import type Konva from 'konva';
import { useEffect, useRef, type RefObject } from 'react';
import { zoomAbout } from '../../core/detection/geometry';
import type { ViewStore } from '../../store/viewStore';

/** Two fingers pinch to zoom about their midpoint (one finger pans: the stage is draggable). Native
 * listeners on the wrapper, so the stage's own drag handling does not swallow the second finger. */
export function usePinchZoom(wrap: RefObject<HTMLDivElement | null>, stage: RefObject<Konva.Stage | null>, viewStore: ViewStore) {
  const pinch = useRef<number | null>(null);
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const move = (e: TouchEvent) => {
      if (e.touches.length !== 2) return;
      e.preventDefault();
      stage.current?.stopDrag();
      const rect = el.getBoundingClientRect();
      const [a, b] = [e.touches[0], e.touches[1]];
      const mx = (a.clientX + b.clientX) / 2 - rect.left;
      const my = (a.clientY + b.clientY) / 2 - rect.top;
      const dist = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
      const prev = pinch.current;
      if (prev) viewStore.setState((st) => ({ transform: zoomAbout(st.transform, dist / prev, mx, my) }));
      pinch.current = dist;
    };
    const end = (e: TouchEvent) => {
      if (e.touches.length < 2) pinch.current = null;
    };
    el.addEventListener('touchmove', move, { passive: false, capture: true });
    el.addEventListener('touchend', end, true);
    el.addEventListener('touchcancel', end, true);
    return () => {
      el.removeEventListener('touchmove', move, true);
      el.removeEventListener('touchend', end, true);
      el.removeEventListener('touchcancel', end, true);
    };
  }, [wrap, stage, viewStore]);
}
