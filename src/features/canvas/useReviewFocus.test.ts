import { describe, expect, it } from 'vitest';
import { visibleShare } from './useReviewFocus';

describe('visibleShare', () => {
  it("reads how much of the canvas is on screen: none a screen above (a phone's panels), all in view, half at an edge", () => {
    expect(visibleShare({ top: -850, bottom: -450, height: 400 }, 844)).toBe(0);
    expect(visibleShare({ top: 900, bottom: 1300, height: 400 }, 844)).toBe(0);
    expect(visibleShare({ top: 100, bottom: 500, height: 400 }, 844)).toBe(1);
    expect(visibleShare({ top: -200, bottom: 200, height: 400 }, 844)).toBe(0.5);
    expect(visibleShare({ top: 0, bottom: 0, height: 0 }, 844)).toBe(1);
  });
});
