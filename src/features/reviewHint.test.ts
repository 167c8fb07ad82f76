import { describe, expect, it } from 'vitest';
import { reviewHint } from './reviewHint';

describe("the review bar's hint", () => {
  it('with Draw armed, says how to draw the box to come, by touch or with keys', () => {
    // before: the checking hint ("… then drag to pan"), where a one-finger drag draws
    expect(reviewHint(true, 'RBC')).toBe('Drag to draw an RBC box · tap Draw to cancel');
    expect(reviewHint(true, 'Platelets')).toBe('Drag to draw a platelet box · tap Draw to cancel');
    expect(reviewHint(false, 'WBC')).toBe('Drag to draw a WBC box, or press Enter for one mid-view · Esc cancels');
    for (const touch of [true, false]) expect(reviewHint(touch, 'RBC')).not.toMatch(/pan|check it/);
  });
  it('otherwise, how to check a box', () => {
    expect(reviewHint(true, null)).toBe('Tap a box to check it · pinch to zoom, then drag to pan');
    expect(reviewHint(false, null)).toMatch(/^Click a box to check it, or press U/);
  });
});
