/**
 * Pointer gestures on the image, as plain geometry: is a stroke a tap or a drawn box, and where a
 * floating panel goes beside a box on the screen. The hooks in features/canvas feed these numbers.
 */
import type { Box } from './geometry';

export interface Point {
  x: number;
  y: number;
}

/** A finger rests and wobbles: under this many screen pixels of travel a press is a tap, not a box. */
export const TAP_PX = 8;
/** A drawn box shorter than this on either side (image px) is no cell. */
export const MIN_SIDE = 3;

/**
 * What a press-move-release on the image was, from its start and end in image pixels and the view's
 * scale (screen px per image px): a tap (to select), a box (to add), or neither (a thin sliver).
 * The tap test is in screen pixels, so zooming in does not turn a finger's wobble into a box.
 */
export function strokeKind(start: Point, end: Point, scale: number, tapPx = TAP_PX, minSide = MIN_SIDE): 'tap' | 'box' | 'none' {
  const dx = Math.abs(end.x - start.x);
  const dy = Math.abs(end.y - start.y);
  if (Math.max(dx, dy) * scale < tapPx) return 'tap';
  return dx >= minSide && dy >= minSide ? 'box' : 'none';
}

/** The screen rectangle of an image-space box under a view (scale and offset) inside an element at `origin`. */
export function boxOnScreen(b: Box, view: { scale: number; x: number; y: number }, origin: Point): Box {
  return {
    x1: origin.x + view.x + b.x1 * view.scale,
    y1: origin.y + view.y + b.y1 * view.scale,
    x2: origin.x + view.x + b.x2 * view.scale,
    y2: origin.y + view.y + b.y2 * view.scale,
  };
}

/**
 * Where a panel of size w x h goes beside a target rectangle (screen px) so it stays inside the
 * viewport: below the target if it fits, else above, else over the target's lower edge; across,
 * left-aligned with the target and pulled in from the viewport's edges. A target off screen pins the
 * panel to the nearest edge, so the actions of a selected box are never out of reach.
 */
export function placeBeside(target: Box, panel: { w: number; h: number }, viewport: { w: number; h: number }, gap = 8, margin = 4): Point {
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  const maxX = Math.max(margin, viewport.w - panel.w - margin);
  const maxY = Math.max(margin, viewport.h - panel.h - margin);
  const x = clamp(target.x1, margin, maxX);
  const below = target.y2 + gap;
  const above = target.y1 - gap - panel.h;
  let y: number;
  if (below + panel.h <= viewport.h - margin) y = below;
  else if (above >= margin) y = above;
  else y = target.y2 - panel.h;
  return { x, y: clamp(y, margin, maxY) };
}
