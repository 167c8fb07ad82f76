import { Fragment, memo, useCallback, useEffect, useRef } from 'react';
import { useApp, useServices } from '../services/context';
import { confirmDiscard } from './actions';
import { imageCounts, imageFlags, inTotals, wasEdited } from '../store/selectors';
import { EXCLUDING_FLAGS, FLAG_SHORT, flagSentence } from '../core/quality/flags';
import { folderOf, nameKey, sharedNames } from '../core/formats/names';
import { browserLocale } from '../core/formats/numbers';
import { Thumb } from './Thumb';
import type { ImageEntry } from '../store/types';
import type { PostprocessParams } from '../core/detection/card';
import { FileName } from './FileName';
import { countItems } from './countItems';
import { NARROW } from './useIsPhone';

export function Thumbnails() {
  const order = useApp((s) => s.order);
  const images = useApp((s) => s.images);
  const currentId = useApp((s) => s.currentId);
  const params = useApp((s) => s.postprocess);
  const select = useApp((s) => s.select);
  const list = useRef<HTMLOListElement>(null);
  const services = useServices();
  // Del in the list removes the image only while no box is selected: with one selected (] in the list, a
  // click on the canvas) the review hint's "Del delete" means the box, and the window's Del deletes it.
  // Set when the image removed from the list held the focus: its row leaves the page, and the focus with it
  // (to <body>, where the arrows no longer move through the list).
  const refocus = useRef(false);
  const discard = useCallback(
    (id: string) => {
      if (services.view.getState().selectedId) return false;
      // an image being counted cannot go yet (Remove image is disabled for it): Del said nothing and did nothing
      const im = services.store.getState().images[id];
      if (im?.status === 'running') {
        services.view.getState().say(`${im.name} is being counted: it can be removed once its count is in.`);
        return true;
      }
      refocus.current = !!list.current?.contains(document.activeElement);
      confirmDiscard(services, id);
      if (services.store.getState().images[id]) refocus.current = false;
      return true;
    },
    [services],
  );

  useEffect(() => {
    const l = list.current;
    const el = l?.querySelector<HTMLElement>('[aria-selected="true"]');
    // Keep the current image in the list's view. On narrow screens the list is a strip under the canvas:
    // scroll the strip only, since scrollIntoView would also pull the page away from the canvas.
    if (!window.matchMedia(NARROW).matches) el?.scrollIntoView({ block: 'nearest' });
    else if (l && el) {
      const pad = 10;
      if (el.offsetLeft - pad < l.scrollLeft) l.scrollLeft = el.offsetLeft - pad;
      else if (el.offsetLeft + el.offsetWidth + pad > l.scrollLeft + l.clientWidth) l.scrollLeft = el.offsetLeft + el.offsetWidth + pad - l.clientWidth;
    }
    // Keyboard users move through the list with the arrows: focus follows the current image.
    if (el && list.current?.contains(document.activeElement)) el.focus();
  }, [currentId]);

  // After a removal from the keyboard: the focus goes on to the new current image (the list's one Tab stop).
  useEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    list.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
  }, [order, currentId]);

  if (!order.length) return null;
  // two fields both called BloodImage_00339.jpg: the folder tells them apart in the list
  const shared = sharedNames(order.map((id) => images[id]));
  return (
    <ol
      className="thumbs"
      ref={list}
      role="listbox"
      aria-label="Images in this batch"
      data-testid="thumbnails"
      // Home and End: the first and the last image, as in any list box
      onKeyDown={(e) => {
        if ((e.key === 'Home' || e.key === 'End') && !e.ctrlKey && !e.metaKey) {
          e.preventDefault();
          services.view.getState().setSelected(null);
          select(order[e.key === 'Home' ? 0 : order.length - 1]);
        }
      }}
    >
      {order.map((id, i) => (
        <ThumbRow
          key={id}
          id={id}
          index={i}
          im={images[id]}
          folder={shared.has(nameKey(images[id].name)) ? folderOf(images[id]) || undefined : undefined}
          params={params}
          lowConfidence={services.classifier?.lowConfidence}
          current={id === currentId}
          select={select}
          discard={discard}
        />
      ))}
    </ol>
  );
}

/** One row, re-rendered only when its own image, the thresholds or the selection change: a batch replaces
 * one image entry per update, and re-rendering every row on each of them made the list's cost grow with
 * the batch (n rows per finished image). */
const ThumbRow = memo(function ThumbRow({
  id,
  index,
  im,
  folder,
  params,
  lowConfidence,
  current,
  select,
  discard,
}: {
  id: string;
  index: number;
  im: ImageEntry;
  /** Shown before the name when another image of the batch has the same name. */
  folder?: string;
  params: PostprocessParams;
  /** The classifier card's bar for the unsure-type flag (the flag's default without a classifier). */
  lowConfidence?: number;
  current: boolean;
  select(id: string): void;
  /** Asks and removes the image; false (nothing done) while a box is selected. */
  discard(id: string): boolean;
}) {
  const { view } = useServices();
  const c = im.status === 'done' ? imageCounts(im, params) : null;
  const flags = imageFlags(im, params, lowConfidence);
  return (
    <li
      role="option"
      aria-selected={current}
      data-testid="thumb"
      data-status={im.status}
      data-counted={im.status === 'done' ? inTotals(im) : undefined}
      data-flagged={flags.length > 0 || undefined}
      className={`thumb ${im.status}${current ? ' current' : ''}`}
      onClick={() => select(id)}
      tabIndex={current ? 0 : -1}
      onKeyDown={(e) => {
        // In Draw mode Enter is the window's: it places a box (N then Enter), whatever has the focus.
        if (e.key === ' ' || (e.key === 'Enter' && view.getState().mode !== 'draw')) {
          e.preventDefault();
          select(id);
        } else if ((e.key === 'Delete' || e.key === 'Backspace') && discard(id)) {
          // the image, not a box (none is selected): the window's Del would find nothing to delete
          e.stopPropagation();
          e.preventDefault();
        }
      }}
    >
      <Thumb id={id} ready={im.status === 'done'} />
      <span className="idx">{index + 1}</span>
      <span className="name" title={im.path ?? im.name}>
        {folder ? (
          <span className="muted" data-testid="thumb-folder">
            {folder}/
          </span>
        ) : null}
        <FileName name={im.name} />
      </span>
      <span className="meta">
        <MetaItems
          items={[
            im.status === 'done' && c ? countItems(c, browserLocale()) : [im.status === 'error' ? 'error' : im.status],
            im.reviewed ? ['✓'] : [],
            wasEdited(im) ? ['edited'] : [],
          ].flat()}
        />
        {/* the counts are struck through (flags.css), which a screen reader does not say */}
        {im.status === 'done' && !inTotals(im) ? <span className="sr-only">, left out of the batch totals</span> : null}
      </span>
      {flags.map((f) => (
        <span key={f} className={`flag flag-${f}${EXCLUDING_FLAGS.includes(f) ? ' excluding' : ''}`} data-testid="image-flag" data-flag={f} title={flagSentence(f, im.flagsAccepted, im.quality, undefined, browserLocale())}>
          ⚑ {FLAG_SHORT[f]}
        </span>
      ))}
      {/* The current image's flags explained beside its thumbnail, where a finger has no hover title. */}
      {current && flags.length > 0 && (
        <span className="flag-explain" data-testid="thumb-flag-text">
          {flags.map((f) => flagSentence(f, im.flagsAccepted, im.quality, undefined, browserLocale())).join(' ')}
        </span>
      )}
    </li>
  );
});

/** "RBC 27 · WBC 1 · PLT 1 · ✓" as pieces that wrap between, never inside, a count: in a narrow strip (a
 * phone, or 200% zoom) the counts go onto a second line instead of being cut to "RBC 27 · WBC…". The text
 * reads as one line still ("RBC 27 · WBC 1 · PLT 1"). */
function MetaItems({ items }: { items: string[] }) {
  return (
    <>
      {items.map((t, i) => (
        <Fragment key={i}>
          {i > 0 ? ' ' : ''}
          <span className="meta-item">{i < items.length - 1 ? `${t} ·` : t}</span>
        </Fragment>
      ))}
    </>
  );
}
