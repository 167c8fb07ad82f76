import { describe, expect, it } from 'vitest';
import type { ScaleConfig } from '../core/detection/scale';
import type { Region } from '../core/detection/scale';
import { readAtScale, readImage } from './readImage';

const cfg: ScaleConfig = { referenceRbcPx: 80, tolerance: 1.25, estimateMinScore: 0.5, estimateMinCells: 3, maxPixels: 1024 * 768, minScale: 0.1, maxScale: 4, enlargedLogitShift: { RBC: 0.5 } };
const card = { nativeSize: { width: 512, height: 384 }, scale: cfg };
const W = 640;
const H = 480;

/** A camera frame with RBCs of `size` px at (x, y), and where `disc` is given, the eyepiece's field as a small disc. */
function scene(cells: { x: number; y: number }[], size: number, disc?: { cx: number; cy: number; r: number }) {
  const full = { width: W, height: H } as ImageBitmap;
  // the copy the detector is given: the picture (or its region) at `size`
  const copy = async (_b: ImageBitmap, s: { width: number; height: number }, region?: Region) => ({ ...s, region }) as unknown as ImageBitmap;
  let calls = 0;
  const client = {
    detect: async (bmp: ImageBitmap) => {
      calls++;
      const { width, height, region } = bmp as unknown as { width: number; height: number; region?: Region };
      const r = region ?? { x: 0, y: 0, width: W, height: H };
      const k = width / r.width;
      const inside = cells.filter((c) => c.x >= r.x && c.y >= r.y && c.x + size <= r.x + r.width && c.y + size <= r.y + r.height);
      const boxes = new Float32Array(inside.flatMap((c) => [(c.x - r.x) * k, (c.y - r.y) * k, (c.x - r.x + size) * k, (c.y - r.y + size) * k]));
      // a score that depends on the cell's size in the input, as a detector's does
      const scores = new Float32Array(inside.map(() => Math.min(0.95, 0.5 + (size * k) / 200)));
      const field = disc && !region ? { cx: disc.cx * k, cy: disc.cy * k, r: disc.r * k } : null;
      return { boxes, labels: new Int32Array(inside.length).fill(1), scores, inferenceMs: 1, width, height, field };
    },
  };
  return { full, copy, client, calls: () => calls };
}

const grid = (x0: number, y0: number, n: number, step: number) => Array.from({ length: n * n }, (_, i) => ({ x: x0 + (i % n) * step, y: y0 + Math.floor(i / n) * step }));

describe('a picture read again at the scale an estimated read chose (live previews of a still view)', () => {
  it('a field that needs the second pass: one pass, the same detections and scores as the two', async () => {
    // RBCs of 25 px: 20 model px at the plan scale, a quarter of the reference, so the second pass enlarges
    const s = scene(grid(40, 40, 8, 60), 25);
    const full = await readImage(s.full, card, s.client, s.copy, null);
    expect(full.scale.passes).toBe(2);
    expect(s.calls()).toBe(2);
    const again = await readAtScale(s.full, full.scale, card, s.client, s.copy);
    expect(s.calls()).toBe(3);
    expect(again.raw).toEqual(full.raw);
    expect(again.scale).toEqual(full.scale);
  });

  it("a small field of view's square, read and rescaled: one pass on the square, the same detections in the frame's pixels", async () => {
    const disc = { cx: 320, cy: 240, r: 80 };
    const s = scene(grid(270, 190, 4, 25), 12, disc);
    const full = await readImage(s.full, card, s.client, s.copy, null);
    expect(full.scale.region).toBeDefined();
    const passes = s.calls();
    expect(passes).toBeGreaterThanOrEqual(2);
    const again = await readAtScale(s.full, full.scale, card, s.client, s.copy);
    expect(s.calls()).toBe(passes + 1);
    expect(again.raw).toEqual(full.raw);
    expect(again.raw.length).toBe(16);
  });

  it('a field at the reference size (one pass either way): the same detections', async () => {
    const s = scene(grid(20, 20, 5, 110), 100);
    const full = await readImage(s.full, card, s.client, s.copy, null);
    expect(full.scale.passes).toBe(1);
    expect((await readAtScale(s.full, full.scale, card, s.client, s.copy)).raw).toEqual(full.raw);
  });
});
