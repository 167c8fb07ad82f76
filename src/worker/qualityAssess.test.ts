import { describe, expect, it } from 'vitest';
import { readSmall, type ReadPixels } from './qualityAssess';
import { readSize, STATS_SIDE } from '../core/quality/pixels';

/** A ReadPixels that records the size it was asked for and returns a flat pinkish picture of that size. */
function recorder() {
  const asked: { width: number; height: number }[] = [];
  const read: ReadPixels = async (_bmp, size) => {
    asked.push(size);
    const data = new Uint8ClampedArray(size.width * size.height * 4);
    for (let i = 0; i < data.length; i += 4) data.set([220, 180, 190, 255], i);
    return data;
  };
  return { asked, read };
}
const bitmap = (width: number, height: number) => ({ width, height, close() {} }) as unknown as ImageBitmap;

describe('readSmall', () => {
  it('reads a copy already at the read size as the large image it came from', async () => {
    const { asked, read } = recorder();
    const size = readSize(4032, 3024);
    expect(size).toEqual({ width: 1024, height: 768 });
    const r = await readSmall(read, bitmap(size.width, size.height), { width: 4032, height: 3024 });
    expect(asked).toEqual([size]);
    expect([r.width, r.height]).toEqual([4032, 3024]);
    expect(r.small.width).toBe(STATS_SIDE);
    expect(r.small.scale).toBeCloseTo(STATS_SIDE / 4032, 9); // boxes in the original's pixels map onto the small copy
    expect(r.small.blockiness).toBeNull(); // read smaller than its own size: its 8-px blocks are not judged
  });

  it('gives the same as reading the full bitmap itself', async () => {
    const a = recorder();
    const b = recorder();
    const copy = await readSmall(a.read, bitmap(1024, 768), { width: 4032, height: 3024 });
    const whole = await readSmall(b.read, bitmap(4032, 3024));
    expect(a.asked).toEqual(b.asked);
    expect(copy).toEqual(whole);
  });

  it('reads an image within the read size at its own size, and judges its blocks', async () => {
    const { asked, read } = recorder();
    const r = await readSmall(read, bitmap(640, 480));
    expect(asked).toEqual([{ width: 640, height: 480 }]);
    expect(r.small.scale).toBeCloseTo(STATS_SIDE / 640, 9);
    expect(r.small.blockiness).not.toBeUndefined();
  });
});
