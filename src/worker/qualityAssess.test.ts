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

  it("judges a large image's JPEG blocks on the window it is handed, read at the window's own size", async () => {
    const { asked, read } = recorder();
    const r = await readSmall(read, bitmap(1024, 768), { width: 4032, height: 3024 }, bitmap(1024, 1024));
    expect(asked).toEqual([{ width: 1024, height: 768 }, { width: 1024, height: 1024 }]);
    expect(r.small.blockiness).toBeNull(); // the recorder's flat picture has no steps at all: nothing to judge, but it was read
    const blocks: ReadPixels = async (_bmp, size) => {
      const data = new Uint8ClampedArray(size.width * size.height * 4);
      for (let y = 0; y < size.height; y++)
        for (let x = 0; x < size.width; x++) {
          const v = ((Math.floor(x / 8) * 7 + Math.floor(y / 8) * 13) % 9) * 20 + ((x * 3 + y) % 5);
          data.set([v, v, v, 255], (y * size.width + x) * 4);
        }
      return data;
    };
    expect((await readSmall(blocks, bitmap(1024, 768), { width: 4032, height: 3024 }, bitmap(512, 512))).small.blockiness!).toBeGreaterThan(3);
    expect((await readSmall(blocks, bitmap(1024, 768), { width: 4032, height: 3024 })).small.blockiness).toBeNull();
  });

  it('reads an image within the read size at its own size, and judges its blocks', async () => {
    const { asked, read } = recorder();
    const r = await readSmall(read, bitmap(640, 480));
    expect(asked).toEqual([{ width: 640, height: 480 }]);
    expect(r.small.scale).toBeCloseTo(STATS_SIDE / 640, 9);
    expect(r.small.blockiness).not.toBeUndefined();
  });
});
