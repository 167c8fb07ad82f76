import { describe, expect, it } from 'vitest';
import { editable } from '../formats/numbers';
import { countInterval, fieldDispersion, formatFactor, gammaP, MAX_FACTOR, parseFactor, parseLocaleNumber, restoredFactor, smearEstimate, twoSignificant } from './estimate';

describe('a typed factor', () => {
  it('is off when empty, a number above 0 up to a million, and otherwise says why', () => {
    expect(parseFactor('')).toEqual({ factor: null });
    expect(parseFactor(' 2000 ')).toEqual({ factor: 2000 });
    expect(parseFactor('1e6')).toEqual({ factor: 1e6 });
    for (const t of ['0', '-5', 'abc', 'NaN', 'Infinity']) expect(parseFactor(t), t).toEqual({ error: expect.stringMatching(/above 0/) });
    expect(parseFactor('1e9')).toEqual({ error: expect.stringMatching(/1,000,000,000\/µL is past any field factor/) });
  });

  // before: "5,5" and "15.000" went through Number(): in a German lab "15.000" (fifteen thousand) became a
  // factor of 15, an estimate 1000 times too low with no word; the field (type=number) made "5,5" 55
  it('reads a decimal comma, and thousands as the lab\'s country groups them, and refuses what a country decides', () => {
    expect(parseFactor('5,5', 'de-DE')).toEqual({ factor: 5.5 });
    expect(parseFactor('5.5', 'de-DE')).toEqual({ factor: 5.5 });
    expect(parseFactor('15.000', 'de-DE')).toEqual({ factor: 15000 });
    expect(parseFactor('15.000', 'pt-BR')).toEqual({ factor: 15000 });
    expect(parseFactor('15,000', 'en-US')).toEqual({ factor: 15000 });
    expect(parseFactor('15,000', 'ja-JP')).toEqual({ factor: 15000 });
    expect(parseFactor('15.000,5', 'en-US')).toEqual({ factor: 15000.5 });
    expect(parseFactor('1,234,567.5', 'de-DE')).toEqual({ error: expect.stringMatching(/past any field factor/) });
    expect(parseFactor('20 000', 'fr-FR')).toEqual({ factor: 20000 });
    expect(parseFactor('20\u202f000', 'fr-FR')).toEqual({ factor: 20000 });
    expect(parseFactor('0,500', 'en-US')).toEqual({ factor: 0.5 });
    expect(parseFactor('2000,5', 'en-US')).toEqual({ factor: 2000.5 });
    // Arabic-Indic digits and separators, as an Arabic keyboard types them
    expect(parseFactor('\u0662\u0660\u0660\u0660', 'ar-SA')).toEqual({ factor: 2000 });
    expect(parseFactor('\u0665\u066b\u0665', 'ar-SA')).toEqual({ factor: 5.5 });
    // one separator before three digits, not the country's grouping: 2 or 2000? Said, not guessed
    for (const [t, loc] of [['2,000', 'de-DE'], ['2.000', 'en-US'], ['15,000', 'fr-FR'], ['2,000', 'pt-BR']]) {
      expect(parseFactor(t, loc), `${t} ${loc}`).toEqual({ error: expect.stringMatching(/in one country and .* in another/) });
    }
    for (const t of ['5,5,5', '1.2.3', '12,34.5', '5,', ',', '2 00']) expect(parseFactor(t, 'de-DE'), t).toEqual({ error: expect.stringMatching(/above 0/) });
    expect(parseLocaleNumber('-1.000', 'de-DE')).toEqual({ value: -1000 });
  });
});

describe('a factor restored from storage', () => {
  it('passes the checks a typed one gets, on the value as stored', () => {
    expect(restoredFactor(undefined)).toEqual({ factor: null });
    expect(restoredFactor(null)).toEqual({ factor: null });
    expect(restoredFactor(15000)).toEqual({ factor: 15000 });
    expect(restoredFactor(5.5)).toEqual({ factor: 5.5 });
    expect(restoredFactor(MAX_FACTOR)).toEqual({ factor: MAX_FACTOR });
    for (const bad of [0, -2000, NaN, Infinity, MAX_FACTOR + 1, '2000', true, {}]) expect(restoredFactor(bad)).toHaveProperty('error');
  });
});

describe('a factor shown and typed in one country', () => {
  const LOCALES = ['en-US', 'de-DE', 'fr-FR', 'de-CH', 'es-ES', 'pt-BR', 'it-IT', 'pl-PL', 'sv-SE', 'ru-RU', 'en-IN', 'hi-IN', 'ja-JP', 'ar-SA', 'fa-IR'];
  it('is written as that country writes it, in Latin digits', () => {
    // before: "15,000" in every country, a German lab's fifteen (15,000 is 15 there)
    expect(formatFactor(15000, 'de-DE')).toBe('15.000');
    expect(formatFactor(15000, 'fr-FR')).toBe('15\u202f000');
    expect(formatFactor(150000, 'en-IN')).toBe('1,50,000');
    expect(formatFactor(5.5, 'de-DE')).toBe('5,5');
    expect(formatFactor(15000, 'ar-SA')).toBe('15,000');
    expect(formatFactor(15000)).toBe('15,000');
    expect(parseFactor('1e9', 'de-DE')).toEqual({ error: expect.stringMatching(/^1\.000\.000\.000\/µL is past any field factor \(at most 1\.000\.000\)/) });
  });
  it('reads back, in every country, as the number it shows', () => {
    // the estimate's formula shows the factor in force: typed back as shown, it is the same factor (an Indian
    // lab's "1,50,000" was 'not a number')
    for (const loc of LOCALES) {
      for (const f of [2000, 5.5, 15000, 20000, 150000, 1234.5, 1_000_000]) {
        expect(parseFactor(formatFactor(f, loc), loc), `${f} ${loc}: ${formatFactor(f, loc)}`).toEqual({ factor: f });
        // and as the field gives it back after a reload
        expect(parseFactor(editable(f, loc), loc), `${f} ${loc}: ${editable(f, loc)}`).toEqual({ factor: f });
      }
    }
  });
});

describe('smear estimates', () => {
  it('are written in the reader\'s locale where one is given, and as the exports keep them where not', () => {
    const sample = { total: 1363, fields: 60, dispersion: 1 };
    const de = smearEstimate(1363 / 60, 15000, sample, 'de-DE');
    // before: "≈ 340 ×10⁹/L, 95% 320–360 ×10⁹/L (22.72 per field × 15,000/µL; 1,363 in 60 fields)" in a German lab
    expect(de.printed).toBe('≈ 340 ×10⁹/L, 95% 320–360 ×10⁹/L (22,72 per field × 15.000/µL; 1.363 in 60 fields)');
    expect(smearEstimate(0.9, 2000, undefined, 'de-DE').value).toBe('≈ 1,8 ×10⁹/L');
    expect(smearEstimate(1363 / 60, 15000, sample, 'fr-FR').formula).toBe('22,72 per field × 15\u202f000/µL');
    expect(smearEstimate(1363 / 60, 15000, sample, 'en-US').printed).toBe('≈ 340 ×10⁹/L, 95% 320–360 ×10⁹/L (22.72 per field × 15,000/µL; 1,363 in 60 fields)');
    expect(smearEstimate(1363 / 60, 15000, sample).printed).toBe('≈ 340 ×10⁹/L, 95% 320–360 ×10⁹/L (22.72 per field × 15,000/µL; 1,363 in 60 fields)');
    expect(twoSignificant(2840, 'de-DE')).toBe('2.800');
    expect(twoSignificant(0.644, 'de-DE')).toBe('0,64');
    expect(twoSignificant(2840)).toBe('2800');
  });
  it('are given in ×10⁹/L to two significant figures, with the formula that made them', () => {
    const plt = smearEstimate(0.9, 15000);
    expect(plt.perUL).toBeCloseTo(13500);
    expect(plt.value).toBe('≈ 14 ×10⁹/L');
    expect(plt.formula).toBe('0.90 per field × 15,000/µL');
    expect(plt.printed).toBe('≈ 14 ×10⁹/L (0.90 per field × 15,000/µL)');
    expect(smearEstimate(1, 2000).value).toBe('≈ 2.0 ×10⁹/L');
    expect(smearEstimate(0.32, 2000).value).toBe('≈ 0.64 ×10⁹/L');
    expect(smearEstimate(14.2, 20000).value).toBe('≈ 280 ×10⁹/L');
  });
  it('twoSignificant', () => {
    expect(twoSignificant(0)).toBe('0');
    expect(twoSignificant(6.44)).toBe('6.4');
    expect(twoSignificant(13.5)).toBe('14');
    expect(twoSignificant(284)).toBe('280');
    expect(twoSignificant(0.0451)).toBe('0.045');
    // rounding up across a power of ten stays at two figures ('10.0', '1.00' and '0.100' were three)
    expect(twoSignificant(9.96)).toBe('10');
    expect(twoSignificant(0.996)).toBe('1.0');
    expect(twoSignificant(0.0996)).toBe('0.10');
    expect(twoSignificant(99.7)).toBe('100');
    expect(twoSignificant(995)).toBe('1000');
    expect(twoSignificant(-9.96)).toBe('-10');
    expect(smearEstimate(0.498, 20000).value).toBe('≈ 10 ×10⁹/L');
  });
  it('without the fields counted, carry no interval (and print as before)', () => {
    const e = smearEstimate(0.9, 15000);
    expect(e.interval).toBeNull();
    expect(e.moreFields).toBeNull();
  });
  it('with the fields counted, carry the exact 95% Poisson interval and the fields short of ±20%', () => {
    // 12 platelets in 10 fields at × 20,000/µL: 24 ×10⁹/L, 95% 12.4–41.9 (scipy: gammaincinv(12, 0.025) = 6.2006,
    // gammaincinv(13, 0.975) = 20.9616, per 10 fields × 20,000/µL)
    const e = smearEstimate(1.2, 20000, { total: 12, fields: 10, dispersion: 1 });
    expect(e.value).toBe('≈ 24 ×10⁹/L');
    expect(e.interval!.low).toBeCloseTo(12.4012, 3);
    expect(e.interval!.high).toBeCloseTo(41.9232, 3);
    expect(e.intervalText).toBe('95% 12–42 ×10⁹/L');
    expect(e.basis).toBe('12 in 10 fields');
    expect(e.printed).toBe('≈ 24 ×10⁹/L, 95% 12–42 ×10⁹/L (1.20 per field × 20,000/µL; 12 in 10 fields)');
    // ±20% needs (1.96 / 0.2)² = 96.04 cells: 81 fields at 1.2 per field, 71 more
    expect(e.moreFields).toBe(71);
    // 200 cells in 20 fields are within ±20% already
    expect(smearEstimate(10, 20000, { total: 200, fields: 20, dispersion: 1 }).moreFields).toBe(0);
    // none found: an upper bound, and no count of fields that could narrow a zero
    const none = smearEstimate(0, 20000, { total: 0, fields: 5, dispersion: 1 });
    expect(none.interval!.low).toBe(0);
    expect(none.interval!.high).toBeCloseTo((3.6889 / 5) * 20, 2);
    expect(none.moreFields).toBeNull();
  });
  it('countInterval matches scipy (Garwood), and widens by the dispersion', () => {
    const scipy: [number, number, number][] = [
      [0, 0, 3.6889],
      [1, 0.0253, 5.5716],
      [5, 1.6235, 11.6683],
      [10, 4.7954, 18.3904],
      [100, 81.364, 121.6268],
      [1000, 938.973, 1063.9521],
    ];
    for (const [n, low, high] of scipy) {
      const ci = countInterval(n);
      expect(ci.low).toBeCloseTo(low, 3);
      expect(ci.high).toBeCloseTo(high, 3);
    }
    // 40 cells over fields twice as variable as chance: worth 20 (scipy: 2 × gammaincinv(20, 0.025), 2 × gammaincinv(21, 0.975))
    const wide = countInterval(40, 2);
    expect(wide.low).toBeCloseTo(24.433, 2);
    expect(wide.high).toBeCloseTo(61.7768, 2);
    // a dispersion under 1 (fields more even than chance) never narrows it
    expect(countInterval(40, 0.5)).toEqual(countInterval(40, 1));
    expect(() => countInterval(-1)).toThrow(RangeError);
  });
  it('gammaP matches scipy.special.gammainc on both sides of a + 1', () => {
    expect(gammaP(3.5, 2)).toBeCloseTo(0.22022259152428406, 12);
    expect(gammaP(50, 60)).toBeCloseTo(0.9155933189063082, 12);
    expect(gammaP(0.5, 0.1)).toBeCloseTo(0.34527915398142317, 12);
  });
  it('fieldDispersion: variance over mean of the fields, never under 1, 1 below 3 fields', () => {
    expect(fieldDispersion([5, 5, 5, 5])).toBe(1);
    expect(fieldDispersion([0, 10])).toBe(1);
    expect(fieldDispersion([0, 0, 0])).toBe(1);
    // mean 4, sample variance ((4² + 4² + 0 + 0) / 3) = 32/3: 2.667
    expect(fieldDispersion([0, 8, 4, 4])).toBeCloseTo(32 / 3 / 4, 10);
    // a fourfold dispersion needs four times the fields for ±20%
    const even = smearEstimate(2, 20000, { total: 20, fields: 10, dispersion: 1 }).moreFields!;
    const uneven = smearEstimate(2, 20000, { total: 20, fields: 10, dispersion: 4 }).moreFields!;
    expect(even).toBe(49 - 10);
    expect(uneven).toBe(193 - 10);
  });
  it('a count known to be short (platelet clumps) is given as a minimum, with the reason', () => {
    const e = smearEstimate(1.2, 20000, { total: 12, fields: 10, dispersion: 1, minimum: 'a minimum: platelet clumps in 2 fields' });
    expect(e.value).toBe('≥ 24 ×10⁹/L');
    expect(e.printed).toBe('≥ 24 ×10⁹/L, 95% 12–42 ×10⁹/L (1.20 per field × 20,000/µL; 12 in 10 fields; a minimum: platelet clumps in 2 fields)');
  });
});
