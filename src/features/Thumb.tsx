import { useEffect, useState } from 'react';
import { useServices } from '../services/context';

export function Thumb({ id, ready }: { id: string; ready: boolean }) {
  const { thumbnails } = useServices();
  // a thumbnail already made shows in the first render (the print report mounts as printing starts)
  const [url, setUrl] = useState<string | null>(() => (ready ? thumbnails.peek(id) : null));
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
