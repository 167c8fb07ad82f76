/**
 * Pointer gestures on the image, as plain geometry: is a stroke a tap or a drawn box, and where a
 * panel of actions docks on the canvas clear of a box. The hooks in features/canvas feed these numbers.
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

/** The room a phone keeps under a box it zooms onto for review: the docked actions (one row of
 * finger-sized buttons, its padding and margin), so the box and the cells around it stay clear of them. */
export const DOCK_PX = 60;

/**
 * Where a full-width panel of height h docks on the visible part of the canvas (screen px) so that it
 * covers neither the target box nor its neighbours: a ring one box high above and below it, where the
 * next cells lie. At the bottom edge if that is clear, else at the top edge, else (a box as tall as the
 * canvas) at the bottom. With the image's place on screen (`image`), an edge is the image's own where the
 * canvas has room for the panel beyond it: a field narrower than the canvas is tall (a 4:3 field on a phone,
 * or one zoomed so its bottom is in view) left the panel up to 190 px under the image, with nothing between.
 * Off the image the panel covers no cell at all, so there it is always clear. The visible part is the canvas
 * within the viewport, so the panel follows as the page scrolls; it never leaves the viewport.
 */
export function placeDocked(target: Box, canvas: Box, panelH: number, viewport: { w: number; h: number }, margin = 4, image?: Box): { x: number; y: number; w: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  const room = panelH + 2 * margin;
  const y1 = image && image.y1 - room >= canvas.y1 ? image.y1 - room : canvas.y1;
  const y2 = image && image.y2 + room <= canvas.y2 ? image.y2 + room : canvas.y2;
  const top = Math.max(y1, 0) + margin;
  const bottom = Math.min(y2, viewport.h) - margin - panelH;
  const ring = target.y2 - target.y1;
  const offImage = (y: number) => !!image && (y >= image.y2 || y + panelH <= image.y1);
  const clear = (y: number) => offImage(y) || y >= target.y2 + ring || y + panelH <= target.y1 - ring;
  const y = clear(bottom) || !clear(top) ? bottom : top;
  const x = clamp(canvas.x1, 0, viewport.w) + margin;
  const w = Math.max(0, clamp(canvas.x2, 0, viewport.w) - margin - x);
  return { x, y: clamp(y, margin, Math.max(margin, viewport.h - panelH - margin)), w };
}
