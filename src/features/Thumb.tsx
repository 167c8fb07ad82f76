import { useEffect, useState } from 'react';
import { thumbnailUrl } from '../app/thumbnails';

export function Thumb({ id, ready }: { id: string; ready: boolean }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!ready) return;
    let live = true;
    void thumbnailUrl(id).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [id, ready]);
  return url ? <img className="thumb-img" src={url} alt="" width={48} height={36} /> : <span className="thumb-img" />;
}
