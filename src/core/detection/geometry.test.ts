import { describe, expect, it } from 'vitest';
import { boxPlace, fitTransform, focusTransform, imageToModel, keepImageInView, inputScale, iou, modelToImage, normalizeBox, nudgedBox, placedBox, readingOrder, smallestBoxAt, tipPlacement, zoomAbout } from './geometry';

describe('geometry', () => {
  it('computes IoU', () => {
    const a = { x1: 0, y1: 0, x2: 10, y2: 10 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x1: 5, y1: 0, x2: 15, y2: 10 })).toBeCloseTo(50 / 150);
    expect(iou(a, { x1: 10, y1: 10, x2: 20, y2: 20 })).toBe(0);
    expect(iou(a, { x1: 0, y1: 0, x2: 0, y2: 0 })).toBe(0);
  });
  it('maps model pixels to image pixels and back', () => {
    const m = { x1: 32, y1: 16, x2: 64, y2: 48 };
    const im = modelToImage(m, 0.5);
    expect(im).toEqual({ x1: 64, y1: 32, x2: 128, y2: 96 });
    expect(imageToModel(im, 0.5)).toEqual(m);
    // per axis: a 1001x333 image fed at 512x170
    const s = inputScale(1001, 333, { width: 512, height: 170 });
    expect(modelToImage({ x1: 0, y1: 0, x2: 512, y2: 170 }, s)).toEqual({ x1: 0, y1: 0, x2: 1001, y2: 333 });
  });
  it('normalises and clips boxes', () => {
    expect(normalizeBox({ x1: 50, y1: -5, x2: 10, y2: 700 }, 640, 480)).toEqual({ x1: 10, y1: 0, x2: 50, y2: 480 });
  });
  it('fits and centres an image', () => {
    const t = fitTransform(640, 480, 1000, 500, 0);
    expect(t.scale).toBeCloseTo(500 / 480);
    expect(t.x).toBeCloseTo((1000 - 640 * t.scale) / 2);
    expect(t.y).toBeCloseTo(0);
  });
  it('fits a wide image to the top of a tall view (a phone), centred across', () => {
    const t = fitTransform(640, 480, 390, 490, 8, 'top');
    expect(t.scale).toBeCloseTo(374 / 640);
    expect(t.x).toBeCloseTo(8);
    expect(t.y).toBe(8);
    expect(fitTransform(640, 480, 390, 490, 8).y).toBeCloseTo((490 - 480 * t.scale) / 2);
  });
  it('zooms about the cursor, keeping that point fixed', () => {
    const t = { scale: 1, x: 10, y: 20 };
    const z = zoomAbout(t, 2, 110, 120);
    // image point under the cursor before and after
    expect((110 - t.x) / t.scale).toBeCloseTo((110 - z.x) / z.scale);
    expect((120 - t.y) / t.scale).toBeCloseTo((120 - z.y) / z.scale);
    expect(zoomAbout(t, 1e6, 0, 0).scale).toBe(40);
  });
  it('hit-tests the smallest box under a point, edges included', () => {
    const rbc = { id: 'rbc', box: { x1: 0, y1: 0, x2: 100, y2: 100 } };
    const plt = { id: 'plt', box: { x1: 40, y1: 40, x2: 50, y2: 50 } };
    const far = { id: 'far', box: { x1: 200, y1: 200, x2: 210, y2: 210 } };
    // the platelet wins whichever order the boxes are drawn in
    expect(smallestBoxAt([rbc, plt, far], { x: 45, y: 45 })?.id).toBe('plt');
    expect(smallestBoxAt([plt, rbc, far], { x: 45, y: 45 })?.id).toBe('plt');
    expect(smallestBoxAt([rbc, plt], { x: 50, y: 40 })?.id).toBe('plt');
    expect(smallestBoxAt([rbc, plt], { x: 10, y: 90 })?.id).toBe('rbc');
    expect(smallestBoxAt([rbc, plt], { x: 150, y: 10 })).toBeNull();
    expect(smallestBoxAt([], { x: 0, y: 0 })).toBeNull();
  });
  it('focuses a box at a third of the view, between the fit and 8x', () => {
    // 20 px box in a 640x480 image on an 800x600 view: 600 / (3 * 20) = 10, capped at 8
    const t = focusTransform({ x1: 100, y1: 100, x2: 120, y2: 120 }, 640, 480, 800, 600);
    expect(t.scale).toBe(8);
    expect(800 / 2 - 110 * t.scale).toBe(t.x);
    expect(600 / 2 - 110 * t.scale).toBe(t.y);
    // a box as large as the image is never shown smaller than the fit
    const fit = fitTransform(640, 480, 800, 600).scale;
    expect(focusTransform({ x1: 0, y1: 0, x2: 640, y2: 480 }, 640, 480, 800, 600).scale).toBe(fit);
    // 50 px box: 600 / 150 = 4
    expect(focusTransform({ x1: 0, y1: 0, x2: 50, y2: 30 }, 640, 480, 800, 600).scale).toBe(4);
  });
  it('keeps the image over the canvas: a focus that hardly zooms leaves it where the fit puts it, a larger one keeps its edges at the margins', () => {
    // 853x480 at 150% (a 1280x720 projector): the canvas 853x349. A box at the image's left edge, centred at a
    // scale of 1.01, put the image's left edge 414 px into the canvas (half of it empty)
    const box = { x1: 0, y1: 200, x2: 90, y2: 290 };
    const f = focusTransform(box, 640, 480, 853, 289);
    expect(f.x).toBeGreaterThan(300);
    const kept = keepImageInView(f, 640, 480, 853, 349, 8, 'top');
    expect(kept.scale).toBe(f.scale);
    // narrower than the canvas: centred across, as the fit is
    expect(kept.x).toBeCloseTo((853 - 640 * f.scale) / 2);
    // taller than the canvas: its edges at or past the margins, the box in view
    expect(kept.y).toBeLessThanOrEqual(8);
    expect(kept.y + 480 * f.scale).toBeGreaterThanOrEqual(349 - 8);
    expect(kept.y + box.y1 * f.scale).toBeGreaterThanOrEqual(0);
    expect(kept.y + box.y2 * f.scale).toBeLessThanOrEqual(349);
    // smaller than the canvas both ways: where the fit puts it (top: at the top margin; centre: centred)
    expect(keepImageInView({ scale: 0.5, x: 300, y: 100 }, 640, 480, 853, 349, 8, 'top')).toEqual({ scale: 0.5, x: (853 - 320) / 2, y: 8 });
    expect(keepImageInView({ scale: 0.5, x: 300, y: 100 }, 640, 480, 853, 349).y).toBe((349 - 240) / 2);
    // zoomed in on a box in the middle: nothing to keep, the box stays centred
    const mid = focusTransform({ x1: 300, y1: 220, x2: 340, y2: 260 }, 640, 480, 720, 652);
    expect(keepImageInView(mid, 640, 480, 720, 652)).toEqual(mid);
    // zoomed in on a box in a corner: the image's corner at the canvas's, not the box at its middle
    const corner = keepImageInView(focusTransform({ x1: 600, y1: 440, x2: 640, y2: 480 }, 640, 480, 720, 652), 640, 480, 720, 652);
    expect(corner.x + 640 * corner.scale).toBeCloseTo(720 - 8);
    expect(corner.y + 480 * corner.scale).toBeCloseTo(652 - 8);
  });
  it('never zooms out below the fit of an image whose fit is above 8x', () => {
    // a 60x40 image on a 1200x800 view fits at 20x; a 10 px box there was shown at 8x, smaller than the fit
    const fit = fitTransform(60, 40, 1200, 800).scale;
    expect(fit).toBeGreaterThan(8);
    expect(focusTransform({ x1: 20, y1: 10, x2: 30, y2: 20 }, 60, 40, 1200, 800).scale).toBe(fit);
  });
});

describe('readingOrder', () => {
  const b = (id: string, x: number, y: number, h = 20) => ({ id, box: { x1: x, y1: y, x2: x + 20, y2: y + h } });
  it('goes row by row, left to right, with rows a typical box tall', () => {
    // two rows; within the first, "c" sits a little higher than "a" but further right
    const items = [b('d', 10, 52), b('c', 90, 0), b('a', 10, 6), b('e', 60, 48), b('b', 50, 3)];
    expect(readingOrder(items).map((d) => d.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
  it('keeps every box once, and copes with none or one', () => {
    expect(readingOrder([])).toEqual([]);
    const one = [b('x', 0, 0)];
    expect(readingOrder(one)).toEqual(one);
    const many = Array.from({ length: 30 }, (_, i) => b(`m${i}`, (i * 37) % 300, (i * 53) % 200, 10 + (i % 7)));
    expect(new Set(readingOrder(many).map((d) => d.id)).size).toBe(30);
  });
});

describe('boxPlace', () => {
  const box = (cx: number, cy: number) => ({ x1: cx - 10, y1: cy - 10, x2: cx + 10, y2: cy + 10 });
  it('names the part of the image by thirds and the centre in image pixels', () => {
    expect(boxPlace(box(100, 60), 640, 480)).toBe('top left at x 100, y 60');
    expect(boxPlace(box(320, 240), 640, 480)).toBe('middle at x 320, y 240');
    expect(boxPlace(box(320, 400), 640, 480)).toBe('bottom at x 320, y 400');
    expect(boxPlace(box(600, 240), 640, 480)).toBe('right at x 600, y 240');
    expect(boxPlace({ x1: 500.4, y1: 330, x2: 540.2, y2: 371 }, 640, 480)).toBe('bottom right at x 520, y 351');
  });
  it('gives the number in reading order first when there is one', () => {
    expect(boxPlace(box(100, 60), 640, 480, { k: 3, n: 29 })).toBe('box 3 of 29 in reading order, top left at x 100, y 60');
  });
});

describe('tipPlacement', () => {
  const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });
  it('centres the tooltip over the box, pointing down at it', () => {
    expect(tipPlacement(box(100, 100, 140, 140), 60, 20, 640, 480, 3)).toEqual({ x: 120, y: 97, pointer: 'down' });
  });
  it('keeps it inside the image at the left and right edges (a label cut by the edge read "BC manual")', () => {
    expect(tipPlacement(box(0, 100, 20, 120), 80, 20, 640, 480, 3).x).toBe(40);
    expect(tipPlacement(box(630, 100, 640, 120), 80, 20, 640, 480, 3).x).toBe(600);
    expect(tipPlacement(box(0, 100, 20, 120), 800, 20, 640, 480, 3).x).toBe(320);
  });
  it('goes under a box at the top edge, pointing up', () => {
    expect(tipPlacement(box(100, 5, 140, 40), 60, 20, 640, 480, 3)).toEqual({ x: 120, y: 43, pointer: 'up' });
  });
});

describe('placedBox', () => {
  const rbc = (x: number, s: number) => ({ cls: 'RBC' as const, box: { x1: x, y1: 10, x2: x + s, y2: 10 + s } });
  it('is as large as the median box of its class, centred on the view', () => {
    const items = [rbc(0, 30), rbc(40, 40), rbc(90, 50), { cls: 'WBC' as const, box: { x1: 200, y1: 200, x2: 260, y2: 260 } }];
    expect(placedBox(items, 'RBC', { x: 320, y: 240 }, 640, 480)).toEqual({ x1: 300, y1: 220, x2: 340, y2: 260 });
    expect(placedBox(items, 'WBC', { x: 320, y: 240 }, 640, 480)).toEqual({ x1: 290, y1: 210, x2: 350, y2: 270 });
  });
  it('scales the RBCs by the class where the image has none of it, and falls back to the image size', () => {
    const b = placedBox([rbc(0, 40)], 'Platelets', { x: 100, y: 100 }, 640, 480);
    expect(b.x2 - b.x1).toBeCloseTo(16);
    const wbc = placedBox([rbc(0, 40)], 'WBC', { x: 100, y: 100 }, 640, 480);
    expect(wbc.x2 - wbc.x1).toBeCloseTo(72);
    const none = placedBox([], 'WBC', { x: 100, y: 100 }, 640, 480);
    expect(none.x2 - none.x1).toBeCloseTo(28.8);
  });
  it('stays inside the image when the view is centred past its edge', () => {
    expect(placedBox([rbc(0, 40)], 'RBC', { x: -50, y: 900 }, 640, 480)).toEqual({ x1: 0, y1: 440, x2: 40, y2: 480 });
  });
});

describe('nudgedBox', () => {
  const b = { x1: 10, y1: 20, x2: 50, y2: 60 };
  it('moves a box by the step and keeps its size', () => {
    expect(nudgedBox(b, 'ArrowRight', 'move', 3, 640, 480)).toEqual({ x1: 13, y1: 20, x2: 53, y2: 60 });
    expect(nudgedBox(b, 'ArrowUp', 'move', 3, 640, 480)).toEqual({ x1: 10, y1: 17, x2: 50, y2: 57 });
  });
  it('stops at the image edge without shrinking', () => {
    expect(nudgedBox(b, 'ArrowLeft', 'move', 30, 640, 480)).toEqual({ x1: 0, y1: 20, x2: 40, y2: 60 });
    expect(nudgedBox({ x1: 600, y1: 0, x2: 640, y2: 40 }, 'ArrowRight', 'move', 5, 640, 480)).toEqual({ x1: 600, y1: 0, x2: 640, y2: 40 });
  });
  it('resizes from the bottom-right corner, never under 2 px nor past the image', () => {
    expect(nudgedBox(b, 'ArrowRight', 'resize', 4, 640, 480)).toEqual({ x1: 10, y1: 20, x2: 54, y2: 60 });
    expect(nudgedBox(b, 'ArrowUp', 'resize', 100, 640, 480)).toEqual({ x1: 10, y1: 20, x2: 50, y2: 22 });
    expect(nudgedBox({ x1: 600, y1: 0, x2: 638, y2: 40 }, 'ArrowRight', 'resize', 5, 640, 480).x2).toBe(640);
  });
});
