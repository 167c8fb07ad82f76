import { describe, expect, it } from 'vitest';
import { adaptedProbs, blendWeight, DEFAULT_ADAPT, fitHead, headProbs, l2normalise, pickVerified, seededRandom } from './adapt';

/** Cells of `classes` types around well-separated directions in `dim` dimensions, with noise. */
function clusters(perType: number, classes: number, dim: number, seed: number, noise = 0.3) {
  const rnd = seededRandom(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rnd() * 2 - 1));
  const emb: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++)
    for (let i = 0; i < perType; i++) {
      // any positive scale: the head normalises
      const s = 1 + 5 * rnd();
      emb.push(centres[c].map((v) => s * (v + noise * (rnd() * 2 - 1))));
      labels.push(c);
    }
  return { emb, labels };
}

const argmax = (p: readonly number[]) => p.reduce((b, v, i) => (v > p[b] ? i : b), 0);

describe('on-device adaptation', () => {
  it('a head fitted on 5 cells per type types new cells of the same microscope right', () => {
    const train = clusters(5, 7, 128, 1);
    const test = clusters(40, 7, 128, 1);
    const h = fitHead(train.emb, train.labels, 7)!;
    expect(h.n).toBe(35);
    expect(h.seen.every(Boolean)).toBe(true);
    const right = test.emb.filter((e, i) => argmax(headProbs(h, e)) === test.labels[i]).length;
    expect(right / test.emb.length).toBeGreaterThan(0.95);
    const p = headProbs(h, test.emb[0]);
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
  });

  it('is deterministic and checks its input', () => {
    const { emb, labels } = clusters(3, 3, 8, 2);
    const a = fitHead(emb, labels, 3)!;
    const b = fitHead(emb, labels, 3)!;
    expect(Array.from(a.w)).toEqual(Array.from(b.w));
    expect(fitHead([], [], 3)).toBeNull();
    expect(() => fitHead(emb, labels.slice(1), 3)).toThrow(RangeError);
    expect(() => fitHead(emb, labels.map(() => 5), 3)).toThrow(RangeError);
    expect(() => fitHead([[1, 2], [1, 2, 3]], [0, 1], 3)).toThrow(RangeError);
    expect(() => headProbs(a, [1, 2])).toThrow(RangeError);
  });

  it('the blend keeps the model where it is already right on the verified cells, and follows the head where it is wrong', () => {
    const { emb, labels } = clusters(5, 3, 16, 3);
    const right = labels.map((l) => [0, 1, 2].map((c) => (c === l ? 0.9 : 0.05)));
    // a model that calls every cell type 0 (a microscope it has never seen)
    const wrong = labels.map(() => [0.9, 0.05, 0.05]);
    const known = fitHead(emb, labels, 3, {}, right)!;
    const unseen = fitHead(emb, labels, 3, {}, wrong)!;
    expect(known.modelError).toBe(0);
    expect(known.weight).toBe(0);
    expect(adaptedProbs(known, right[12], emb[12])).toEqual(right[12]);
    expect(unseen.modelError).toBeCloseTo(2 / 3);
    expect(unseen.weight).toBeCloseTo(DEFAULT_ADAPT.maxWeight);
    const fixed = emb.filter((e, i) => argmax(adaptedProbs(unseen, wrong[i], e)) === labels[i]).length;
    expect(fixed).toBe(emb.length);
    // without an embedding or a head, the model's own output
    expect(adaptedProbs(null, wrong[0], emb[0])).toBe(wrong[0]);
    expect(adaptedProbs(unseen, wrong[0], undefined)).toBe(wrong[0]);
  });

  it('blend weight: gated by the model error, growing with the number of cells', () => {
    const o = { maxWeight: 0.8, halfAt: 10, gateFrom: 0.2, gateTo: 0.5 };
    expect(blendWeight(0, 1, o)).toBe(0);
    expect(blendWeight(10, 0.1, o)).toBe(0);
    expect(blendWeight(10, 0.5, o)).toBeCloseTo(0.4);
    expect(blendWeight(10, 0.35, o)).toBeCloseTo(0.2);
    expect(blendWeight(1000, 0.9, o)).toBeCloseTo(0.8, 1);
    expect(blendWeight(10, null, o)).toBeCloseTo(0.4);
  });

  it('100 cells of 128 values fit in a bounded number of steps (the browser figure is measured by e2e)', () => {
    const { emb, labels } = clusters(15, 7, 128, 4);
    const h = fitHead(emb.slice(0, 100), labels.slice(0, 100), 7)!;
    expect(h.w).toHaveLength(7 * 128);
    expect(Array.from(h.w).every(Number.isFinite)).toBe(true);
  });

  it('l2normalise: unit length; zero stays zero', () => {
    const v = l2normalise([3, 4]);
    expect(v[0]).toBeCloseTo(0.6, 12);
    expect(v[1]).toBeCloseTo(0.8, 12);
    expect(Array.from(l2normalise([0, 0]))).toEqual([0, 0]);
  });

  it('pickVerified: K per type, all but one where a type has K or fewer, seeded', () => {
    const labels = [0, 0, 0, 0, 0, 0, 1, 1, 2];
    const a = pickVerified(labels, 3, 7);
    const count = (ix: number[], t: number) => ix.filter((i) => labels[i] === t).length;
    expect([count(a.verified, 0), count(a.verified, 1), count(a.verified, 2)]).toEqual([3, 1, 0]);
    expect([count(a.scored, 0), count(a.scored, 1), count(a.scored, 2)]).toEqual([3, 1, 1]);
    expect(new Set([...a.verified, ...a.scored]).size).toBe(labels.length);
    expect(pickVerified(labels, 3, 7)).toEqual(a);
    expect(pickVerified(labels, 3, 8).verified).not.toEqual(a.verified);
  });
});
