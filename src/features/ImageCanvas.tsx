/** The smear image with its boxes: renders from the stores; pinch, sizing, review focus and drawing are hooks in canvas/. */
import type Konva from 'konva';
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { Group, Image as KImage, Label, Layer, Rect, Stage, Tag, Text, Transformer } from 'react-konva';
import { classColors } from '../core/detection/card';
import { CLASS_NAMES } from '../core/detection/classes';
import type { Detection } from '../core/detection/detection';
import { fitTransform, smallestBoxAt, zoomAbout, type Box } from '../core/detection/geometry';
import { DOCK_PX } from '../core/detection/gesture';
import { addBox, moveBox } from '../core/edits/commands';
import { matchImage } from '../core/metrics/ap';
import { belowThresholdOf, debrisExcluded, opticsExcluded, ruleExcluded, selectCurrent, shownDetections } from '../store/selectors';
import type { ViewTransform } from '../store/viewStore';
import { useInputMode } from './useInputMode';
import { useApp, useServices, useView } from '../services/context';
import { Boxes, Misses, RuleExcluded, tipAt, TypeLabels } from './canvas/layers';
import { canvasWords, labelOf } from './canvas/labelText';
import { useDrawing } from './canvas/useDrawing';
import { usePinchZoom } from './canvas/usePinchZoom';
import { useReviewFocus } from './canvas/useReviewFocus';
import { useStageSize } from './canvas/useStageSize';
import { useImageElement } from './useImageElement';
import { useIsPhone, useIsWide } from './useIsPhone';
import { textOn } from '../core/detection/contrast';
import { cornerRadius, shapeWord } from '../core/detection/classMark';
import { browserLocale } from '../core/formats/numbers';
import { TapHint } from './TapHint';

const isTouch = (e: Event | undefined) => !!e && (('touches' in e && !!(e as TouchEvent).touches) || (e as PointerEvent).pointerType === 'touch');

/** Specks on the optics, and unstained specks (core/quality/debris), are drawn in one neutral grey, whatever class the detector gave them. */
/** The same view to within a hundredth of a pixel (the fit is computed, the store holds what was set). */
const sameView = (a: ViewTransform, b: ViewTransform) => Math.abs(a.scale - b.scale) < 1e-6 && Math.abs(a.x - b.x) < 0.01 && Math.abs(a.y - b.y) < 0.01;
const OPTICS_COLOR = { RBC: '#9aa0a6', WBC: '#9aa0a6', Platelets: '#9aa0a6' } as const;

/** A touch screen's box handles (screen px). Konva's 10-px squares took a finger only within about 9 px of a
 * corner, where the page's other controls are 40-44 px. */
const TOUCH_ANCHOR = 18;
/** Each handle takes a finger up to 44 px across (22 px from its centre), but never within 8 px of the box's
 * middle, which still drags the box whole; drawn smaller on a small box, so it does not hide the cell. */
function fingerAnchor(a: Konva.Rect) {
  const t = a.getParent();
  const side = t ? Math.min(Math.abs(t.width()), Math.abs(t.height())) : 0;
  const size = Math.max(10, Math.min(TOUCH_ANCHOR, side / 3));
  const reach = Math.min(22, side / 2 - 8);
  a.setAttrs({ width: size, height: size, offsetX: size / 2, offsetY: size / 2, hitStrokeWidth: Math.max(0, 2 * (reach - size / 2)) });
}

export function ImageCanvas() {
  const { card, view: viewStore, classifier, store: useServicesStore } = useServices();
  const touch = useInputMode() === 'touch';
  const typeCode = useMemo(() => Object.fromEntries((classifier?.classes ?? []).map((c) => [c.name, c.code])), [classifier]);
  const typeColor = useMemo(() => Object.fromEntries((classifier?.classes ?? []).map((c) => [c.name, c.color])), [classifier]);
  const COLOR = useMemo(() => classColors(card), [card]);
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const visible = useApp((s) => s.visible);
  const edit = useApp((s) => s.edit);
  const selectedId = useView((s) => s.selectedId);
  const setSelected = useView((s) => s.setSelected);
  const say = useView((s) => s.say);
  const mode = useView((s) => s.mode);
  const setMode = useView((s) => s.setMode);
  const drawClass = useView((s) => s.drawClass);
  const fitNonce = useView((s) => s.fitNonce);
  const focus = useView((s) => s.focus);
  // The stage transform is stored once, in the view store.
  const view = useView((s) => s.transform);
  const setView = useCallback(
    (f: ViewTransform | ((v: ViewTransform) => ViewTransform)) =>
      viewStore.setState((s) => ({ transform: typeof f === 'function' ? f(s.transform) : f })),
    [viewStore],
  );
  const img = useImageElement(current?.id);
  const wrap = useRef<HTMLDivElement>(null);
  const stage = useRef<Konva.Stage>(null);
  const tr = useRef<Konva.Transformer>(null);
  const [hovered, setHover] = useState<Detection | null>(null);
  // A hover label never outlives its box or its image: shown only while the box is still one of those shown.
  usePinchZoom(wrap, stage, viewStore);
  const size = useStageSize(wrap);
  useEffect(() => viewStore.getState().setViewport(size), [viewStore, size]);

  const width = current?.width ?? img?.naturalWidth ?? 640;
  const height = current?.height ?? img?.naturalHeight ?? 480;
  // A phone fits the image to the top of the canvas: higher on the screen, and the room below it holds
  // the selected box's actions (useActionDock) without covering a cell.
  const phone = useIsPhone();
  const labelPx = useIsWide() ? 17 : 13;
  // The fit each image (and F) gets, and what it was for: the canvas only a little shorter or taller (a line of
  // the review bar came or went: N then Enter's answer, U's; a notice) keeps a view the technician zoomed or panned,
  // and fits again only a view that was the fit. Every change of the canvas's size fitted the field again, so a box
  // just placed by keyboard in a zoomed view was shown at the fitted scale the moment its line appeared (e2e
  // firstuse.spec). A change of width (the window, a phone turned) fits again, as before.
  const lastFit = useRef<{ key: string; w: number; t: ViewTransform } | null>(null);
  useEffect(() => {
    const fit = fitTransform(width, height, size.w, size.h, 8, phone ? 'top' : 'centre');
    const key = `${current?.id}|${width}|${height}|${fitNonce}|${phone}`;
    const prev = lastFit.current;
    lastFit.current = { key, w: size.w, t: fit };
    if (prev && prev.key === key && prev.w === size.w && !sameView(viewStore.getState().transform, prev.t)) return;
    setView(fit);
  }, [current?.id, width, height, size.w, size.h, fitNonce, setView, phone, viewStore]);

  const reviewBand = useApp((s) => s.reviewBand);
  // the shown boxes, and the one U is visiting in the band below the threshold (drawn while selected). That one
  // (candidateId) is not counted, so it is not moved or resized until counted (A): a move of it was kept in
  // the edits unseen (the box snapped back), and showed once counted.
  const { all, candidateId } = useMemo(() => {
    const shown = shownDetections(current, params);
    const candidate = selectedId && !shown.some((d) => d.id === selectedId) ? belowThresholdOf(current, params, reviewBand).find((d) => d.id === selectedId) : undefined;
    return { all: candidate ? [...shown, candidate] : shown, candidateId: candidate?.id ?? null };
  }, [current, params, selectedId, reviewBand]);
  // After the fit above, so a focus that comes with a new image wins over the image's fit.
  useReviewFocus(focus, all, { width, height }, size, setView, phone ? DOCK_PX : 0, wrap, phone ? 'top' : 'centre');
  // The selected box is drawn whatever its class's toggle: U and ] visit every class, and a box of a class
  // hidden from view was selected, accepted or deleted unseen.
  const dets = useMemo(() => all.filter((d) => visible[d.cls] || d.id === selectedId), [all, visible, selectedId]);
  const hover = hovered && all.includes(hovered) ? hovered : null;
  const excluded = useMemo(() => ruleExcluded(current, params).filter((d) => visible[d.cls]), [current, params, visible]);
  const optics = useMemo(() => opticsExcluded(current, params), [current, params]);
  const debris = useMemo(() => debrisExcluded(current, params), [current, params]);
  // drawn dotted (canvas/layers): without a word the dots read as the count rule's faint dashed cells
  const manual = useMemo(() => dets.filter((d) => d.origin === 'manual').length, [dets]);
  // On a touch screen a swipe over the image at its fitted size scrolls the page (the canvas fills
  // most of a phone); zoomed in, or drawing, the finger pans or draws instead. Two fingers always zoom.
  const fitted = fitTransform(width, height, size.w, size.h).scale;
  const zoomed = view.scale > fitted * 1.02;
  const pageScrolls = mode === 'select' && !zoomed;
  // The selected box always shows its class and score (hover shows the box under the pointer).
  const selected = useMemo(() => (selectedId ? all.find((d) => d.id === selectedId) ?? null : null), [selectedId, all]);
  const gt = current?.gt;
  const match = useMemo(() => (gt ? matchImage(gt, all) : null), [gt, all]);
  const outcome = useMemo(() => (match ? dets.map((d) => match.detOutcome[all.indexOf(d)]) : undefined), [match, dets, all]);

  useEffect(() => {
    const node = selectedId && selectedId !== candidateId ? stage.current?.findOne(`#box-${selectedId}`) : undefined;
    tr.current?.nodes(node ? [node] : []);
  }, [selectedId, candidateId, dets]);

  // A drag or a transform that leaves the box where it was is no edit. A tap on the selected box's handle (where a
  // finger tapping its edge lands) ends a transform of nothing, and the model's box became one set by hand: its
  // score gone, dotted, an Undo step (moveBox records any box given for a model box). Konva gives the box back as
  // x + width * scale, so "where it was" allows a rounding's difference.
  const onMoved = useCallback(
    (id: string, box: Box, keepSize?: boolean) => {
      const was = all.find((d) => d.id === id)?.box;
      const still = (a: number, b: number) => Math.abs(a - b) < 1e-6;
      if (was && still(was.x1, box.x1) && still(was.y1, box.y1) && still(was.x2, box.x2) && still(was.y2, box.y2)) return;
      if (current) edit(current.id, moveBox, { id, box, width, height, keepSize });
    },
    [current, edit, width, height, all],
  );
  // A selection outlives no box: an undo that takes back the box drawn (and selected) left it selected, unseen,
  // and the next 1/2/3 or Delete acted on it, a step of the history that changed nothing and cleared the redo.
  const gone = !!selectedId && current?.status === 'done' && !all.some((d) => d.id === selectedId);
  useEffect(() => {
    if (gone) setSelected(null);
  }, [gone, setSelected]);
  // A click selects the smallest box under the pointer, not the topmost one Konva hit first.
  const onSelect = useCallback(
    (id: string) => {
      const p = stage.current?.getRelativePointerPosition();
      setSelected((p && smallestBoxAt(dets, p)?.id) || id);
    },
    [setSelected, dets],
  );

  const drawing = useDrawing(
    stage,
    (box) => {
      if (!current) return;
      const before = useServicesStore.getState().images[current.id]?.edits;
      edit(current.id, addBox, { cls: drawClass, box, width, height });
      const after = useServicesStore.getState().images[current.id]?.edits;
      // drawn off the image (the canvas's margin): nothing is added, and the technician is told why
      if (after === before) return say(`No box added: draw it on the image (that stroke lay ${box.y2 < 0 || box.y1 > height || box.x2 < 0 || box.x1 > width ? 'outside it' : 'on its very edge'}).`);
      // The new box is selected, so 1/2/3 relabel it (and Shift+1..7 type a WBC).
      const added = after?.added;
      if (added?.length) setSelected(added[added.length - 1].id);
    },
    // A tap in Draw mode selects the cell under it (none: clears the selection), as in Select mode.
    (p) => setSelected(smallestBoxAt(dets, p)?.id ?? null),
  );
  const draft = drawing.draft;

  const tipFor = hover ?? selected;
  const tipText = tipFor ? labelOf(tipFor, browserLocale()) : '';
  const tip = tipFor ? { text: tipText, ...tipAt(tipFor.box, tipText, labelPx - 1, view.scale, width, height) } : null;
  return (
    // The legend sits under the canvas on a phone, where the selected box's actions dock over the canvas's
    // bottom edge (on its side, beside the fitted field); --img-ar lets a phone's canvas be as tall as the
    // image needs, and sizes that legend to the room beside the field (styles.css).
    <div className="canvas-area" style={{ '--img-ar': width && height ? height / width : 0.75 } as CSSProperties}>
      <div
        className={`canvas-wrap mode-${mode}`}
        ref={wrap}
        style={{ touchAction: pageScrolls ? 'pan-y' : 'none' }}
        data-page-scrolls={pageScrolls}
        data-testid="canvas"
        role="img"
        aria-label={current ? canvasWords(current.name, dets, excluded.length, browserLocale()) : 'No image yet: drop smear images to count'}
      >
        {/* The empty canvas is the biggest target on a phone: a tap there opens the file chooser too. */}
        {!current && (
          <label className="empty" htmlFor="add-images-input" data-testid="canvas-empty">
            {touch ? 'Tap to add images.' : 'Add images (or drop them here) to start.'} Nothing is uploaded: images stay on this device.
          </label>
        )}
        <Stage
          ref={stage}
          width={size.w}
          height={size.h}
          scaleX={view.scale}
          scaleY={view.scale}
          x={view.x}
          y={view.y}
          draggable={mode === 'select'}
          onDragStart={(e) => {
            // A finger at the fitted size scrolls the page (touch-action above); it must not drag the image too.
            if (e.target === stage.current && pageScrolls && isTouch(e.evt)) e.target.stopDrag();
          }}
          onDragEnd={(e) => {
            if (e.target === stage.current) setView((v) => ({ ...v, x: e.target.x(), y: e.target.y() }));
          }}
          onWheel={(e) => {
            e.evt.preventDefault();
            const p = stage.current!.getPointerPosition()!;
            setView((v) => zoomAbout(v, e.evt.deltaY < 0 ? 1.15 : 1 / 1.15, p.x, p.y));
          }}
          onMouseDown={(e) => {
            if (mode !== 'draw' && (e.target === stage.current || e.target.getClassName() === 'Image')) setSelected(null);
          }}
          // Draw mode takes pointer events, so a mouse, a pen and one finger all draw (two fingers pinch).
          onPointerDown={(e) => {
            if (mode === 'draw' && current?.status === 'done') drawing.start(e.evt);
          }}
          onPointerMove={drawing.move}
          onPointerUp={(e) => {
            if (drawing.end(e.evt) !== 'none') setMode('select');
          }}
          onPointerCancel={(e) => drawing.cancel(e.evt)}
        >
          <Layer>
            {/* Konva cancels a touch that starts on a listening shape, which would stop the page scrolling under a finger. */}
            {img && <KImage image={img} width={width} height={height} preventDefault={!pageScrolls} />}
            <Group>
              <RuleExcluded dets={excluded} color={COLOR} />
              <RuleExcluded dets={optics} color={OPTICS_COLOR} />
              <RuleExcluded dets={debris} color={OPTICS_COLOR} />
              <Boxes dets={dets} color={COLOR} outcome={outcome} selectedId={selectedId} fixedId={candidateId} interactive={mode === 'select'} pageScrolls={pageScrolls} onSelect={onSelect} onHover={setHover} onMoved={onMoved} />
              {match && current?.gt && <Misses gt={current.gt} matched={match.gtMatched} />}
              {classifier && <TypeLabels dets={dets} scale={view.scale} code={typeCode} color={typeColor} lowConfidence={classifier.lowConfidence} fontSize={labelPx} />}
            </Group>
            {draft && (
              <Rect
                x={Math.min(draft.x1, draft.x2)}
                y={Math.min(draft.y1, draft.y2)}
                width={Math.abs(draft.x2 - draft.x1)}
                height={Math.abs(draft.y2 - draft.y1)}
                stroke={COLOR[drawClass]}
                cornerRadius={cornerRadius(drawClass, draft)}
                strokeWidth={2}
                strokeScaleEnabled={false}
                dash={[4, 4]}
                listening={false}
              />
            )}
            <Transformer ref={tr} rotateEnabled={false} keepRatio={false} ignoreStroke flipEnabled={false} anchorSize={touch ? TOUCH_ANCHOR : 10} anchorStyleFunc={touch ? fingerAnchor : undefined} />
            {tip && (
              <Label x={tip.x} y={tip.y} scaleX={1 / view.scale} scaleY={1 / view.scale} listening={false}>
                <Tag fill={hover ? 'rgba(0,0,0,0.75)' : COLOR[selected!.cls]} pointerDirection={tip.pointer} pointerWidth={8} pointerHeight={5} cornerRadius={3} />
                <Text text={tip.text} fill={hover ? '#fff' : textOn(COLOR[selected!.cls])} padding={4} fontSize={labelPx - 1} />
              </Label>
            )}
          </Layer>
        </Stage>
      </div>
      {/* the class key is read as the counts table reads it; the hints on what a dotted or grey box means are
          read and, by touch, tapped (a title, hover-only, never reached a finger, and the key let no pointer through) */}
      <div className="legend" data-testid="legend">
        {/* each class as its boxes are drawn: the outline's colour and shape (core/detection/classMark) */}
        {CLASS_NAMES.map((c) => (
          <span key={c} data-testid={`legend-${c}`} aria-hidden>
            <i className={`class-mark ${shapeWord(c)}`} style={{ borderColor: COLOR[c] }} /> {c}
          </span>
        ))}
        {match && <span aria-hidden>dashed: false positive · dotted white: missed</span>}
        {manual > 0 && (
          <TapHint testId="legend-manual" tip="A box drawn, relabelled, moved or resized by hand: counted as the technician set it, with no model score.">
            dotted: {manual} set by hand
          </TapHint>
        )}
        {excluded.length > 0 && (
          <span data-testid="legend-excluded" aria-hidden>
            faint: {excluded.length} left out by the count rule
          </span>
        )}
        {optics.length > 0 && (
          <TapHint testId="legend-optics" tip="The same speck sits at this spot in several images of the batch while the cells move: dust on the camera or a lens, not a cell.">
            grey: {optics.length} {optics.length === 1 ? 'speck' : 'specks'} on the camera or lens, not counted
          </TapHint>
        )}
        {debris.length > 0 && (
          <TapHint testId="legend-debris" tip="Grey where this field's cells are stained: a platelet takes up the stain, dust and debris do not. Edit the box to count it.">
            grey: {debris.length} unstained {debris.length === 1 ? 'speck' : 'specks'}, not counted
          </TapHint>
        )}
      </div>
    </div>
  );
}
