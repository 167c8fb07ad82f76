import { describe, expect, it } from 'vitest';
import { planInput, rgbaToCHW } from './preprocess';

/** The rule for any native size; 640x480 keeps the numbers round. */
const NATIVE = { width: 640, height: 480 };

describe('planInput (fits the image into the native size: shorter side to the shorter, longer within the longer)', () => {
  it('keeps the native 640x480 unchanged', () => {
    expect(planInput(640, 480, NATIVE)).toEqual({ width: 640, height: 480, scale: 1 });
    expect(planInput(480, 640, NATIVE)).toEqual({ width: 480, height: 640, scale: 1 });
  });
  it('scales a large photo down to fit 640x480', () => {
    const p = planInput(4000, 3000, NATIVE);
    expect(p).toEqual({ width: 640, height: 480, scale: 0.16 });
  });
  it('limits by the long side for wide images', () => {
    const p = planInput(2000, 500, NATIVE);
    expect(p.width).toBe(640);
    expect(p.height).toBe(160);
  });
  it('scales small images up like the graph would', () => {
    expect(planInput(320, 240, NATIVE)).toEqual({ width: 640, height: 480, scale: 2 });
  });
  it('rejects empty sizes', () => {
    expect(() => planInput(0, 10, NATIVE)).toThrow(RangeError);
  });
});

describe('rgbaToCHW', () => {
  it('drops alpha, splits planes and scales to [0,1]', () => {
    const rgba = new Uint8ClampedArray([255, 0, 51, 7, 0, 255, 102, 9]);
    const chw = rgbaToCHW(rgba, 2, 1);
    expect(Array.from(chw)).toEqual([1, 0, 0, 1, 0.2, 0.4].map((v) => Math.fround(v)));
  });
  it('checks the buffer size', () => {
    expect(() => rgbaToCHW(new Uint8ClampedArray(7), 2, 1)).toThrow(RangeError);
    expect(() => rgbaToCHW(new Uint8ClampedArray(8), 2, 1, new Float32Array(5))).toThrow(RangeError);
  });
  it('fills a given buffer in place, overwriting what it held', () => {
    const out = new Float32Array(6).fill(9);
    const chw = rgbaToCHW(new Uint8ClampedArray([255, 0, 51, 7, 0, 255, 102, 9]), 2, 1, out);
    expect(chw).toBe(out);
    expect(Array.from(out)).toEqual([1, 0, 0, 1, 0.2, 0.4].map((v) => Math.fround(v)));
  });
});
