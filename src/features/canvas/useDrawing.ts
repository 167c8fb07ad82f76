import type Konva from 'konva';
import { useState, type RefObject } from 'react';
import type { Box } from '../../core/detection/geometry';

/** A box shorter than this on either side (image px) is taken for a click, not a drawing. */
const MIN_SIDE = 3;

/** Drawing a new box by dragging on the stage: the draft box while the button is down, and the
 * finished box (at least MIN_SIDE a side) handed to onDrawn. */
export function useDrawing(stage: RefObject<Konva.Stage | null>, onDrawn: (box: Box) => void) {
  const [draft, setDraft] = useState<Box | null>(null);
  const pointer = () => stage.current?.getRelativePointerPosition() ?? { x: 0, y: 0 };
  return {
    draft,
    start() {
      const p = pointer();
      setDraft({ x1: p.x, y1: p.y, x2: p.x, y2: p.y });
    },
    move() {
      if (!draft) return;
      const p = pointer();
      setDraft({ ...draft, x2: p.x, y2: p.y });
    },
    /** Ends a drawing; false when none was in progress. */
    end(): boolean {
      if (!draft) return false;
      if (Math.abs(draft.x2 - draft.x1) >= MIN_SIDE && Math.abs(draft.y2 - draft.y1) >= MIN_SIDE) onDrawn(draft);
      setDraft(null);
      return true;
    },
  };
}
