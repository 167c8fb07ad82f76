/**
 * The magnification logic in a technician's words: how big the cells look against what the model
 * expects, and the zoom the image was counted at. "0.49× the model's scale, detected again at 2.00×
 * size" meant the same but asked the reader to invert a ratio.
 */
import type { ScaleInfo } from './scale';
import { plain } from '../formats/numbers';

/** Within this of 1 the cells are "the usual size" (the estimate itself is only good to a few %). */
const SAME = 0.05;

/** `locale`: as the screen and the printed report write it ("1,25×" in de-DE); undefined, as the JSON keeps it. */
const times = (x: number, locale?: string) => `${plain(Number(x.toFixed(x >= 2 ? 1 : 2)), locale)}×`;

/** "cells look 2× smaller than usual", from the cells' size relative to the model's reference. */
export function cellSizeWords(size: number, locale?: string): string {
  if (Math.abs(size - 1) < SAME) return 'cells at the usual size';
  return size < 1 ? `cells look ${times(1 / size, locale)} smaller than usual` : `cells look ${times(size, locale)} larger than usual`;
}

/** The first pass measures cells up to about this far from the usual size, and no further: the images
 * audit's fields with cells 2.7×, 4× and 6.3× smaller all read 2.7–2.8×, and 4× larger read 2.8×. Past it a
 * reading is a bound, and is said as one. */
export const MEASURABLE = 2.6;

/** A measured size in words: "at least" where the reading is at the first pass's limit. */
export function measuredSizeWords(size: number, locale?: string): string {
  if (size < 1 / MEASURABLE) return `cells look at least ${times(MEASURABLE, locale)} smaller than usual`;
  if (size > MEASURABLE) return `cells look at least ${times(MEASURABLE, locale)} larger than usual`;
  return cellSizeWords(size, locale);
}

const zoomWords = (relative: number, locale?: string) => (Math.abs(relative - 1) < 0.005 ? 'counted at normal zoom' : `counted at ${times(relative, locale)} zoom`);

/** One line for the counts panel, the report and exports' readers. */
export function describeScale(s: ScaleInfo, locale?: string): string {
  if (s.fixed) return `set by hand: ${cellSizeWords(1 / s.relative, locale)}; ${zoomWords(s.relative, locale)}`;
  if (s.estimated === null) return 'too few red cells to judge their size; counted at normal zoom';
  if (s.passes === 2) return `${measuredSizeWords(s.estimated, locale)}; ${zoomWords(s.relative, locale)}`;
  return `${measuredSizeWords(s.estimated, locale)}; close enough, counted at normal zoom`;
}

/** The batch setting (fixedScale: the zoom applied to the model's planned input; null = estimate). */
export function describeScaleSetting(fixedScale: number | null, locale?: string): string {
  return fixedScale === null ? 'estimated per image' : `set by hand: ${cellSizeWords(1 / fixedScale, locale)}, counted at ${times(fixedScale, locale)} zoom`;
}
