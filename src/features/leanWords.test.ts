import { describe, expect, it } from 'vitest';
import { readingWords, referenceWords } from './leanWords';

describe("the unusual reading's figures, in the browser's locale", () => {
  it('a reference interval set with decimals reads with the decimal sign the editor shows', () => {
    // before: "0.5–1.5%" in a German lab, whose reference editor shows "0,5" and "1,5"
    expect(referenceWords({ low: 0.5, high: 1.5 }, false, 'de-DE')).toBe('0,5–1,5%');
    expect(referenceWords({ low: 40, high: 80 }, false, 'de-DE')).toBe('40–80%');
    expect(referenceWords({ low: 0, high: 0 }, true, 'de-DE')).toBe('0');
    expect(referenceWords({ low: 0.5, high: 1.5 }, true, 'en-US')).toBe('0.5–1.5');
    expect(referenceWords(null, false, 'de-DE')).toBe('none set');
    expect(readingWords(62.6, 'de-DE')).toBe('63');
  });
});
