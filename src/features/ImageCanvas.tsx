import { classColors } from '../core/detection/card';
import type Konva from 'konva';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Group, Image as KImage, Label, Layer, Rect, Stage, Tag, Text, Transformer } from 'react-konva';
import { CLASS_NAMES, type CellClass } from '../core/detection/classes';
import type { Detection } from '../core/detection/detection';

type ViewTransform = { scale: number; x: number; y: number };
import { fitTransform, zoomAbout, type Box } from '../core/detection/geometry';
import { addBox, moveBox } from '../core/edits/commands';
import { matchImage, type Labeled } from '../core/metrics/ap';
import { selectCurrent, shownDetections } from '../store/selectors';
import { useImageElement } from './useImageElement';
import { useApp, useServices, useView } from '../services/context';


interface BoxesProps {
  dets: Detection[];
  color: Record<CellClass, string>;
  outcome?: ('tp' | 'fp')[];
  selectedId: string | null;
  /** false while drawing: a new box may start on top of an existing one */
  interactive: boolean;
  onSelect(id: string): void;
  onHover(d: Detection | null): void;
  onMoved(id: string, box: Box): void;
}

/** All boxes of one image. Memoised: hover and zoom do not re-render 100+ rects. */
const Boxes = memo(function Boxes({ dets, color, outcome, selectedId, interactive, onSelect, onHover, onMoved }: BoxesProps) {
  return (
    <>
      {dets.map((d, i) => (
        <Rect
          key={d.id}
          id={`box-${d.id}`}
          x={d.box.x1}
          y={d.box.y1}
          width={d.box.x2 - d.box.x1}
          height={d.box.y2 - d.box.y1}
          stroke={color[d.cls]}
          strokeWidth={d.id === selectedId ? 3 : 1.5}
          strokeScaleEnabled={false}
          dash={outcome?.[i] === 'fp' ? [6, 4] : d.origin === 'manual' ? [2, 3] : undefined}
          fill={d.id === selectedId ? 'rgba(255,255,255,0.12)' : undefined}
          perfectDrawEnabled={false}
          shadowForStrokeEnabled={false}
          hitStrokeWidth={6}
          listening={interactive}
          draggable={d.id === selectedId}
          onMouseDown={(e) => {
            e.cancelBubble = true;
            onSelect(d.id);
          }}
          onTap={() => onSelect(d.id)}
          onMouseEnter={() => onHover(d)}
          onMouseLeave={() => onHover(null)}
          onDragEnd={(e) => {
            const n = e.target;
            onMoved(d.id, { x1: n.x(), y1: n.y(), x2: n.x() + n.width() * n.scaleX(), y2: n.y() + n.height() * n.scaleY() });
          }}
          onTransformEnd={(e) => {
            const n = e.target;
            const w = n.width() * n.scaleX();
            const h = n.height() * n.scaleY();
            n.scaleX(1);
            n.scaleY(1);
            onMoved(d.id, { x1: n.x(), y1: n.y(), x2: n.x() + w, y2: n.y() + h });
          }}
        />
      ))}
    </>
  );
});

const labelOf = (d: Detection) =>
  `${d.cls} ${d.origin === 'manual' && d.id.startsWith('u') ? 'manual' : d.score.toFixed(2)}${
    d.wbc ? ` · ${d.wbc.type.replace('_', ' ')} ${d.wbc.origin === 'manual' ? '(set by hand)' : d.wbc.p.toFixed(2)}` : ''
  }`;

/** Each WBC's type (short code, colour) and confidence; unsure types are marked with "?". */
const TypeLabels = memo(function TypeLabels({ dets, scale, code, color, lowConfidence }: { dets: Detection[]; scale: number; code: Record<string, string>; color: Record<string, string>; lowConfidence: number }) {
  return (
    <>
      {dets.map((d) =>
        d.cls === 'WBC' && d.wbc ? (
          <Label key={`t-${d.id}`} x={d.box.x1} y={d.box.y1} scaleX={1 / scale} scaleY={1 / scale} listening={false}>
            <Tag fill={color[d.wbc.type]} cornerRadius={3} opacity={0.9} />
            <Text
              text={`${code[d.wbc.type]}${d.wbc.origin === 'manual' ? ' ✓' : ` ${d.wbc.p.toFixed(2)}${d.wbc.p < lowConfidence ? ' ?' : ''}`}`}
              fill="#fff"
              padding={3}
              fontSize={13}
              fontStyle="bold"
            />
          </Label>
        ) : null,
      )}
    </>
  );
});

const Misses = memo(function Misses({ gt, matched }: { gt: Labeled[]; matched: boolean[] }) {
  return (
    <>
      {gt.map((g, i) =>
        matched[i] ? null : (
          <Rect
            key={i}
            x={g.box.x1}
            y={g.box.y1}
            width={g.box.x2 - g.box.x1}
            height={g.box.y2 - g.box.y1}
            stroke="#ffffff"
            strokeWidth={2}
            strokeScaleEnabled={false}
            dash={[1, 3]}
            listening={false}
            perfectDrawEnabled={false}
          />
        ),
      )}
    </>
  );
});

export function ImageCanvas() {
  const { card, view: viewStore, classifier, store: useServicesStore } = useServices();
  const typeCode = useMemo(() => Object.fromEntries((classifier?.classes ?? []).map((c) => [c.name, c.code])), [classifier]);
  const typeColor = useMemo(() => Object.fromEntries((classifier?.classes ?? []).map((c) => [c.name, c.color])), [classifier]);
  const COLOR = useMemo(() => classColors(card), [card]);
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const visible = useApp((s) => s.visible);
  const edit = useApp((s) => s.edit);
  const selectedId = useView((s) => s.selectedId);
  const setSelected = useView((s) => s.setSelected);
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
  const [size, setSize] = useState({ w: 800, h: 600 });
  const [hover, setHover] = useState<Detection | null>(null);
  const [draft, setDraft] = useState<Box | null>(null);
  const pinch = useRef<number | null>(null);
  // Two fingers pinch to zoom about their midpoint (one finger pans: the stage is draggable). Native
  // listeners on the wrapper, so the stage's own drag handling does not swallow the second finger.
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const move = (e: TouchEvent) => {
      if (e.touches.length !== 2) return;
      e.preventDefault();
      stage.current?.stopDrag();
      const rect = el.getBoundingClientRect();
      const [a, b] = [e.touches[0], e.touches[1]];
      const mx = (a.clientX + b.clientX) / 2 - rect.left;
      const my = (a.clientY + b.clientY) / 2 - rect.top;
      const dist = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
      const prev = pinch.current;
      if (prev) viewStore.setState((st) => ({ transform: zoomAbout(st.transform, dist / prev, mx, my) }));
      pinch.current = dist;
    };
    const end = (e: TouchEvent) => {
      if (e.touches.length < 2) pinch.current = null;
    };
    el.addEventListener('touchmove', move, { passive: false, capture: true });
    el.addEventListener('touchend', end, true);
    el.addEventListener('touchcancel', end, true);
    return () => {
      el.removeEventListener('touchmove', move, true);
      el.removeEventListener('touchend', end, true);
      el.removeEventListener('touchcancel', end, true);
    };
  }, [viewStore]);

  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    setSize({ w: el.clientWidth, h: el.clientHeight });
    return () => ro.disconnect();
  }, []);

  const width = current?.width ?? img?.naturalWidth ?? 640;
  const height = current?.height ?? img?.naturalHeight ?? 480;
  useEffect(() => {
    setView(fitTransform(width, height, size.w, size.h));
  }, [current?.id, width, height, size.w, size.h, fitNonce, setView]);

  // Review: pan and zoom to the box under review (it fills about a third of the view).
  useEffect(() => {
    if (!focus) return;
    const d = all.find((x) => x.id === focus.id);
    if (!d) return;
    const side = Math.max(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1, 8);
    const fit = fitTransform(width, height, size.w, size.h).scale;
    const scale = Math.min(8, Math.max(fit, Math.min(size.w, size.h) / (3 * side)));
    const cx = (d.box.x1 + d.box.x2) / 2;
    const cy = (d.box.y1 + d.box.y2) / 2;
    setView({ scale, x: size.w / 2 - cx * scale, y: size.h / 2 - cy * scale });
  }, [focus?.nonce]); // only when a new box is focused

  const all = useMemo(() => shownDetections(current, params), [current, params]);
  const dets = useMemo(() => all.filter((d) => visible[d.cls]), [all, visible]);
  // The selected box always shows its class and score (hover shows the box under the pointer).
  const selected = useMemo(() => (selectedId ? all.find((d) => d.id === selectedId) ?? null : null), [selectedId, all]);
  const match = useMemo(() => (current?.gt ? matchImage(current.gt, all) : null), [current?.gt, all]);
  const outcome = useMemo(() => (match ? dets.map((d) => match.detOutcome[all.indexOf(d)]) : undefined), [match, dets, all]);

  useEffect(() => {
    const node = selectedId ? stage.current?.findOne(`#box-${selectedId}`) : undefined;
    tr.current?.nodes(node ? [node] : []);
  }, [selectedId, dets]);

  const onMoved = useCallback(
    (id: string, box: Box) => current && edit(current.id, moveBox, { id, box, width, height }),
    [current, edit, width, height],
  );
  // A click selects the smallest box under the pointer (a platelet inside an RBC's box, not the RBC),
  // not the topmost one Konva hit first.
  const onSelect = useCallback(
    (id: string) => {
      const p = stage.current?.getRelativePointerPosition();
      if (!p) return setSelected(id);
      const under = dets.filter((d) => p.x >= d.box.x1 && p.x <= d.box.x2 && p.y >= d.box.y1 && p.y <= d.box.y2);
      const area = (d: Detection) => (d.box.x2 - d.box.x1) * (d.box.y2 - d.box.y1);
      setSelected(under.length ? under.reduce((a, b) => (area(b) < area(a) ? b : a)).id : id);
    },
    [setSelected, dets],
  );
  // A hover label never outlives its box or its image.
  useEffect(() => setHover(null), [current?.id, all]);

  const pointer = () => stage.current?.getRelativePointerPosition() ?? { x: 0, y: 0 };

  return (
    <div
      className={`canvas-wrap mode-${mode}`}
      ref={wrap}
      data-testid="canvas"
      role="img"
      aria-label={current ? `Smear image ${current.name}: ${dets.length} boxes shown (${CLASS_NAMES.map((c) => `${dets.filter((d) => d.cls === c).length} ${c}`).join(', ')})` : 'No image yet: drop smear images to count'}
    >
      {!current && <div className="empty">Drop images to start. Nothing is uploaded: images stay on this device.</div>}
      <Stage
        ref={stage}
        width={size.w}
        height={size.h}
        scaleX={view.scale}
        scaleY={view.scale}
        x={view.x}
        y={view.y}
        draggable={mode === 'select'}
        onDragEnd={(e) => {
          if (e.target === stage.current) setView((v) => ({ ...v, x: e.target.x(), y: e.target.y() }));
        }}
        onWheel={(e) => {
          e.evt.preventDefault();
          const p = stage.current!.getPointerPosition()!;
          setView((v) => zoomAbout(v, e.evt.deltaY < 0 ? 1.15 : 1 / 1.15, p.x, p.y));
        }}
        onMouseDown={(e) => {
          if (mode === 'draw' && current?.status === 'done') {
            const p = pointer();
            setDraft({ x1: p.x, y1: p.y, x2: p.x, y2: p.y });
          } else if (e.target === stage.current || e.target.getClassName() === 'Image') {
            setSelected(null);
          }
        }}
        onMouseMove={() => {
          if (draft) {
            const p = pointer();
            setDraft({ ...draft, x2: p.x, y2: p.y });
          }
        }}
        onMouseUp={() => {
          if (!draft || !current) return;
          if (Math.abs(draft.x2 - draft.x1) >= 3 && Math.abs(draft.y2 - draft.y1) >= 3) {
            edit(current.id, addBox, { cls: drawClass, box: draft, width, height });
            // The new box is selected, so 1/2/3 relabel it (and Shift+1..7 type a WBC).
            const added = useServicesStore.getState().images[current.id]?.edits.added;
            if (added?.length) setSelected(added[added.length - 1].id);
          }
          setDraft(null);
          setMode('select');
        }}
      >
        <Layer>
          {img && <KImage image={img} width={width} height={height} />}
          <Group>
            <Boxes dets={dets} color={COLOR} outcome={outcome} selectedId={selectedId} interactive={mode === 'select'} onSelect={onSelect} onHover={setHover} onMoved={onMoved} />
            {match && current?.gt && <Misses gt={current.gt} matched={match.gtMatched} />}
            {classifier && <TypeLabels dets={dets} scale={view.scale} code={typeCode} color={typeColor} lowConfidence={classifier.lowConfidence} />}
          </Group>
          {draft && (
            <Rect
              x={Math.min(draft.x1, draft.x2)}
              y={Math.min(draft.y1, draft.y2)}
              width={Math.abs(draft.x2 - draft.x1)}
              height={Math.abs(draft.y2 - draft.y1)}
              stroke={COLOR[drawClass]}
              strokeWidth={2}
              strokeScaleEnabled={false}
              dash={[4, 4]}
              listening={false}
            />
          )}
          <Transformer ref={tr} rotateEnabled={false} keepRatio={false} ignoreStroke flipEnabled={false} />
          {(hover ?? selected) && (
            <Label x={(hover ?? selected)!.box.x1} y={(hover ?? selected)!.box.y1} scaleX={1 / view.scale} scaleY={1 / view.scale} listening={false}>
              <Tag fill={hover ? 'rgba(0,0,0,0.75)' : COLOR[selected!.cls]} pointerDirection="down" pointerWidth={8} pointerHeight={5} cornerRadius={3} />
              <Text
                text={labelOf((hover ?? selected)!)}

                fill="#fff"
                padding={4}
                fontSize={12}
              />
            </Label>
          )}
        </Layer>
      </Stage>
      <div className="legend" aria-hidden>
        {CLASS_NAMES.map((c) => (
          <span key={c}>
            <i style={{ background: COLOR[c] }} /> {c}
          </span>
        ))}
        {match && <span>dashed: false positive · dotted white: missed</span>}
      </div>
    </div>
  );
}
