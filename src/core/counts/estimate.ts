/**
 * Smear estimates: a cell's concentration from its mean count per field and a factor the lab sets for its
 * microscope and field size (WBC × 2,000 at 40×, platelets × 15,000–20,000 at 100× oil, per µL). Given in
 * ×10⁹/L, the unit an analyser's count is given in, so the two are read side by side; to two significant
 * figures, as much as a factor and a per-field mean can carry; always with the formula that made it.
 */

/** Two significant figures: 13.5 is 14, 2 is 2.0, 0.64 stays, 284 is 280. */
export function twoSignificant(x: number): string {
  if (!Number.isFinite(x) || x === 0) return '0';
  const digits = 1 - Math.floor(Math.log10(Math.abs(x)));
  if (digits >= 0) return x.toFixed(digits);
  const unit = 10 ** -digits;
  return String(Math.round(x / unit) * unit);
}

export interface SmearEstimate {
  /** cells per µL, unrounded */
  perUL: number;
  /** ×10⁹/L, unrounded */
  perL9: number;
  /** "≈ 2.0 ×10⁹/L" */
  value: string;
  /** "0.67 per field × 3,000/µL" */
  formula: string;
  /** As the report prints it: "≈ 2.0 ×10⁹/L (0.67 per field × 3,000/µL)" */
  printed: string;
}

export function smearEstimate(meanPerField: number, factorPerUL: number): SmearEstimate {
  const perUL = meanPerField * factorPerUL;
  const perL9 = perUL / 1000;
  const value = `≈ ${twoSignificant(perL9)} ×10⁹/L`;
  const formula = `${meanPerField.toFixed(2)} per field × ${factorPerUL.toLocaleString('en')}/µL`;
  return { perUL, perL9, value, formula, printed: `${value} (${formula})` };
}
