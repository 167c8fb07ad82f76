/**
 * Each class's second cue beside its colour: a platelet's box is drawn round (its corners rounded as far
 * as the box allows), a red or white cell's square. Red RBC (#e5484d) and amber platelet (#f5a623) boxes
 * differ by ΔE 38 under deuteranopia, so colour alone left only size to tell them apart. A dash pattern
 * already says how a box came (dashed: a false positive against ground truth; dotted: set by hand; faint
 * dashed: left out by the count rule), and a letter on each of hundreds of RBC boxes hides cells; a rounded
 * outline costs no extra shape, covers nothing inside the box, and reads at a phone's 10 px platelet box.
 * The canvas, the colour key, the annotated PNG and the report's thumbnails all draw it from here.
 */
import type { Box } from './geometry';
import type { CellClass } from './classes';

/** The classes drawn round; the rest are drawn square. */
export const ROUND_CLASSES: ReadonlySet<CellClass> = new Set<CellClass>(['Platelets']);

/** The corner radius a box of this class is drawn with, in the box's own units: half its shorter side for
 * a round class (a square box becomes a circle, an oblong one a pill), 0 for the others. Corners in either
 * order (a box being drawn up and to the left). */
export function cornerRadius(cls: CellClass, box: Box): number {
  if (!ROUND_CLASSES.has(cls)) return 0;
  return Math.min(Math.abs(box.x2 - box.x1), Math.abs(box.y2 - box.y1)) / 2;
}

/** The class's shape in words, for the key's title and the README: "round" or "square". */
export const shapeWord = (cls: CellClass) => (ROUND_CLASSES.has(cls) ? 'round' : 'square');
