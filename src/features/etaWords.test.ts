import { describe, expect, it } from 'vitest';
import { etaWords } from './etaWords';

describe('etaWords', () => {
  it('seconds under a minute, rounded up', () => {
    expect(etaWords(400)).toBe('1 s');
    expect(etaWords(40_000)).toBe('40 s');
    expect(etaWords(58_200)).toBe('59 s');
    expect(etaWords(59_200)).toBe('1 min 0 s');
  });
  it('minutes and seconds, never 60 seconds', () => {
    expect(etaWords(119_600)).toBe('2 min 0 s');
    expect(etaWords(65_000)).toBe('1 min 5 s');
    expect(etaWords(60_000)).toBe('1 min 0 s');
    for (let ms = 60_000; ms < 600_000; ms += 137) expect(etaWords(ms)).toMatch(/^\d+ min [0-5]?\d s$/);
  });
});
