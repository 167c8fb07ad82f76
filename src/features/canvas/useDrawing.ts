import type Konva from 'konva';
import { useRef, useState, type RefObject } from 'react';
import type { Box } from '../../core/detection/geometry';
import { strokeKind, type Point } from '../../core/detection/gesture';

/**
 * Drawing a new box with one pointer: a mouse, a pen or one finger (pointer events, so touch draws
 * too). The draft follows the pointer; on release a stroke becomes a box (onDrawn) or, if it barely
 * moved, a tap at that point (onTap). A second finger means a pinch: the draft is dropped and the
 * fingers zoom (usePinchZoom), with nothing added.
 */
export function useDrawing(stage: RefObject<Konva.Stage | null>, onDrawn: (box: Box) => void, onTap: (p: Point) => void) {
  // The draft lives in a ref for the event handlers (several moves may arrive between renders) and in
  // state for the dashed rectangle on screen.
  const [draft, setDraftState] = useState<Box | null>(null);
  const ref = useRef<Box | null>(null);
  const pointers = useRef(new Set<number>());
  const setDraft = (b: Box | null) => {
    ref.current = b;
    setDraftState(b);
  };
  const pointer = () => stage.current?.getRelativePointerPosition() ?? { x: 0, y: 0 };
  return {
    draft,
    /** A pointer went down on the image. */
    start(e: PointerEvent) {
      // The primary pointer is the first one down: anything still recorded was lost outside the stage.
      if (e.isPrimary) pointers.current.clear();
      pointers.current.add(e.pointerId);
      if (pointers.current.size > 1) return setDraft(null);
      const p = pointer();
      setDraft({ x1: p.x, y1: p.y, x2: p.x, y2: p.y });
    },
    move() {
      if (!ref.current || pointers.current.size > 1) return;
      const p = pointer();
      setDraft({ ...ref.current, x2: p.x, y2: p.y });
    },
    /** The browser took the pointer (or it left the page): nothing is drawn. */
    cancel(e: PointerEvent) {
      pointers.current.delete(e.pointerId);
      setDraft(null);
    },
    /** A pointer came up: what the stroke was ('none' also when no drawing was in progress). */
    end(e: PointerEvent): 'box' | 'tap' | 'none' {
      pointers.current.delete(e.pointerId);
      const d = ref.current;
      if (!d) return 'none';
      setDraft(null);
      const kind = strokeKind({ x: d.x1, y: d.y1 }, { x: d.x2, y: d.y2 }, stage.current?.scaleX() ?? 1);
      if (kind === 'box') onDrawn(d);
      else if (kind === 'tap') onTap({ x: d.x1, y: d.y1 });
      return kind;
    },
  };
}
