import { describe, expect, it } from 'vitest';
import { adaptedProbs, adapts, applyBias, blend, classWeights, fitHead, headProbs, keptWhy, l2normalise, modelRight, pickVerified, seededRandom } from './adapt';

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
    expect(unseen.weight).toBeGreaterThan(0);
    expect(unseen.cv!.adapted).toBeGreaterThan(unseen.cv!.model);
    const fixed = emb.filter((e, i) => argmax(adaptedProbs(unseen, wrong[i], e)) === labels[i]).length;
    expect(fixed).toBe(emb.length);
    // without an embedding or a head, the model's own output
    expect(adaptedProbs(null, wrong[0], emb[0])).toBe(wrong[0]);
    expect(adaptedProbs(unseen, wrong[0], undefined)).toBe(wrong[0]);
  });

  it('a microscope the model reads confidently wrong: the blend may give the verified types to the head alone', () => {
    const train = clusters(5, 7, 32, 11, 2);
    const test = clusters(30, 7, 32, 11, 2);
    // the model calls every cell type 0 with p = 0.98, as the classifier did on a warm, soft microscope
    const model = Array.from({ length: 7 }, (_, c) => (c === 0 ? 0.98 : 0.02 / 6));
    // the blend alone (no bias on the model's output): λ > 1, the head alone
    const h = fitHead(train.emb, train.labels, 7, { bias: false }, train.emb.map(() => model))!;
    expect(h.weight).toBeGreaterThan(1);
    expect(h.weights.every((w) => w === 1)).toBe(true);
    const right = (head: typeof h) => test.emb.filter((e, i) => argmax(adaptedProbs(head, model, e)) === test.labels[i]).length;
    const headAlone = test.emb.filter((e, i) => argmax(headProbs(h, e)) === test.labels[i]).length;
    expect(right(h)).toBe(headAlone);
    // the weights of the first version (λ at most 1: 5/7 at five cells) leave the model's confident error in place more often
    const capped = fitHead(train.emb, train.labels, 7, { lambdas: [0.25, 0.5, 0.75, 1], bias: false }, train.emb.map(() => model))!;
    expect(right(capped)).toBeLessThan(headAlone);
    // with the bias (the default), it takes the lean to type 0 off first and blends: within 2% of the head alone
    const both = fitHead(train.emb, train.labels, 7, {}, train.emb.map(() => model))!;
    expect(both.bias![0]).toBeLessThan(0);
    expect(right(both)).toBeGreaterThanOrEqual(0.98 * headAlone);
  });

  it('verifying cells of only two types never removes another type: an unverified type keeps the model probability', () => {
    const { emb, labels } = clusters(6, 7, 32, 5);
    const two = labels.map((l, i) => [l, i] as const).filter(([l]) => l < 2);
    // the model is wrong on those two types (it swaps them), so the head gets weight
    const priors = two.map(([l]) => [0, 1, 2, 3, 4, 5, 6].map((c) => (c === 1 - l ? 0.8 : c === l ? 0.1 : 0.1 / 5)));
    const h = fitHead(two.map(([, i]) => emb[i]), two.map(([l]) => l), 7, {}, priors)!;
    expect(h.weight).toBeGreaterThan(0);
    expect(h.weights.slice(2)).toEqual([0, 0, 0, 0, 0]);
    // the case: a cell the model calls type 4 with p = 0.9
    const model = [0.02, 0.03, 0.01, 0.02, 0.9, 0.01, 0.01];
    for (const e of emb) {
      const p = adaptedProbs(h, model, e);
      expect(p[4]).toBeCloseTo(0.9, 12);
      expect(argmax(p)).toBe(4);
      [2, 3, 5, 6].forEach((c) => expect(p[c]).toBeCloseTo(model[c], 12));
      expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    }
  });

  it('adapting on cells the model already gets right changes nothing', () => {
    const { emb, labels } = clusters(5, 7, 32, 6);
    const right = labels.map((l) => [0, 1, 2, 3, 4, 5, 6].map((c) => (c === l ? 0.55 : 0.075)));
    const h = fitHead(emb, labels, 7, {}, right)!;
    expect(h.weight).toBe(0);
    expect(h.bias).toBeNull();
    expect(h.cv).toEqual({ cells: 35, model: 35, adapted: 35 });
    const other = clusters(3, 7, 32, 6, 0.6);
    for (const [i, e] of other.emb.entries()) expect(adaptedProbs(h, right[i], e)).toEqual(right[i]);
  });

  it('a microscope that makes the model lean to one type: a bias fitted on the verified cells takes the lean off', () => {
    // embeddings that carry nothing (the head cannot help), and a model that reads each cell's type but
    // adds a lean to type 3 on every cell, as the classifier leant to eosinophil on a warm microscope
    const rnd = seededRandom(21);
    const cell = (l: number) => {
      const z = [0, 1, 2, 3, 4, 5, 6].map((c) => (c === l ? 2 : 0) + (c === 3 ? 2.5 : 0) + 0.6 * (rnd() - 0.5));
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b);
      return { p: e.map((v) => v / s), e: Array.from({ length: 16 }, () => rnd()), l };
    };
    // five verified cells of types 0-4; types 5 and 6 nobody verified
    const verified = [0, 1, 2, 3, 4].flatMap((l) => Array.from({ length: 5 }, () => cell(l)));
    const h = fitHead(verified.map((c) => c.e), verified.map((c) => c.l), 7, {}, verified.map((c) => c.p))!;
    expect(h.bias).not.toBeNull();
    expect(h.bias![3]).toBeLessThan(-1);
    expect(h.bias!.slice(5)).toEqual([0, 0]);
    const fresh = [0, 1, 2, 3, 4].flatMap((l) => Array.from({ length: 20 }, () => cell(l)));
    const model = fresh.filter((c) => argmax(c.p) === c.l).length;
    const adapted = fresh.filter((c) => argmax(adaptedProbs(h, c.p, c.e)) === c.l).length;
    expect(model).toBeLessThan(30);
    expect(adapted).toBeGreaterThan(90);
    for (const c of fresh.slice(0, 10)) {
      const p = adaptedProbs(h, c.p, c.e);
      expect(p[5]).toBeCloseTo(c.p[5], 12);
      expect(p[6]).toBeCloseTo(c.p[6], 12);
      expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    }
    // without the option, the same cells: the head cannot help and nothing changes
    const off = fitHead(verified.map((c) => c.e), verified.map((c) => c.l), 7, { bias: false }, verified.map((c) => c.p))!;
    expect(off.bias).toBeNull();
    expect(fresh.filter((c) => argmax(adaptedProbs(off, c.p, c.e)) === c.l).length).toBeLessThan(30);
  });

  it('the bias moves mass only among the verified types', () => {
    const p = applyBias([0.4, 0.3, 0.2, 0.1], [-1, 1, 0, 0], [true, true, false, false]);
    expect(p[2]).toBe(0.2);
    expect(p[3]).toBe(0.1);
    expect(p[0] + p[1]).toBeCloseTo(0.7, 12);
    expect(p[1]).toBeGreaterThan(p[0]);
    expect(applyBias([0.5, 0.5], [0, 0], [true, true])).toEqual([0.5, 0.5]);
  });

  it('each type weighs by its own verified cells; the blend stays a distribution', () => {
    expect(classWeights(1, [0, 1, 2, 10], 2)).toEqual([0, 1 / 3, 0.5, 10 / 12]);
    expect(classWeights(0, [5, 5], 2)).toEqual([0, 0]);
    const p = blend([0.5, 0.3, 0.2], [0.1, 0.9, 0], [0.5, 0.5, 0], [true, true, false]);
    expect(p[2]).toBe(0.2);
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(0.3);
  });

  it('100 cells of 128 values: finite weights that type their own cells back (fit time is in npm run bench:gallery)', () => {
    const { emb, labels } = clusters(15, 7, 128, 4);
    const h = fitHead(emb.slice(0, 100), labels.slice(0, 100), 7)!;
    expect(h.w).toHaveLength(7 * 128);
    expect(Array.from(h.w).every(Number.isFinite)).toBe(true);
    expect(emb.slice(0, 100).every((e, i) => argmax(headProbs(h, e)) === labels[i])).toBe(true);
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

describe('what a head that keeps the model says about it', () => {
  it('not adapting is no sign the model types every verified cell right: 2 of 15 typed wrong, adapting did no better', () => {
    const { emb, labels } = clusters(5, 3, 16, 3);
    // the model right on 13 of the 15 verified cells: too few wrong for the blend to beat it by 2 cells and 5%
    const probs = labels.map((l, i) => [0, 1, 2].map((c) => (c === (i < 2 ? (l + 1) % 3 : l) ? 0.9 : 0.05)));
    const h = fitHead(emb, labels, 3, {}, probs)!;
    expect(adapts(h)).toBe(false);
    expect(modelRight(h)).toEqual({ right: 13, of: 15 });
    expect(keptWhy(modelRight(h), 15)).toBe('types 13 of the 15 verified cells right, and adapting to them did no better');
    // every one right: the old words, which are then true
    const right = fitHead(emb, labels, 3, {}, labels.map((l) => [0, 1, 2].map((c) => (c === l ? 0.9 : 0.05))))!;
    expect(keptWhy(modelRight(right), 15, ' of the profile')).toBe('already types the 15 verified cells of the profile right');
    // no model output kept with the cells: nothing known to say otherwise
    expect(modelRight(fitHead(emb, labels, 3)!)).toBeNull();
  });
});
