import { describe, expect, it } from 'vitest';
import { compareCounts, pairImages, type ImageCounts } from './compare';

const im = (image: string, pred: number, truth: number): ImageCounts => ({ image, counts: { Platelets: pred }, truth: { Platelets: truth } });

describe('compareCounts (paired bootstrap)', () => {
  it('gives the plain accuracies and their difference on the images as they are', () => {
    const base = [im('a', 1, 2), im('b', 3, 3), im('c', 0, 1)];
    const cand = [im('a', 2, 2), im('b', 3, 3), im('c', 0, 1)];
    const d = compareCounts([pairImages(base, cand)], 'Platelets', 2000);
    expect(d.base).toBeCloseTo(1 - 2 / 6);
    expect(d.cand).toBeCloseTo(1 - 1 / 6);
    expect(d.delta).toBeCloseTo(1 / 6);
    expect(d.baseErrors).toBe(2);
    expect(d.candErrors).toBe(1);
    expect(d.low).toBeLessThanOrEqual(d.delta);
    expect(d.high).toBeGreaterThanOrEqual(d.delta);
  });

  it('calls a gain on one image of three luck, and a gain on every image of many real', () => {
    const few = compareCounts([pairImages([im('a', 0, 1), im('b', 1, 1), im('c', 1, 1)], [im('a', 1, 1), im('b', 1, 1), im('c', 1, 1)])], 'Platelets', 4000);
    expect(few.low).toBeLessThanOrEqual(0); // the interval reaches no difference
    expect(few.pNotBetter).toBeGreaterThan(0.2);
    const names = Array.from({ length: 60 }, (_, i) => `f${i}`);
    const many = compareCounts([pairImages(names.map((n) => im(n, 1, 2)), names.map((n) => im(n, 2, 2)))], 'Platelets', 4000);
    expect(many.low).toBeGreaterThan(0);
    expect(many.pNotBetter).toBe(0);
  });

  it('pairs the images by name and refuses runs over different images', () => {
    expect(pairImages([im('a', 1, 1), im('b', 0, 1)], [im('b', 1, 1), im('a', 1, 1)]).map(([b, c]) => [b.image, c.image])).toEqual([['a', 'a'], ['b', 'b']]);
    expect(() => pairImages([im('a', 1, 1)], [im('z', 1, 1)])).toThrow(/one run only/);
    expect(() => pairImages([im('a', 1, 1)], [])).toThrow(/different images/);
  });

  it('is the same on every run (seeded)', () => {
    const sets = [pairImages([im('a', 0, 1), im('b', 2, 1), im('c', 1, 3)], [im('a', 1, 1), im('b', 1, 1), im('c', 2, 3)])];
    expect(compareCounts(sets, 'Platelets', 500, 7)).toEqual(compareCounts(sets, 'Platelets', 500, 7));
  });
});
