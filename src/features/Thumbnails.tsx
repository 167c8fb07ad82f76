import { useEffect, useRef } from 'react';
import { useApp } from '../services/context';
import { imageCounts, imageFlags, inTotals, wasEdited } from '../store/selectors';
import { FLAG_SHORT, FLAG_TEXT } from '../core/quality/flags';
import { Thumb } from './Thumb';

export function Thumbnails() {
  const order = useApp((s) => s.order);
  const images = useApp((s) => s.images);
  const currentId = useApp((s) => s.currentId);
  const params = useApp((s) => s.postprocess);
  const select = useApp((s) => s.select);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const l = list.current;
    const el = l?.querySelector<HTMLElement>('[aria-selected="true"]');
    // Keep the current image in the list's view. On narrow screens the list is a strip under the canvas:
    // scroll the strip only, since scrollIntoView would also pull the page away from the canvas.
    if (window.matchMedia('(min-width: 1001px)').matches) el?.scrollIntoView({ block: 'nearest' });
    else if (l && el) {
      const pad = 10;
      if (el.offsetLeft - pad < l.scrollLeft) l.scrollLeft = el.offsetLeft - pad;
      else if (el.offsetLeft + el.offsetWidth + pad > l.scrollLeft + l.clientWidth) l.scrollLeft = el.offsetLeft + el.offsetWidth + pad - l.clientWidth;
    }
    // Keyboard users move through the list with the arrows: focus follows the current image.
    if (el && list.current?.contains(document.activeElement)) el.focus();
  }, [currentId]);

  if (!order.length) return null;
  return (
    <ol className="thumbs" ref={list} role="listbox" aria-label="Images in this batch" data-testid="thumbnails">
      {order.map((id, i) => {
        const im = images[id];
        const c = im.status === 'done' ? imageCounts(im, params) : null;
        const flags = imageFlags(im, params);
        return (
          <li
            key={id}
            role="option"
            aria-selected={id === currentId}
            data-testid="thumb"
            data-status={im.status}
            data-counted={im.status === 'done' ? inTotals(im) : undefined}
            data-flagged={flags.length > 0 || undefined}
            className={`thumb ${im.status}${id === currentId ? ' current' : ''}`}
            onClick={() => select(id)}
            tabIndex={id === currentId ? 0 : -1}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && select(id)}
          >
            <Thumb id={id} ready={im.status === 'done'} />
            <span className="idx">{i + 1}</span>
            <span className="name" title={im.name}>
              {im.name}
            </span>
            <span className="meta">
              {im.status === 'done' && c
                ? `RBC ${c.RBC} · WBC ${c.WBC} · PLT ${c.Platelets}`
                : im.status === 'error'
                  ? 'error'
                  : im.status}
              {im.reviewed ? ' · ✓' : ''}
              {wasEdited(im) ? ' · edited' : ''}
            </span>
            {flags.map((f) => (
              <span key={f} className={`flag flag-${f}`} data-testid="image-flag" data-flag={f} title={FLAG_TEXT[f]}>
                ⚑ {FLAG_SHORT[f]}
              </span>
            ))}
            {/* The current image's flags explained beside its thumbnail, where a finger has no hover title. */}
            {id === currentId && flags.length > 0 && (
              <span className="flag-explain" data-testid="thumb-flag-text">
                {flags.map((f) => FLAG_TEXT[f]).join(' ')}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
