import { useEffect, useRef } from 'react';
import { useApp } from '../services/context';
import { imageCounts, wasEdited } from '../store/selectors';
import { Thumb } from './Thumb';

export function Thumbnails() {
  const order = useApp((s) => s.order);
  const images = useApp((s) => s.images);
  const currentId = useApp((s) => s.currentId);
  const params = useApp((s) => s.postprocess);
  const select = useApp((s) => s.select);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [currentId]);

  if (!order.length) return null;
  return (
    <ol className="thumbs" ref={list} role="listbox" aria-label="Images in this batch" data-testid="thumbnails">
      {order.map((id, i) => {
        const im = images[id];
        const c = im.status === 'done' ? imageCounts(im, params) : null;
        return (
          <li
            key={id}
            role="option"
            aria-selected={id === currentId}
            data-testid="thumb"
            data-status={im.status}
            className={`thumb ${im.status}${id === currentId ? ' current' : ''}`}
            onClick={() => select(id)}
          >
            <Thumb id={id} ready={im.status === 'done'} />
            <span className="idx">{i + 1}</span>
            <span className="name" title={im.name}>
              {im.name}
            </span>
            <span className="meta">
              {im.status === 'done' && c
                ? `${c.RBC}/${c.WBC}/${c.Platelets} · ${Math.round(im.inferenceMs ?? 0)} ms`
                : im.status === 'error'
                  ? 'error'
                  : im.status}
              {im.reviewed ? ' · ✓' : ''}
              {wasEdited(im) ? ' · edited' : ''}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
