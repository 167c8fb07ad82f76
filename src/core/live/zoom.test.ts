import { describe, expect, it } from 'vitest';
import { NO_ZOOM, zoomToField } from './zoom';

describe('zoom to the eyepiece', () => {
  it("a 16:9 stream's circle on a portrait phone fills the screen's width, centred", () => {
    const stage = { width: 390, height: 600 };
    const frame = { width: 1280, height: 720 };
    const z = zoomToField(stage, frame, { cx: 640, cy: 360, r: 330 });
    // contained: 390/1280 = 0.305 px per frame px; the circle is 201 px across, the stage 390 wide
    expect(z.scale).toBeCloseTo(1.85, 1);
    expect(z.tx).toBe(0);
    expect(z.ty).toBe(0);
    // the circle's diameter on screen after the zoom: about 96% of the width
    expect(2 * 330 * (390 / 1280) * z.scale).toBeGreaterThan(0.9 * 390);
    expect(2 * 330 * (390 / 1280) * z.scale).toBeLessThanOrEqual(390);
  });
  it('an off-centre circle is moved to the middle', () => {
    const z = zoomToField({ width: 400, height: 400 }, { width: 800, height: 800 }, { cx: 300, cy: 500, r: 150 });
    expect(z.scale).toBeGreaterThan(1.5);
    // its centre, 50 px left of and 50 px below the stage's centre before the zoom, comes back to the middle
    expect(Math.abs(-50 * z.scale + z.tx)).toBeLessThan(10);
    expect(Math.abs(50 * z.scale + z.ty)).toBeLessThan(10);
  });
  it('no zoom without a circle, for a circle that already fills the view, or past 3×', () => {
    expect(zoomToField({ width: 400, height: 300 }, { width: 640, height: 480 }, null)).toEqual(NO_ZOOM);
    expect(zoomToField({ width: 400, height: 300 }, { width: 640, height: 480 }, { cx: 320, cy: 240, r: 230 })).toEqual(NO_ZOOM);
    expect(zoomToField({ width: 400, height: 300 }, { width: 640, height: 480 }, { cx: 320, cy: 240, r: 20 }).scale).toBe(3);
  });
  it('a circle found a pixel off from frame to frame does not move the view', () => {
    const a = zoomToField({ width: 390, height: 600 }, { width: 1280, height: 720 }, { cx: 640, cy: 360, r: 330 });
    const b = zoomToField({ width: 390, height: 600 }, { width: 1280, height: 720 }, { cx: 641, cy: 359, r: 331 });
    expect(b).toEqual(a);
  });
});
