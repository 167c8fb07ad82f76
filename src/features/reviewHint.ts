import type { CellClass } from '../core/detection/classes';

/** The review bar's hint where no box is selected: how to check a box, or, with Draw armed (`drawing`, the class
 * of the box to come), how to draw one. Draw armed kept the checking hint ("… pinch to zoom, then drag to pan" by
 * touch), and a one-finger drag meant to pan drew a box; a stroke or a tap ends Draw (ImageCanvas). */
export function reviewHint(touch: boolean, drawing: CellClass | null): string {
  if (drawing) {
    const box = drawing === 'Platelets' ? 'a platelet box' : `${drawing === 'RBC' ? 'an' : 'a'} ${drawing} box`;
    return touch ? `Drag to draw ${box} · tap Draw to cancel` : `Drag to draw ${box}, or press Enter for one mid-view · Esc cancels`;
  }
  return touch ? 'Tap a box to check it · pinch to zoom, then drag to pan' : 'Click a box to check it, or press U for the next uncertain one (? lists the keys).';
}
