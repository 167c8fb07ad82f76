import { useEffect, useState } from 'react';
import { useServices } from '../services/context';

export function Thumb({ id, ready }: { id: string; ready: boolean }) {
  const { thumbnails } = useServices();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!ready) return;
    let live = true;
    void thumbnails.url(id).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [id, ready, thumbnails]);
  return url ? <img className="thumb-img" src={url} alt="" width={48} height={36} /> : <span className="thumb-img" />;
}
