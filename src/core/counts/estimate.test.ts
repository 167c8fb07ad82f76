import { describe, expect, it } from 'vitest';
import { smearEstimate, twoSignificant } from './estimate';

describe('smear estimates', () => {
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
  });
});
