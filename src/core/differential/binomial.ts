/**
 * The sampling error of a differential count: the exact (Clopper-Pearson) 95% binomial interval of k
 * cells of one type among n counted, as tabled by Rümke (1975) for the manual differential. On 23 cells
 * a type with no cell found can still be up to 14.8% of the blood's WBCs, so "0 basophils" is no
 * evidence of a low count; on 200 cells the same 0 bounds the type under 1.9%.
 */

/** P(X <= k) for X ~ Binomial(n, p), summed in log space (no overflow for any n a differential reaches). */
function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  let lchoose = 0; // log C(n, i)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) lchoose += Math.log(n - i + 1) - Math.log(i);
    sum += Math.exp(lchoose + i * lp + (n - i) * lq);
  }
  return Math.min(1, sum);
}

/** The p in (0, 1) where a decreasing f(p) crosses `target`, by bisection to far below the printed precision. */
function solve(f: (p: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The exact two-sided binomial interval (proportions, 0-1) of k successes in n trials; level 0.95 by default. */
export function binomialInterval(k: number, n: number, level = 0.95): { low: number; high: number } {
  if (!(n > 0) || k < 0 || k > n || !Number.isInteger(k) || !Number.isInteger(n)) throw new RangeError(`binomialInterval: ${k} of ${n}`);
  const tail = (1 - level) / 2;
  // low: P(X >= k | p) = tail; high: P(X <= k | p) = tail (both tails in P(X <= ·), decreasing in p)
  const low = k === 0 ? 0 : solve((p) => binomialCdf(k - 1, n, p), 1 - tail);
  const high = k === n ? 1 : solve((p) => binomialCdf(k, n, p), tail);
  return { low, high };
}
