/**
 * The magnification logic in a technician's words: how big the cells look against what the model
 * expects, and the zoom the image was counted at. "0.49× the model's scale, detected again at 2.00×
 * size" meant the same but asked the reader to invert a ratio.
 */
import type { ScaleInfo } from './scale';

/** Within this of 1 the cells are "the usual size" (the estimate itself is only good to a few %). */
const SAME = 0.05;

const times = (x: number) => `${Number(x.toFixed(x >= 2 ? 1 : 2))}×`;

/** "cells look 2× smaller than usual", from the cells' size relative to the model's reference. */
export function cellSizeWords(size: number): string {
  if (Math.abs(size - 1) < SAME) return 'cells at the usual size';
  return size < 1 ? `cells look ${times(1 / size)} smaller than usual` : `cells look ${times(size)} larger than usual`;
}

/** The first pass measures cells up to about this far from the usual size, and no further: the images
 * audit's fields with cells 2.7×, 4× and 6.3× smaller all read 2.7–2.8×, and 4× larger read 2.8×. Past it a
 * reading is a bound, and is said as one. */
export const MEASURABLE = 2.6;

/** A measured size in words: "at least" where the reading is at the first pass's limit. */
export function measuredSizeWords(size: number): string {
  if (size < 1 / MEASURABLE) return `cells look at least ${times(MEASURABLE)} smaller than usual`;
  if (size > MEASURABLE) return `cells look at least ${times(MEASURABLE)} larger than usual`;
  return cellSizeWords(size);
}

const zoomWords = (relative: number) => (Math.abs(relative - 1) < 0.005 ? 'counted at normal zoom' : `counted at ${times(relative)} zoom`);

/** One line for the counts panel, the report and exports' readers. */
export function describeScale(s: ScaleInfo): string {
  if (s.fixed) return `set by hand: ${cellSizeWords(1 / s.relative)}; ${zoomWords(s.relative)}`;
  if (s.estimated === null) return 'too few red cells to judge their size; counted at normal zoom';
  if (s.passes === 2) return `${measuredSizeWords(s.estimated)}; ${zoomWords(s.relative)}`;
  return `${measuredSizeWords(s.estimated)}; close enough, counted at normal zoom`;
}

/** The batch setting (fixedScale: the zoom applied to the model's planned input; null = estimate). */
export function describeScaleSetting(fixedScale: number | null): string {
  return fixedScale === null ? 'estimated per image' : `set by hand: ${cellSizeWords(1 / fixedScale)}, counted at ${times(fixedScale)} zoom`;
}
