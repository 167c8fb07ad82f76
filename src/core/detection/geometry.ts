/**
 * Boxes and the coordinate spaces they live in. Every conversion between spaces is here.
 *
 * - image space: pixels of the file the technician dropped (what exports and ground truth use);
 * - model space: pixels of the scaled tensor fed to the model (see planInput in preprocess.ts);
 * - stage space: Konva handles it with one uniform scale + offset on the layer, so boxes stay in image space.
 */
declare const space: unique symbol;
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
export type ImageBox = Box & { readonly [space]?: 'image' };
export type ModelBox = Box & { readonly [space]?: 'model' };

export function area(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

export function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Model pixels per image pixel on each axis. The model input's size is floored, so a scale s gives
 * floor(W·s)/W across and floor(H·s)/H down: not quite the same. */
export interface AxisScale {
  x: number;
  y: number;
}

/** The per-axis scale of a model input of `size` made from a width x height image. */
export function inputScale(width: number, height: number, size: { width: number; height: number }): AxisScale {
  return { x: size.width / width, y: size.height / height };
}

/** Model pixels -> image pixels, for a model input that is the image scaled by `scale` (one number: both axes). */
export function modelToImage(b: ModelBox, scale: number | AxisScale): ImageBox {
  const { x, y } = typeof scale === 'number' ? { x: scale, y: scale } : scale;
  return { x1: b.x1 / x, y1: b.y1 / y, x2: b.x2 / x, y2: b.y2 / y };
}

export function imageToModel(b: ImageBox, scale: number): ModelBox {
  return { x1: b.x1 * scale, y1: b.y1 * scale, x2: b.x2 * scale, y2: b.y2 * scale };
}

/** Normalise corner order and clip to the image. */
export function normalizeBox(b: Box, width: number, height: number): ImageBox {
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  return {
    x1: clamp(Math.min(b.x1, b.x2), width),
    y1: clamp(Math.min(b.y1, b.y2), height),
    x2: clamp(Math.max(b.x1, b.x2), width),
    y2: clamp(Math.max(b.y1, b.y2), height),
  };
}

/** Uniform fit of a width x height image into a viewport, centred; or, `top`, centred across and at the
 * top (a phone: the image as high on the screen as it goes, the room below it for the actions). */
export function fitTransform(
  width: number,
  height: number,
  viewW: number,
  viewH: number,
  margin = 8,
  align: 'centre' | 'top' = 'centre',
): { scale: number; x: number; y: number } {
  const scale = Math.max(1e-3, Math.min((viewW - 2 * margin) / width, (viewH - 2 * margin) / height));
  return { scale, x: (viewW - width * scale) / 2, y: align === 'top' ? margin : (viewH - height * scale) / 2 };
}

/** Zoom by `factor` about a fixed point (stage coordinates) so that point stays under the cursor. */
export function zoomAbout(
  t: { scale: number; x: number; y: number },
  factor: number,
  px: number,
  py: number,
  min = 0.05,
  max = 40,
): { scale: number; x: number; y: number } {
  const scale = Math.min(max, Math.max(min, t.scale * factor));
  const k = scale / t.scale;
  return { scale, x: px - (px - t.x) * k, y: py - (py - t.y) * k };
}

/** The smallest of the boxes containing point p (edges included), or null. A click means the smallest
 * cell under the pointer (a platelet inside an RBC's box, not the RBC), whatever is drawn on top. */
export function smallestBoxAt<T extends { box: Box }>(items: readonly T[], p: { x: number; y: number }): T | null {
  let best: T | null = null;
  for (const d of items) {
    const b = d.box;
    if (p.x < b.x1 || p.x > b.x2 || p.y < b.y1 || p.y > b.y2) continue;
    if (!best || area(b) < area(best.box)) best = d;
  }
  return best;
}

/** The view that centres box b, zoomed so the box fills about a third of the viewport: never more than 8x,
 * and never less than the fit of the whole image, even where that fit is itself above 8x (a tiny image on a
 * large screen, where capping first zoomed the view out below the image's own fit). */
export function focusTransform(b: Box, width: number, height: number, viewW: number, viewH: number): { scale: number; x: number; y: number } {
  const side = Math.max(b.x2 - b.x1, b.y2 - b.y1, 8);
  const fit = fitTransform(width, height, viewW, viewH).scale;
  const scale = Math.max(fit, Math.min(8, Math.min(viewW, viewH) / (3 * side)));
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2;
  return { scale, x: viewW / 2 - cx * scale, y: viewH / 2 - cy * scale };
}

/** A view moved no further than it must to keep the image over the canvas: on an axis where the image, at the
 * view's scale, fits inside the canvas's margins, it sits where the fit puts it (centred; `top`: at the top
 * margin); where it is larger, its edges are kept at or past the margins. A box of the image centred by
 * focusTransform stays in view, nearer an edge where it lies near the image's. On a short, wide canvas (a 1280x720
 * projector at 150%, 853x480: 349 px) the focus hardly zooms, and centring each box slid the whole field sideways
 * at every ], half the canvas left empty beside it. */
export function keepImageInView(
  t: { scale: number; x: number; y: number },
  width: number,
  height: number,
  viewW: number,
  viewH: number,
  margin = 8,
  align: 'centre' | 'top' = 'centre',
): { scale: number; x: number; y: number } {
  const axis = (at: number, size: number, view: number, start: number) =>
    size <= view - 2 * margin ? start : Math.min(margin, Math.max(view - margin - size, at));
  const w = width * t.scale;
  const h = height * t.scale;
  return { scale: t.scale, x: axis(t.x, w, viewW, (viewW - w) / 2), y: axis(t.y, h, viewH, align === 'top' ? margin : (viewH - h) / 2) };
}

/** Boxes in reading order, for stepping through them with the keyboard: top to bottom in rows, left to
 * right within a row. A row starts at the highest box not yet placed and takes every box whose centre is
 * within half a typical box height (the median) of that box's centre, so that neighbours follow each
 * other instead of the order of their centres zigzagging across the image. */
export function readingOrder<T extends { box: Box }>(items: readonly T[]): T[] {
  if (items.length < 2) return [...items];
  const hs = items.map((d) => d.box.y2 - d.box.y1).sort((a, b) => a - b);
  const half = Math.max(1, hs[hs.length >> 1]) / 2;
  const cy = (d: T) => (d.box.y1 + d.box.y2) / 2;
  const cx = (d: T) => (d.box.x1 + d.box.x2) / 2;
  const byY = [...items].sort((a, b) => cy(a) - cy(b));
  const out: T[] = [];
  for (let i = 0; i < byY.length; ) {
    let j = i + 1;
    while (j < byY.length && cy(byY[j]) - cy(byY[i]) <= half) j++;
    out.push(...byY.slice(i, j).sort((a, b) => cx(a) - cx(b)));
    i = j;
  }
  return out;
}

/** Where a box's tooltip goes, in image px: centred over the box and pointing down at it, moved sideways
 * to stay inside the image (a box at the left edge had its label cut: "BC manual"), and under the box,
 * pointing up, where there is no room above. `w` and `h` are the label's size in image px. */
export function tipPlacement(b: Box, w: number, h: number, width: number, height: number, gap: number): { x: number; y: number; pointer: 'down' | 'up' } {
  const cx = (b.x1 + b.x2) / 2;
  const x = w >= width ? width / 2 : Math.min(width - w / 2, Math.max(w / 2, cx));
  const above = b.y1 - gap - h >= 0 || b.y2 + gap + h > height;
  return above ? { x, y: b.y1 - gap, pointer: 'down' } : { x, y: b.y2 + gap, pointer: 'up' };
}

/** Typical box sides of each class relative to an RBC, where an image has none of a class to measure:
 * a WBC is about 1.8 RBCs across, a platelet about 0.4 (medians over the labelled CBC Training and TXL-PBC
 * images: WBC 1.78 / 2.00, platelets 0.38 / 0.42 of the image's median RBC). */
const SIDE_PER_RBC = { RBC: 1, WBC: 1.8, Platelets: 0.4 } as const;

const medianOf = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1] : NaN;
};

/** A new box placed by keyboard (Draw, then Enter): centred on `centre` (the middle of the view) and as
 * large as the image's median box of that class; with none of that class, the RBCs' median scaled by the
 * class's usual size; with no cells at all, 6% of the image's shorter side. Kept inside the image. */
export function placedBox(
  items: readonly { cls: keyof typeof SIDE_PER_RBC; box: Box }[],
  cls: keyof typeof SIDE_PER_RBC,
  centre: { x: number; y: number },
  width: number,
  height: number,
): ImageBox {
  const sides = (c: keyof typeof SIDE_PER_RBC) => items.filter((d) => d.cls === c).map((d) => Math.sqrt(area(d.box)));
  const own = medianOf(sides(cls));
  const rbc = medianOf(sides('RBC'));
  const side0 = Number.isFinite(own) ? own : Number.isFinite(rbc) ? rbc * SIDE_PER_RBC[cls] : 0.06 * Math.min(width, height);
  const side = Math.max(2, Math.min(side0, width, height));
  const x1 = Math.min(width - side, Math.max(0, centre.x - side / 2));
  const y1 = Math.min(height - side, Math.max(0, centre.y - side / 2));
  return { x1, y1, x2: x1 + side, y2: y1 + side };
}

export type Arrow = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown';

/** A box moved (`move`) or resized from its bottom-right corner (`resize`: right and down grow it, left
 * and up shrink it, never under 2 px) by `step` image px, kept inside the image. */
export function nudgedBox(b: Box, key: Arrow, how: 'move' | 'resize', step: number, width: number, height: number): ImageBox {
  const dx = key === 'ArrowLeft' ? -step : key === 'ArrowRight' ? step : 0;
  const dy = key === 'ArrowUp' ? -step : key === 'ArrowDown' ? step : 0;
  if (how === 'resize') {
    const x2 = Math.min(width, Math.max(b.x1 + 2, b.x2 + dx));
    const y2 = Math.min(height, Math.max(b.y1 + 2, b.y2 + dy));
    return { x1: b.x1, y1: b.y1, x2, y2 };
  }
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const x1 = Math.min(width - w, Math.max(0, b.x1 + dx));
  const y1 = Math.min(height - h, Math.max(0, b.y1 + dy));
  return { x1, y1, x2: x1 + w, y2: y1 + h };
}

/**
 * Where a technician finds a box, in words: its part of the image (thirds across and down: "top left",
 * "middle", "bottom") and its centre in image pixels, and, when it is shown, its number in reading order
 * (what ] steps through). For text a person reads (a withdrawal's reason), where a detection id ("m11")
 * means nothing; the id stays in the machine-readable audit trail.
 */
export function boxPlace(b: Box, width: number, height: number, order?: { k: number; n: number }): string {
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2;
  const third = (v: number, size: number) => (v < size / 3 ? 0 : v < (2 * size) / 3 ? 1 : 2);
  const row = ['top', '', 'bottom'][third(cy, height)];
  const col = ['left', '', 'right'][third(cx, width)];
  const part = [row, col].filter(Boolean).join(' ') || 'middle';
  const at = `${part} at x ${Math.round(cx)}, y ${Math.round(cy)}`;
  return order ? `box ${order.k} of ${order.n} in reading order, ${at}` : at;
}
