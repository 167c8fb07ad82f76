import { describe, expect, it } from 'vitest';
import { boxOnScreen, placeDocked, strokeKind } from './gesture';

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

describe('placeDocked', () => {
  const vp = { w: 390, h: 844 };
  // the phone's canvas: full width, 490 px tall, 330 px down the page
  const canvas = { x1: 0, y1: 330, x2: 390, y2: 820 };
  const h = 54;
  const covers = (y: number, b: { y1: number; y2: number }) => y < b.y2 && y + h > b.y1;
  it('docks at the bottom edge of the canvas, across its width, when the box and its neighbours are clear of it', () => {
    expect(placeDocked({ x1: 50, y1: 400, x2: 80, y2: 430 }, canvas, h, vp)).toEqual({ x: 4, y: 820 - 4 - h, w: 382 });
  });
  it('docks at the top edge for a box near the bottom, covering neither it nor the ring of cells around it', () => {
    const box = { x1: 50, y1: 720, x2: 80, y2: 760 };
    const p = placeDocked(box, canvas, h, vp);
    expect(p.y).toBe(334);
    expect(covers(p.y, { y1: box.y1 - 40, y2: box.y2 + 40 })).toBe(false);
    // the cell below the box, one box high, is a neighbour: the bottom edge would cover it
    expect(placeDocked({ x1: 50, y1: 700, x2: 80, y2: 740 }, canvas, h, vp).y).toBe(334);
    // two boxes higher, the bottom edge is clear again
    expect(placeDocked({ x1: 50, y1: 660, x2: 80, y2: 700 }, canvas, h, vp).y).toBe(762);
  });
  it('follows the visible part of the canvas as the page scrolls', () => {
    // canvas scrolled up by 300 px: its bottom edge is at 520
    const p = placeDocked({ x1: 50, y1: 100, x2: 80, y2: 130 }, { x1: 0, y1: 30, x2: 390, y2: 520 }, h, vp);
    expect(p.y).toBe(520 - 4 - h);
    // canvas running off the bottom of the screen: docked at the screen's bottom
    expect(placeDocked({ x1: 50, y1: 600, x2: 80, y2: 630 }, { x1: 0, y1: 500, x2: 390, y2: 990 }, h, vp).y).toBe(844 - 4 - h);
  });
  it('never leaves the screen, even for a canvas scrolled off the top, and stays within a narrower canvas across', () => {
    const p = placeDocked({ x1: 20, y1: -260, x2: 60, y2: -202 }, { x1: 10, y1: -400, x2: 300, y2: -50 }, h, vp);
    expect(p.y).toBeGreaterThanOrEqual(0);
    expect(p.y + h).toBeLessThanOrEqual(vp.h);
    expect(p).toMatchObject({ x: 14, w: 282 });
  });
  it('with the image\'s place: right under the image where the canvas has room below it, not at the canvas\'s bottom edge', () => {
    // a 4:3 field fitted to the phone's width: 292 px of image in a canvas 490 px tall
    const image = { x1: 0, y1: 340, x2: 390, y2: 632 };
    const under = placeDocked({ x1: 50, y1: 400, x2: 80, y2: 430 }, canvas, h, vp, 4, image);
    expect(under).toEqual({ x: 4, y: 632 + 4, w: 382 });
    // a box at the image's bottom edge: under the image covers no cell, so still there
    expect(placeDocked({ x1: 50, y1: 600, x2: 80, y2: 630 }, canvas, h, vp, 4, image).y).toBe(636);
    // zoomed in for review, the image's bottom in view with the room under it: under it again (it was 190 px lower)
    const zoomed = { x1: -400, y1: 100, x2: 600, y2: 700 };
    expect(placeDocked({ x1: 50, y1: 400, x2: 80, y2: 430 }, canvas, h, vp, 4, zoomed).y).toBe(704);
    // too little room under the image: the canvas's bottom edge, over the image's last rows, as without it
    expect(placeDocked({ x1: 50, y1: 400, x2: 80, y2: 430 }, canvas, h, vp, 4, { ...zoomed, y2: 780 }).y).toBe(820 - 4 - h);
    // the image filling the canvas: as without it (the top edge for a box near the bottom)
    expect(placeDocked({ x1: 50, y1: 720, x2: 80, y2: 760 }, canvas, h, vp, 4, { x1: 0, y1: 0, x2: 900, y2: 900 }).y).toBe(334);
  });
  it('a box as tall as the canvas gets the panel at the bottom, still on screen', () => {
    const p = placeDocked({ x1: 0, y1: 330, x2: 390, y2: 820 }, canvas, h, vp);
    expect(p.y).toBe(820 - 4 - h);
  });
});
