import { useCallback, useId, useRef } from 'react';
import { CLASS_NAMES, type CellClass } from '../core/detection/classes';
import { selectCurrent } from '../store/selectors';
import { useApp, useServices, useView } from '../services/context';
import { confirmDiscard, runAction as run, type ActionName } from './actions';
import { useHovers, useIsPhone } from './useIsPhone';
import { ToolbarMore } from './ToolbarMore';
import { useInputMode } from './useInputMode';
import { useFocusHandoff } from './useFocusHandoff';
import { InfoTip } from './InfoTip';
import { EngineInUse } from './EngineInUse';
import { GALLERY_KEYS } from './gallery/galleryActions';

const NOT_COUNTED = 'This image is not counted yet (or could not be counted): there are no boxes to review.';
const NOT_COUNTED_TOOLS = 'This image is not counted yet (or could not be counted): boxes are drawn and reviewed on its count.';

export function Toolbar() {
  const visible = useApp((s) => s.visible);
  const toggle = useApp((s) => s.toggleVisible);
  const current = useApp(selectCurrent);
  const undoable = useApp((s) => s.undoLog.past.length > 0);
  const redoable = useApp((s) => s.undoLog.future.length > 0);
  const services = useServices();
  const runAction = (name: ActionName) => run(services, name);
  const mode = useView((s) => s.mode);
  const drawClass = useView((s) => s.drawClass);
  const setDrawClass = useView((s) => s.setDrawClass);
  const selectedId = useView((s) => s.selectedId);
  const helpOpen = useView((s) => s.helpOpen);
  const setHelpOpen = useView((s) => s.setHelpOpen);
  const touch = useInputMode() === 'touch';
  const closeHelp = useCallback(() => setHelpOpen(false), [setHelpOpen]);
  const phone = useIsPhone();
  const whyId = useId();
  const toolsWhyId = useId();
  const hovers = useHovers();
  // a focused Delete, Undo or Redo that its own press disables hands the focus on, not to the page's body
  const drawRef = useRef<HTMLButtonElement>(null);
  const delRef = useRef<HTMLButtonElement>(null);
  const undoRef = useRef<HTMLButtonElement>(null);
  const redoRef = useRef<HTMLButtonElement>(null);
  const nextRef = useRef<HTMLButtonElement>(null);
  useFocusHandoff(delRef, !selectedId, () => [undoRef.current, drawRef.current, nextRef.current]);
  useFocusHandoff(undoRef, !undoable, () => [redoRef.current, nextRef.current, drawRef.current]);
  useFocusHandoff(redoRef, !redoable, () => [undoRef.current, nextRef.current, drawRef.current]);
  // Why Draw and Next uncertain are off on an image not counted: said to a screen reader everywhere; on a touch screen,
  // where their disabled buttons answer no tap and show no title, on a line of its own under the toolbar's row (a "?"
  // beside them pushed More onto a second row at 390 px; the canvas of an image not counted is empty anyway)
  const toolsOff = !!current && current.status !== 'done';
  const toolsWhy = toolsOff && (
    <span className={hovers ? 'sr-only' : 'tools-why'} id={toolsWhyId} data-testid="tools-why">
      {NOT_COUNTED_TOOLS}
    </span>
  );
  const fit = (
    <button onClick={() => runAction('fit')} title="Fit to view (F)">
      Fit
    </button>
  );
  // in the toolbar, not only in the differential panel: the panel is folded on a phone
  const gallery = (
    <button data-testid="open-gallery" onClick={() => services.gallery.getState().setOpen(true)} title="Verify the sample's WBCs, grouped by type">
      Gallery
    </button>
  );
  const shown = CLASS_NAMES.map((c) => (
    <label key={c} className="check">
      <input type="checkbox" checked={visible[c]} onChange={() => toggle(c)} data-testid={`visible-${c}`} /> {c}
    </label>
  ));
  const draw = (
    <button
      ref={drawRef}
      aria-pressed={mode === 'draw'}
      disabled={current?.status !== 'done' && mode !== 'draw'}
      aria-describedby={toolsOff ? toolsWhyId : undefined}
      onClick={() => runAction(mode === 'draw' ? 'escape' : 'draw')}
      title="Draw a new box (N), class from 1/2/3"
      data-testid="draw-box"
    >
      Draw
    </button>
  );
  const drawAs = (
    <select value={drawClass} onChange={(e) => setDrawClass(e.target.value as CellClass)} aria-label="Class for new boxes">
      {CLASS_NAMES.map((c) => (
        <option key={c}>{c}</option>
      ))}
    </select>
  );
  const del = (
    <button ref={delRef} onClick={() => runAction('delete')} disabled={!selectedId} title="Delete selected (Del)" data-testid="toolbar-delete">
      Delete
    </button>
  );
  const undo = (
    <button ref={undoRef} onClick={() => runAction('undo')} disabled={!undoable} title="Undo (Ctrl+Z)" data-testid="toolbar-undo">
      Undo
    </button>
  );
  const redo = (
    <button ref={redoRef} onClick={() => runAction('redo')} disabled={!redoable} title="Redo (Ctrl+Shift+Z or Ctrl+Y)">
      Redo
    </button>
  );
  const next = (
    <button ref={nextRef} onClick={() => runAction('next-uncertain')} disabled={current?.status !== 'done'} aria-describedby={toolsOff ? toolsWhyId : undefined} title="Next least-certain detection (U); once each is accepted or corrected, mark reviewed and go to the next image" data-testid="review-next">
      Next uncertain
    </button>
  );
  // Why Reviewed cannot be ticked: a title where a mouse hovers; on a touch screen, where a title never shows and a
  // disabled box answers no tap, a "?" beside it says it on a tap. Both describe the box to a screen reader.
  const notCounted = !!current && current.status !== 'done' && !current.reviewed;
  const reviewedBox = (
    <label className="check" title={notCounted && hovers ? NOT_COUNTED : undefined}>
      {/* an image not counted has no boxes anyone has seen: the store refuses to mark it, so the box is disabled */}
      <input
        type="checkbox"
        checked={!!current?.reviewed}
        disabled={!current || (current.status !== 'done' && !current.reviewed)}
        onChange={() => runAction('toggle-reviewed')}
        aria-describedby={notCounted ? whyId : undefined}
        data-testid="reviewed"
      />{' '}
      {touch ? 'Reviewed' : 'Reviewed (R)'}
    </label>
  );
  // the description outside the label, or it would be read as part of the box's name
  const reviewed = notCounted ? (
    <span className="check-why">
      {reviewedBox}
      <span className="sr-only" id={whyId}>
        {NOT_COUNTED}
      </span>
      {!hovers && (
        <InfoTip label="Why Reviewed is off" testId="reviewed-why">
          {NOT_COUNTED}
        </InfoTip>
      )}
    </span>
  ) : (
    reviewedBox
  );
  // One image out of the batch (a wrong field, a picture that is not a smear): asked first, as Clear session is.
  const remove = (
    <button
      className="danger"
      onClick={() => current && confirmDiscard(services, current.id)}
      disabled={!current || current.status === 'running'}
      title="Take this image out of the batch: its counts and edits leave the totals, and Undo brings it back (Del in the image list)"
      data-testid="remove-image"
    >
      Remove image
    </button>
  );
  const shortcuts = (
    <details className="shortcuts" hidden={touch} open={helpOpen} onToggle={(e) => setHelpOpen((e.target as HTMLDetailsElement).open)} data-testid="shortcuts">
      <summary>Keys (?)</summary>
      <dl>
        <dt>Click</dt><dd>select a box; drag or handles to move / resize</dd>
        <dt>] [</dt><dd>select the next / previous box (every box, in reading order)</dd>
        <dt>Del</dt><dd>delete the selected box</dd>
        <dt>1 2 3</dt><dd>relabel as RBC / WBC / Platelets (or class for new boxes)</dd>
        <dt>N</dt><dd>draw a new box (drag), or N then Enter: a box in the middle of the view</dd>
        <dt>Shift+arrows</dt><dd>move the selected box (with Alt, resize it); with no box selected, pan the view</dd>
        <dt>Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y</dt><dd>undo, redo</dd>
        <dt>U</dt><dd>next uncertain box (score within the review band of its threshold, unsure WBC types first); past the last, on to the next image to review (the image stays unreviewed while a box was skipped; the batch's start again after its end)</dd>
        <dt>A</dt><dd>accept the box under review and go on (a WBC's unsure type: verified as shown)</dd>
        <dt>Shift+1…7</dt><dd>set the selected WBC's type</dd>
        <dt>Esc</dt><dd>cancel drawing, clear the selection</dd>
        <dt>R</dt><dd>mark reviewed</dd>
        <dt>P</dt><dd>the report: verify and print</dd>
        <dt>E</dt><dd>the exports (CSV, JSON, VOC, PNG): the focus on the first, Tab to the others</dd>
        <dt>G</dt><dd>the WBC gallery: the batch's WBCs by type, to verify</dd>
        <dt>In the gallery</dt><dd>{GALLERY_KEYS}</dd>
        <dt>↑ ↓ / J K</dt><dd>previous / next image (also in the image list, with Tab)</dd>
        <dt>Del in the image list</dt><dd>remove that image from the batch (asks first)</dd>
        <dt>?</dt><dd>this sheet</dd>
        <dt>F · + / − or wheel · drag</dt><dd>fit · zoom · pan</dd>
      </dl>
    </details>
  );
  // A phone: the review and editing actions in one row, the rest behind More (no sideways scrolling).
  if (phone)
    return (
      <div className="toolbar phone" role="toolbar" aria-label="Canvas tools">
        {next}
        {draw}
        {del}
        {undo}
        <ToolbarMore show={helpOpen && !touch} onClose={closeHelp}>
          {fit}
          {gallery}
          {redo}
          {drawAs}
          {reviewed}
          {shown}
          {remove}
          {shortcuts}
          <EngineInUse />
        </ToolbarMore>
        {toolsWhy}
      </div>
    );
  return (
    <div className="toolbar" role="toolbar" aria-label="Canvas tools">
      {fit}
      {gallery}
      <span className="sep" />
      {shown}
      <span className="sep" />
      {draw}
      {drawAs}
      {del}
      {undo}
      {redo}
      <span className="sep" />
      {next}
      {reviewed}
      <span className="sep" />
      {remove}
      {shortcuts}
      {toolsWhy}
    </div>
  );
}
