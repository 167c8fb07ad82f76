import { describe, expect, it } from 'vitest';
import { doneWords, reviewWords, uncertainWords } from './progressWords';

describe("the batch progress line, in the browser's locale", () => {
  it('groups its figures as the counts panel does', () => {
    // before: "1204 uncertain boxes left" and "1200/1500 done" in a German lab, beside the panel's "1.363"
    expect(uncertainWords(1204, 'de-DE')).toBe('1.204 uncertain boxes left');
    expect(uncertainWords(1, 'de-DE')).toBe('1 uncertain box left');
    expect(doneWords(1200, 1500, 2, 'fr-FR')).toBe('1\u202f200/1\u202f500 done · 2 failed');
    expect(doneWords(12, 150, 0)).toBe('12/150 done');
    expect(reviewWords(1100, 1200, 'de-DE')).toBe('1.100 to review');
    expect(reviewWords(0, 3, 'de-DE')).toBe('all reviewed');
    expect(reviewWords(0, 0, 'de-DE')).toBe('');
  });
});
