import { useLayoutEffect, useState, type RefObject } from 'react';

/** The element's client size, kept current by a ResizeObserver (the stage fills its wrapper). */
export function useStageSize(wrap: RefObject<HTMLDivElement | null>) {
  const [size, setSize] = useState({ w: 800, h: 600 });
  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const measure = () => setSize({ w: el.clientWidth, h: el.clientHeight });
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  }, [wrap]);
  return size;
}
