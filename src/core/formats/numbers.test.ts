import { describe, expect, it } from 'vitest';
import { editable, fixed, plain } from './numbers';

describe('numbers as a country writes them', () => {
  it('use the locale\'s decimal sign and grouping, in Latin digits', () => {
    expect(fixed(1234.567, 1, 'de-DE')).toBe('1.234,6');
    expect(fixed(1234.567, 1, 'fr-FR')).toBe('1\u202f234,6');
    expect(fixed(1234.567, 1, 'en-US')).toBe('1,234.6');
    expect(plain(150000, 'en-IN')).toBe('1,50,000');
    expect(plain(15000, 'de-CH')).toMatch(/^15['’]000$/);
    // an Arabic browser's own digits (٦٫٤) are read when typed; shown, the figures stay 0-9 as on lab reports
    expect(fixed(6.4, 1, 'ar-SA')).toBe('6.4');
    expect(plain(0.575, 'de-DE', 3)).toBe('0,575');
  });
  it('keep the machine form where no locale is given (the exports), and take a tag Intl refuses as English', () => {
    expect(fixed(1234.567, 1)).toBe('1234.6');
    expect(plain(15000)).toBe('15000');
    expect(fixed(Number.NaN, 1, 'de-DE')).toBe('NaN');
    expect(fixed(1234.5, 1, 'not a tag!')).toBe('1,234.5');
  });
  it('put back into a field, have the decimal sign and no grouping', () => {
    expect(editable(0.02, 'de-DE')).toBe('0,02');
    expect(editable(1000.5, 'de-DE')).toBe('1000,5');
    expect(editable(150000, 'en-IN')).toBe('150000');
    expect(editable(75.5, 'ar-SA')).toBe('75.5');
  });
});
