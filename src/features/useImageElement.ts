import { useEffect, useState } from 'react';
import { useServices } from '../services/context';

/** Decodes only the image on screen, from its stored blob; the previous one is released. */
export function useImageElement(id: string | undefined): HTMLImageElement | null {
  const { files } = useServices();
  // Tagged with its id, so another image's element is never returned while this one loads.
  const [loaded, setLoaded] = useState<{ id: string; img: HTMLImageElement } | null>(null);
  useEffect(() => {
    const blob = id ? files.get(id) : undefined;
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const el = new Image();
    let live = true;
    el.onload = () => live && id !== undefined && setLoaded({ id, img: el });
    el.src = url;
    return () => {
      live = false;
      el.onload = null;
      URL.revokeObjectURL(url);
    };
  }, [id, files]);
  return loaded && loaded.id === id ? loaded.img : null;
}
