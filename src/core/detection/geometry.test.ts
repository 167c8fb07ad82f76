import { describe, expect, it } from 'vitest';
import { fitTransform, imageToModel, iou, modelToImage, normalizeBox, zoomAbout } from './geometry';

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
  it('zooms about the cursor, keeping that point fixed', () => {
    const t = { scale: 1, x: 10, y: 20 };
    const z = zoomAbout(t, 2, 110, 120);
    // image point under the cursor before and after
    expect((110 - t.x) / t.scale).toBeCloseTo((110 - z.x) / z.scale);
    expect((120 - t.y) / t.scale).toBeCloseTo((120 - z.y) / z.scale);
    expect(zoomAbout(t, 1e6, 0, 0).scale).toBe(40);
  });
});
