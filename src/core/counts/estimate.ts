/**
 * Smear estimates: a cell's concentration from its mean count per field and a factor the lab sets for its
 * microscope and field size (WBC × 2,000 at 40×, platelets × 15,000–20,000 at 100× oil, per µL). Given in
 * ×10⁹/L, the unit an analyser's count is given in, so the two are read side by side; to two significant
 * figures, as much as a factor and a per-field mean can carry; always with the formula that made it, and with
 * its sampling error: 12 platelets in 10 fields give 24 ×10⁹/L at × 20,000/µL, but anything from 12 to 42 is
 * as likely to have given that count (the exact Poisson interval, widened where the fields differ more than
 * chance makes them), so the estimate says so and how many more fields would bring it within ±20%.
 */
import { latinDigits } from '../formats/digits';
import { fixed, plain } from '../formats/numbers';

/** Two significant figures: 13.5 is 14, 2 is 2.0, 0.64 stays, 284 is 280; in `locale` where given ("2,0",
 * "2.800" in de-DE), else as the exports keep it (core/formats/numbers). */
export function twoSignificant(x: number, locale?: string): string {
  if (!Number.isFinite(x) || x === 0) return '0';
  // rounded first: the decimals follow the rounded value's magnitude (9.96 is 10, not 10.0)
  const r = Number(x.toPrecision(2));
  const digits = 1 - Math.floor(Math.log10(Math.abs(r)));
  return digits >= 0 ? fixed(r, digits, locale) : plain(r, locale);
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
  /** As the report prints it: "≈ 2.0 ×10⁹/L (0.67 per field × 3,000/µL)", with the interval where the fields are known */
  printed: string;
  /** The 95% sampling interval in ×10⁹/L (`countInterval` over the fields counted); null without the fields */
  interval: { low: number; high: number } | null;
  /** "95% 1.1–3.4 ×10⁹/L" */
  intervalText: string | null;
  /** "12 in 18 fields" */
  basis: string | null;
  /** About how many more fields bring the interval within ±20% of the estimate; 0 where it is already, null where no cell was found */
  moreFields: number | null;
  /** What to check before the estimate is reported (a low platelet count: clumps), or null */
  caution: string | null;
}

/** Cells per µL per cell per field: a field factor past this (a million: 50× the platelet factor at 100× oil)
 * is a slip of the keyboard, not a microscope. */
export const MAX_FACTOR = 1_000_000;

/** The separator a locale groups thousands with ("," in en and ja, "." in de and pt-BR, a space in fr), with
 * Arabic's own (U+066C) read as the comma it is typed for. */
function groupSeparator(locale: string): string {
  let g = ',';
  try {
    // a hundred thousand: Spanish, Italian and Polish group no four-digit number ("2000"), only longer ones
    g = new Intl.NumberFormat(locale).formatToParts(100000).find((p) => p.type === 'group')?.value ?? '';
  } catch {
    // an unknown locale tag: English's
  }
  return g === '\u066c' ? ',' : g;
}

/**
 * A positive number as a technician types it anywhere: "5,5" and "5.5", "15.000,5" and "15,000.5", "20 000",
 * Arabic-Indic digits. One "." or "," before exactly three digits ("2.000", "2,000") is a thousands separator
 * in one country and a decimal one in another: read as the grouping where it is this `locale`'s, refused as
 * ambiguous where it is not (a German's "2.000" is 2000; an American's "2.000" is no factor anyone meant).
 * NaN for what is no number, with `ambiguous` set where the reading depends on the country.
 */
export function parseLocaleNumber(text: string, locale = 'en'): { value: number; ambiguous?: true } {
  const t = latinDigits(text.trim());
  // plain JS notation ("2000", "5.5", "1e6"); "2.000" is looked at below
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) && !/^[+-]?\d{1,3}\.\d{3}$/.test(t)) return { value: Number(t) };
  const sign = t.startsWith('-') ? -1 : 1;
  const u = t.replace(/^[+-]/, '');
  // India's lakh and crore ("1,50,000", "10,00,000": en-IN and hi-IN print them so), read in every country
  if (/^\d{1,2}(,\d\d)+,\d{3}(\.\d+)?$/.test(u)) return { value: sign * Number(u.replace(/,/g, '')) };
  // groups of three by a space (fr, and ISO 80000), an apostrophe (de-CH), or the other of "." and ","
  const spaced = /^\d{1,3}([ \u00a0\u202f'’]\d{3})+([.,]\d+)?$/.exec(u);
  if (spaced) return { value: sign * Number(u.replace(/[ \u00a0\u202f'’]/g, '').replace(',', '.')) };
  for (const [g, d] of [[',', '.'], ['.', ',']]) {
    const both = new RegExp(`^\\d{1,3}(\\${g}\\d{3})+\\${d}\\d+$`).exec(u);
    const many = new RegExp(`^\\d{1,3}(\\${g}\\d{3}){2,}$`).exec(u);
    if (both || many) return { value: sign * Number(u.split(g).join('').replace(d, '.')) };
  }
  const one = /^(\d+)([.,])(\d+)$/.exec(u);
  if (!one) return { value: NaN };
  const [, int, sep, frac] = one;
  // "0,500" and "1000,5" can only be decimals
  if (frac.length !== 3 || int.length > 3 || /^0/.test(int)) return { value: sign * Number(`${int}.${frac}`) };
  if (sep === groupSeparator(locale)) return { value: sign * Number(int + frac) };
  return { value: NaN, ambiguous: true };
}

/** A smear-estimate factor as typed: null (off) for an empty field, the number where it is one a microscope
 * has, or why not. `locale` (the browser's) says whether "2.000" is 2000 (de-DE) or refused (en-US), and the
 * error's figures are written as that country writes them; `formatFactor` in the same locale reads back. */
export function parseFactor(text: string, locale = 'en'): { factor: number | null } | { error: string } {
  const t = text.trim();
  if (t === '') return { factor: null };
  const { value: n, ambiguous } = parseLocaleNumber(t, locale);
  if (ambiguous) return { error: `${t} is ${t.replace(/[.,]/, '')} in one country and ${t.replace(',', '.').replace(/\.?0+$/, '')} in another: type it without a separator (e.g. 2000)` };
  if (!Number.isFinite(n) || n <= 0) return { error: 'a factor is a number above 0 (cells per µL per cell counted per field, e.g. 2000)' };
  if (n > MAX_FACTOR) return { error: `${formatFactor(n, locale)}/µL is past any field factor (at most ${formatFactor(MAX_FACTOR, locale)})` };
  return { factor: n };
}

/** A factor read back from storage (the lab settings an older version saved, a hand-edited copy of them): the
 * checks a typed factor gets (parseFactor), on the value as stored. null or absent is off; anything else that is
 * not a number above 0 and at most MAX_FACTOR is refused with why. Before, any positive number was used as it
 * was ("1e9" gave an estimate a thousand times past any microscope's), and text was dropped without a word. */
export function restoredFactor(x: unknown): { factor: number | null } | { error: string } {
  if (x === null || x === undefined) return { factor: null };
  if (typeof x !== 'number') return { error: `${JSON.stringify(x)} is not a number` };
  if (!Number.isFinite(x) || x <= 0) return { error: `${String(x)} is not a factor: a factor is a number above 0 (cells per µL per cell counted per field, e.g. 2000)` };
  if (x > MAX_FACTOR) return { error: `${formatFactor(x)}/µL is past any field factor (at most ${formatFactor(MAX_FACTOR)})` };
  return { factor: x };
}

/** A factor as `locale` writes it ("15.000" and "5,5" in de-DE, "15 000" in fr-FR, "15,000" in en), which
 * parseFactor in that locale reads back as the same number; English's grouping where `locale` is undefined
 * (the JSON's printed estimate). */
export function formatFactor(f: number, locale?: string): string {
  return plain(f, locale ?? 'en');
}

/** ±20%: where a smear estimate's 95% interval reaches further, the count is too small to read it closely. */
export const ESTIMATE_PRECISION = 0.2;

/** `locale`: the figures of the texts as the screen or the printed report shows them ("0,67 per field ×
 * 15.000/µL" in de-DE); undefined, as the JSON export keeps them ("0.67 per field × 15,000/µL"). */
export function smearEstimate(meanPerField: number, factorPerUL: number, sample?: FieldSample, locale?: string): SmearEstimate {
  const perUL = meanPerField * factorPerUL;
  const perL9 = perUL / 1000;
  // platelets in clumps hide one another: the count, and the estimate, is then a minimum
  const value = `${sample?.minimum ? '≥' : '≈'} ${twoSignificant(perL9, locale)} ×10⁹/L`;
  const formula = `${fixed(meanPerField, 2, locale)} per field × ${formatFactor(factorPerUL, locale)}/µL`;
  if (!sample || !(sample.fields > 0)) return { perUL, perL9, value, formula, printed: `${value} (${formula})`, interval: null, intervalText: null, basis: null, moreFields: null, caution: null };
  const ci = countInterval(sample.total, sample.dispersion);
  const toL9 = (c: number) => (c / sample.fields) * factorPerUL / 1000;
  const interval = { low: toL9(ci.low), high: toL9(ci.high) };
  const intervalText = `95% ${twoSignificant(interval.low, locale)}–${twoSignificant(interval.high, locale)} ×10⁹/L`;
  const basis = `${plain(sample.total, locale ?? 'en')} in ${plain(sample.fields, locale)} field${sample.fields === 1 ? '' : 's'}${sample.minimum ? `; ${sample.minimum}` : ''}`;
  let moreFields: number | null = null;
  if (sample.total > 0) {
    // the normal approximation of the interval's half-width, 1.96 √(dispersion / cells), at ±20%
    const cellsNeeded = (1.96 / ESTIMATE_PRECISION) ** 2 * Math.max(1, sample.dispersion);
    const fieldsNeeded = Math.ceil(cellsNeeded / (sample.total / sample.fields));
    moreFields = Math.max(0, fieldsNeeded - sample.fields);
  }
  return { perUL, perL9, value, formula, printed: `${value}, ${intervalText} (${formula}; ${basis})`, interval, intervalText, basis, moreFields, caution: null };
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: relative error under 1e-13). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularised lower incomplete gamma function P(a, x): a series below a + 1, Lentz's continued fraction above. */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return Math.min(1, sum * front);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.max(0, 1 - front * h);
}

/** The x where P(a, x) = p, by bisection (P increases in x). */
function gammaQuantile(a: number, p: number): number {
  let lo = 0;
  let hi = a + 20 * Math.sqrt(a + 1) + 20;
  while (gammaP(a, hi) < p) hi *= 2;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(a, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The sampling error of a count: the exact (Garwood) two-sided interval of a Poisson mean, given `count`
 * cells found, for the expected count. `dispersion` (the fields' variance over their mean, ≥ 1) widens it
 * where the fields differ more than chance alone makes them (a smear is thicker in places): the count is
 * then worth count / dispersion independent cells, and the interval is that one's, scaled back.
 */
export function countInterval(count: number, dispersion = 1, level = 0.95): { low: number; high: number } {
  if (!(count >= 0) || !Number.isFinite(count)) throw new RangeError(`countInterval: ${count}`);
  const phi = Math.max(1, Number.isFinite(dispersion) ? dispersion : 1);
  const eff = count / phi;
  const tail = (1 - level) / 2;
  const low = eff > 0 ? gammaQuantile(eff, tail) : 0;
  const high = gammaQuantile(eff + 1, 1 - tail);
  return { low: low * phi, high: high * phi };
}

/** How many fields were counted, and how much they differed (variance over mean of the per-field counts). */
export interface FieldSample {
  /** cells counted over all fields */
  total: number;
  fields: number;
  /** variance / mean of the per-field counts, 1 where a Poisson count explains the spread (or too few fields to tell) */
  dispersion: number;
  /** Why the count is a minimum ("platelet clumps in 2 fields"), where it is one */
  minimum?: string;
}

/** Variance over mean of per-field counts: 1 below 3 fields (too few to read a spread) or with no cell, and never under 1. */
export function fieldDispersion(counts: readonly number[]): number {
  const n = counts.length;
  if (n < 3) return 1;
  const mean = counts.reduce((a, b) => a + b, 0) / n;
  if (mean <= 0) return 1;
  const variance = counts.reduce((a, c) => a + (c - mean) ** 2, 0) / (n - 1);
  return Math.max(1, variance / mean);
}
