import { useEffect, useRef } from 'react';
import { CLASS_NAMES } from '../core/detection/classes';
import { isDrawn } from '../core/edits/commands';
import { EXTRA_LABEL } from '../core/edits/gallery';
import { typeText, WBC_LABEL, WBC_TYPES } from '../core/differential/differential';
import { useApp, useServices, useView } from '../services/context';
import { belowThresholdOf, shownDetections } from '../store/selectors';
import { runAction, type ActionName } from './actions';
import { useActionDock } from './canvas/useActionDock';
import { useInputMode } from './useInputMode';
import { reviewHint } from './reviewHint';
import { browserLocale, fixed, plain } from '../core/formats/numbers';

// scores and thresholds as the browser's country writes them ("0,87" in a German lab)
const score = (x: number) => fixed(x, 2, browserLocale());
const threshold = (x: number) => plain(x, browserLocale(), 3);

/** How long the answer to an action (U on a clean image) stays on screen. */
const SAID_MS = 6000;

/**
 * The selected box and everything a reviewer can do to it, as buttons big enough for a finger:
 * accept, relabel, WBC type, delete. They run the same actions as the keys; the hint names keys or
 * taps to match the input in use. The row keeps its height so the canvas below never jumps.
 */
export function ReviewBar() {
  const services = useServices();
  const bar = useRef<HTMLDivElement>(null);
  // A button that goes with its box (Delete, Leave out; Accept past an image's last box) took the focus with
  // it to the page's body: a screen reader lost its place and Tab began again from the top. The bar keeps it.
  const run = (name: ActionName) => {
    runAction(services, name);
    requestAnimationFrame(() => {
      const a = document.activeElement;
      if ((!a || a === document.body) && bar.current) bar.current.focus({ preventScroll: true });
    });
  };
  const touch = useInputMode() === 'touch';
  const selectedId = useView((s) => s.selectedId);
  const review = useView((s) => s.review);
  const said = useView((s) => s.said);
  const drawing = useView((s) => (s.mode === 'draw' ? s.drawClass : null));
  const say = useView((s) => s.say);
  const params = useApp((s) => s.postprocess);
  const done = useApp((s) => !!s.currentId && s.images[s.currentId]?.status === 'done');
  const sel = useApp((s) => {
    const im = s.currentId ? s.images[s.currentId] : undefined;
    return im && selectedId ? shownDetections(im, s.postprocess).find((d) => d.id === selectedId) : undefined;
  });
  // a box from the band below the threshold, visited by U: not counted until accepted
  const candidate = useApp((s) => {
    const im = s.currentId ? s.images[s.currentId] : undefined;
    return !sel && selectedId ? belowThresholdOf(im, s.postprocess, s.reviewBand).find((d) => d.id === selectedId) : undefined;
  });
  const actions = useRef<HTMLSpanElement>(null);
  // On a phone the actions dock on the canvas, clear of the selected box and its neighbours.
  const imageW = useApp((s) => (s.currentId ? s.images[s.currentId]?.width : undefined));
  const imageH = useApp((s) => (s.currentId ? s.images[s.currentId]?.height : undefined));
  const docked = useActionDock(actions, (sel ?? candidate)?.box, services.view, imageW && imageH ? { width: imageW, height: imageH } : undefined);
  useEffect(() => {
    if (!said) return;
    const t = setTimeout(() => say(null), SAID_MS);
    return () => clearTimeout(t);
  }, [said, say]);
  // One sentence a screen reader says when it changes: the answer to an action (U past the last box), or the
  // box a key selected and where it stands in the review. The region stays in the page, empty or not, since a
  // live region added with its text is often not read; the key hints are left out, they do not change.
  const box = sel ?? candidate;
  const announce = said
    ? said.text
    : box
      ? `${review ? `${review.k} of ${review.n}: ` : ''}${box.cls}, ${box.origin === 'manual' ? 'set by hand' : `score ${score(box.score)}${candidate ? ', under the threshold, not counted' : ''}`}${sel?.wbc ? `, ${typeText(sel.wbc, browserLocale())}` : ''}.`
      : '';
  const live = (
    <span className="sr-only" role="status" aria-live="polite" data-testid="review-announce">
      {announce}
    </span>
  );
  if (!done && !said) return live;
  const typeNames = services.classifier?.classes.map((c) => c.name) ?? [];
  // One line each, also the line's title: on a desktop it keeps one row beside its buttons and is cut with an
  // ellipsis where it is longer (styles.css), and the title says it whole.
  const candidateLine = candidate
    ? `${review ? `${review.k} of ${review.n} · ` : ''}${candidate.cls} · score ${score(candidate.score)}, under the threshold ${threshold(params.scoreThresholds[candidate.cls])}: not counted${touch ? '' : ' · A count it, Del leave it out'}`
    : '';
  const selLine = sel
    ? `${review ? `${review.k} of ${review.n} · ` : ''}${
        sel.origin === 'manual' ? `${sel.cls} · ${isDrawn(sel.id) ? 'drawn by hand' : "the model's box, changed by hand"}` : `${sel.cls} · score ${score(sel.score)} vs threshold ${threshold(params.scoreThresholds[sel.cls])}`
      }${sel.wbc ? ` · ${typeText(sel.wbc, browserLocale())}` : ''}${touch ? '' : ' · A accept, Del delete, 1/2/3 relabel'}${!touch && sel.cls === 'WBC' && typeNames.length ? ', Shift+1…7 type' : ''}`
    : '';
  return (
    <div className="review-bar" data-testid="review-bar" role="group" aria-label="Review the selected box" ref={bar} tabIndex={-1}>
      {live}
      {said && (
        <span className="said" data-testid="review-said" title={said.text}>
          {said.text}
        </span>
      )}
      {candidate && (
        <>
          <span className="review-status" data-testid="review-status" title={candidateLine}>
            {candidateLine}
          </span>
          <span className={`review-actions${docked ? ' docked' : ''}`} ref={actions} style={docked} data-testid="review-actions">
            <button data-testid="action-accept" onClick={() => run('accept')} title="Count it and go on (A)">
              Count it
            </button>
            <button data-testid="action-delete" onClick={() => run('delete')} title="Leave it out (Del)">
              Leave out
            </button>
          </span>
        </>
      )}
      {!said && !sel && !candidate && (
        <span className="hint-line" data-testid="review-hint">
          {reviewHint(touch, drawing)}
        </span>
      )}
      {sel && (
        <>
          <span className="review-status" data-testid="review-status" title={selLine}>
            {selLine}
          </span>
          <span className={`review-actions${docked ? ' docked' : ''}`} ref={actions} style={docked} data-testid="review-actions">
            <button data-testid="action-accept" onClick={() => run('accept')} title="Accept as it is and go on (A)">
              Accept
            </button>
            {CLASS_NAMES.map((c, i) => (
              <button key={c} data-testid={`action-relabel-${c}`} aria-pressed={sel.cls === c} onClick={() => run(`relabel-${c}`)} title={`Relabel as ${c} (${i + 1})`}>
                {c === 'Platelets' ? 'PLT' : c}
              </button>
            ))}
            {sel.cls === 'WBC' && typeNames.length > 0 && (
              <select
                data-testid="action-wbc-type"
                aria-label="WBC type"
                value={sel.wbc?.category ?? sel.wbc?.type ?? ''}
                onChange={(e) => {
                  const t = e.target.value as (typeof WBC_TYPES)[number];
                  if (WBC_TYPES.includes(t)) run(`type-${t}`);
                }}
              >
                {!sel.wbc && <option value="">Type…</option>}
                {/* a cell put among smudge / other shows it, and any type (its old one too) takes it out */}
                {sel.wbc?.category && (
                  <option value={sel.wbc.category} disabled>
                    {EXTRA_LABEL[sel.wbc.category]}
                  </option>
                )}
                {WBC_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {WBC_LABEL[t]}
                  </option>
                ))}
              </select>
            )}
            <button data-testid="action-delete" onClick={() => run('delete')} title="Delete (Del)">
              Delete
            </button>
          </span>
        </>
      )}
    </div>
  );
}
