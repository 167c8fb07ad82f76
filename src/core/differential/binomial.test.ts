import { describe, expect, it } from 'vitest';
import { binomialInterval } from './binomial';

describe('binomialInterval (Clopper-Pearson, as in Rümke’s tables)', () => {
  it('0 of n has the closed form 1 - 0.025^(1/n) for its upper bound', () => {
    expect(binomialInterval(0, 23)).toEqual({ low: 0, high: expect.closeTo(1 - 0.025 ** (1 / 23), 9) });
    expect(binomialInterval(0, 23).high).toBeCloseTo(0.1482, 4);
    expect(binomialInterval(0, 200).high).toBeCloseTo(0.0183, 4);
    expect(binomialInterval(23, 23)).toEqual({ low: expect.closeTo(0.025 ** (1 / 23), 9), high: 1 });
  });
  it('matches published exact intervals', () => {
    // R binom.test(10, 100)$conf.int, scipy beta.ppf: = 0.04900469 0.17622260
    const a = binomialInterval(10, 100);
    expect(a.low).toBeCloseTo(0.049005, 5);
    expect(a.high).toBeCloseTo(0.176223, 5);
    // scipy: beta.ppf(0.025, 85, 16), beta.ppf(0.975, 86, 15) = 0.7646925 0.9135456
    const b = binomialInterval(85, 100);
    expect(b.low).toBeCloseTo(0.764692, 5);
    expect(b.high).toBeCloseTo(0.913546, 5);
    // Rümke's table, 1% of 200 cells: 0.1-3.6%
    const c = binomialInterval(2, 200);
    expect(c.low).toBeCloseTo(0.0012133, 6);
    expect(c.high).toBeCloseTo(0.0356547, 6);
  });
  it('refuses what is not a count', () => {
    expect(() => binomialInterval(1, 0)).toThrow(RangeError);
    expect(() => binomialInterval(5, 3)).toThrow(RangeError);
  });
});
