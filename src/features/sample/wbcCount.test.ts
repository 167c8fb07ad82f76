import { describe, expect, it } from 'vitest';
import { parseWbcCount } from './wbcCount';

describe('parseWbcCount', () => {
  it('reads a decimal point or a decimal comma, and a leading zero', () => {
    expect(parseWbcCount('0.8')).toEqual({ value: 0.8, error: null });
    expect(parseWbcCount('0,8')).toEqual({ value: 0.8, error: null });
    expect(parseWbcCount(' 12.5 ')).toEqual({ value: 12.5, error: null });
    expect(parseWbcCount('4,25').value).toBe(4.25);
    expect(parseWbcCount('.5').value).toBe(0.5);
  });
  // before: an Arabic phone keyboard's "٦٫٤" (6.4) was "Not a number"
  it('reads Arabic-Indic digits and the Arabic decimal separator', () => {
    expect(parseWbcCount('\u0666\u066b\u0664')).toEqual({ value: 6.4, error: null });
    expect(parseWbcCount('\u06f0\u066b\u06f8')).toEqual({ value: 0.8, error: null });
  });
  it('a count still being typed reads as far as it goes', () => {
    expect(parseWbcCount('4.').value).toBe(4);
    expect(parseWbcCount('4,').value).toBe(4);
  });
  it('an empty field is no count and no error', () => {
    expect(parseWbcCount('')).toEqual({ value: null, error: null });
    expect(parseWbcCount('  ')).toEqual({ value: null, error: null });
  });
  it('no count: zero, text, two separators, a count per µL', () => {
    expect(parseWbcCount('0')).toEqual({ value: null, error: expect.stringContaining('more than 0') });
    expect(parseWbcCount('0,0').value).toBeNull();
    expect(parseWbcCount('abc')).toEqual({ value: null, error: expect.stringContaining('Not a number') });
    expect(parseWbcCount('-3').value).toBeNull();
    expect(parseWbcCount('1,234.5').value).toBeNull();
    expect(parseWbcCount('.').value).toBeNull();
    expect(parseWbcCount('6400')).toEqual({ value: null, error: expect.stringContaining('per µL') });
    expect(parseWbcCount('999.9').value).toBe(999.9);
  });
});
