import { useEffect, useState } from 'react';
import { useServices } from '../services/context';

/** Decodes only the image on screen, from its stored blob; the previous one is released. */
export function useImageElement(id: string | undefined): HTMLImageElement | null {
  const { files } = useServices();
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    setImg(null);
    const blob = id ? files.get(id) : undefined;
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const el = new Image();
    let live = true;
    el.onload = () => live && setImg(el);
    el.src = url;
    return () => {
      live = false;
      el.onload = null;
      URL.revokeObjectURL(url);
    };
  }, [id, files]);
  return img;
}
