import { describe, expect, it } from 'vitest';
import { boxOnScreen, placeBeside, strokeKind } from './gesture';

describe('strokeKind', () => {
  it('calls a press that barely moves a tap, in screen pixels', () => {
    expect(strokeKind({ x: 10, y: 10 }, { x: 10, y: 10 }, 1)).toBe('tap');
    // 5 image px at 1x is a tap; the same 5 px zoomed 4x is 20 screen px: a box
    expect(strokeKind({ x: 10, y: 10 }, { x: 15, y: 15 }, 1)).toBe('tap');
    expect(strokeKind({ x: 10, y: 10 }, { x: 15, y: 15 }, 4)).toBe('box');
  });
  it('draws a box in any direction, and refuses a sliver', () => {
    expect(strokeKind({ x: 100, y: 100 }, { x: 60, y: 70 }, 1)).toBe('box');
    expect(strokeKind({ x: 100, y: 100 }, { x: 160, y: 101 }, 1)).toBe('none');
  });
});

describe('boxOnScreen', () => {
  it('applies the view and the element origin', () => {
    expect(boxOnScreen({ x1: 10, y1: 20, x2: 30, y2: 40 }, { scale: 2, x: 5, y: -100 }, { x: 100, y: 50 })).toEqual({ x1: 125, y1: -10, x2: 165, y2: 30 });
  });
});

describe('placeBeside', () => {
  const vp = { w: 390, h: 844 };
  const panel = { w: 300, h: 90 };
  it('goes below the box when there is room', () => {
    expect(placeBeside({ x1: 50, y1: 100, x2: 80, y2: 130 }, panel, vp)).toEqual({ x: 50, y: 138 });
  });
  it('goes above a box near the bottom of the screen', () => {
    expect(placeBeside({ x1: 50, y1: 760, x2: 80, y2: 800 }, panel, vp)).toEqual({ x: 50, y: 662 });
  });
  it('stays inside the screen across', () => {
    expect(placeBeside({ x1: 360, y1: 100, x2: 389, y2: 130 }, panel, vp).x).toBe(86);
  });
  it('never leaves the screen, even for a box scrolled off the top (the phone case: y -202)', () => {
    const p = placeBeside({ x1: 20, y1: -260, x2: 60, y2: -202 }, panel, vp);
    expect(p.y).toBeGreaterThanOrEqual(0);
    expect(p.y + panel.h).toBeLessThanOrEqual(vp.h);
  });
  it('a box taller than the screen gets the panel over its lower part, still on screen', () => {
    const p = placeBeside({ x1: 0, y1: 0, x2: 390, y2: 844 }, panel, vp);
    expect(p.y + panel.h).toBeLessThanOrEqual(vp.h);
    expect(p.y).toBeGreaterThanOrEqual(0);
  });
});
