import { describe, expect, it } from 'vitest';
import { latinDigits } from './digits';

describe('latinDigits', () => {
  it('reads Arabic-Indic and Persian digits and the Arabic separators as ASCII', () => {
    expect(latinDigits('\u0666\u066b\u0664')).toBe('6.4');
    expect(latinDigits('\u06f1\u06f5\u066c\u06f0\u06f0\u06f0')).toBe('15,000');
    expect(latinDigits('S-12 a')).toBe('S-12 a');
  });
});
