/**
 * Is one detector's count better than another's, or is the difference luck? A paired bootstrap over the
 * images of `npm run eval --json` outputs (scripts/compareEval.ts): both models counted the same images, so
 * the images are resampled with replacement, the same draw for both, and the difference in count accuracy
 * (1 - Σ|pred - true| / Σ true, the cards' measure) is recomputed on each draw, seeded (core's mulberry32), so
 * a comparison prints the same interval every time.
 */
import { seededRandom } from '../../src/core/adapt/adapt';

export interface ImageCounts {
  image: string;
  /** predicted counts per class */
  counts: Record<string, number>;
  truth: Record<string, number>;
}

export interface Difference {
  /** count accuracy of the baseline and the candidate on the images as they are */
  base: number;
  cand: number;
  /** cand - base, and its bootstrap 95% interval */
  delta: number;
  low: number;
  high: number;
  /** the share of draws in which the candidate is not better (delta <= 0) */
  pNotBetter: number;
  /** summed absolute errors, baseline and candidate */
  baseErrors: number;
  candErrors: number;
  truth: number;
}

/** Pairs the two runs' images by name; a set is a list of such pairs (the images of one folder). Sets are
 * resampled each within itself (a stratified bootstrap), so a pooled figure keeps each set's weight. */
export function pairImages(base: readonly ImageCounts[], cand: readonly ImageCounts[]): [ImageCounts, ImageCounts][] {
  const byName = new Map(cand.map((c) => [c.image, c]));
  if (byName.size !== cand.length || base.length !== cand.length) throw new Error(`the two runs counted different images (${base.length} and ${cand.length})`);
  return base.map((b) => {
    const c = byName.get(b.image);
    if (!c) throw new Error(`${b.image} is in one run only`);
    return [b, c];
  });
}

export function compareCounts(sets: readonly [ImageCounts, ImageCounts][][], cls: string, resamples = 10_000, seed = 1): Difference {
  const err = (x: ImageCounts) => Math.abs((x.counts[cls] ?? 0) - (x.truth[cls] ?? 0));
  const rows = sets.map((s) => s.map(([b, c]) => [err(b), err(c), b.truth[cls] ?? 0] as const));
  const total = (pick: (i: number) => number, s: readonly (readonly [number, number, number])[], k: 0 | 1 | 2, n: number) => {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += s[pick(j)][k];
    return sum;
  };
  const all = rows.flat();
  const truth = all.reduce((a, r) => a + r[2], 0);
  const baseErrors = all.reduce((a, r) => a + r[0], 0);
  const candErrors = all.reduce((a, r) => a + r[1], 0);
  if (!truth) throw new Error(`no ${cls} in the images`);
  const rand = seededRandom(seed);
  const deltas: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let eb = 0;
    let ec = 0;
    let t = 0;
    for (const s of rows) {
      const draw = Array.from({ length: s.length }, () => Math.floor(rand() * s.length));
      const at = (j: number) => draw[j];
      eb += total(at, s, 0, s.length);
      ec += total(at, s, 1, s.length);
      t += total(at, s, 2, s.length);
    }
    if (t > 0) deltas.push((eb - ec) / t);
  }
  deltas.sort((a, b) => a - b);
  const q = (p: number) => deltas[Math.min(deltas.length - 1, Math.floor(p * deltas.length))];
  return {
    base: 1 - baseErrors / truth,
    cand: 1 - candErrors / truth,
    delta: (baseErrors - candErrors) / truth,
    low: q(0.025),
    high: q(0.975),
    pNotBetter: deltas.filter((d) => d <= 0).length / deltas.length,
    baseErrors,
    candErrors,
    truth,
  };
}
