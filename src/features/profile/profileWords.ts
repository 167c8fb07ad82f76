/** The microscope profile panel's sentences, with every figure as the browser's `locale` writes it ("blend
 * weight 0,75" in a German lab, "1.204 verified cells"), as the counts and the report beside it do. */
import { fixed, plain } from '../../core/formats/numbers';

/** "N verified cell(s)". */
export const cellsWords = (n: number, locale?: string) => `${plain(n, locale)} verified cell${n === 1 ? '' : 's'}`;

/** What the adaptation does, after "Adapted to this microscope from N verified cells": `w` the largest of the
 * verified types' blend weights (0 where none), `bias` whether the model's lean was corrected. */
export function adaptedHow(w: number, bias: boolean, locale?: string): string {
  const parts = [
    ...(bias ? ["the model's lean towards some types corrected"] : []),
    ...(w > 0 ? [`blend weight ${fixed(w, 2, locale)}${w >= 1 ? ': the verified types are read by what it learnt here' : ''}`] : []),
  ];
  return parts.length ? ` (${parts.join('; ')}).` : '.';
}

/** The question before Reset: what is lost, in figures, and that no Undo brings it back (as Remove image and
 * the import's replace say what they take). It asked "Forget every cell this microscope profile learnt from?":
 * how many, that the types go back to the model's own, and that it is for good went unsaid. */
export const resetQuestion = (name: string, cells: number, locale?: string) =>
  `Reset the microscope profile "${name}"? This device forgets the ${cellsWords(cells, locale)} it learnt from, and the WBC types go back to the model's own. This cannot be undone: export the profile first to keep them.`;

/** How long the head's fit took, for the settings line ('' where it has not been fitted). */
export const fittedWords = (ms: number | null, locale?: string) => (ms !== null ? ` · fitted in ${plain(Math.round(ms), locale)} ms` : '');
