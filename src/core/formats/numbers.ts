/**
 * Numbers as the reader's country writes them, on the screen and the printed report: "15.000/µL" and "5,5" in
 * a German lab, "15 000" (a narrow no-break space) in a French one, "1,50,000" in an Indian one. Digits stay
 * Latin (0-9) in every locale, as lab reports and analysers print them beside units and ISO times (an Arabic
 * browser's own digits, ٦٫٤, are read when typed: digits.ts). `locale` undefined is the machine form the
 * exports keep whatever the browser (CSV, JSON): a decimal point, no grouping (`fixed`), and the figure as JS
 * writes it (`plain`), so a LIS or a script reads every country's file the same way.
 */

const formats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, min: number, max: number, grouping = true): Intl.NumberFormat {
  const key = `${locale}|${min}|${max}|${grouping}`;
  let f = formats.get(key);
  if (!f) {
    const opts: Intl.NumberFormatOptions = { numberingSystem: 'latn', minimumFractionDigits: min, maximumFractionDigits: max, useGrouping: grouping };
    try {
      f = new Intl.NumberFormat(locale, opts);
    } catch {
      // a tag Intl does not take (a malformed navigator.language): English's separators
      f = new Intl.NumberFormat('en', opts);
    }
    formats.set(key, f);
  }
  return f;
}

/** `x.toFixed(digits)` in `locale` (its decimal sign and grouping); toFixed itself where `locale` is undefined. */
export function fixed(x: number, digits: number, locale?: string): string {
  if (locale === undefined || !Number.isFinite(x)) return x.toFixed(digits);
  return numberFormat(locale, digits, digits).format(x);
}

/** A figure with as many decimals as it has (up to `maxDigits`): a count, a factor, a set threshold. In `locale`
 * with its grouping ("15.000", "5,5"); `String(x)` where `locale` is undefined. */
export function plain(x: number, locale?: string, maxDigits = 6): string {
  if (locale === undefined || !Number.isFinite(x)) return String(x);
  return numberFormat(locale, 0, maxDigits).format(x);
}

/** A figure put back into a field the technician edits: the locale's decimal sign, no grouping (a field read
 * with a decimal comma or point takes "1000,5" back, where "1.000,5" would be one point something). */
export function editable(x: number, locale: string, maxDigits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  return numberFormat(locale, 0, maxDigits, false).format(x);
}

/** The locale a page shows numbers in: the browser's (there is no language setting in the app). */
export function browserLocale(): string {
  return typeof navigator === 'undefined' || !navigator.language ? 'en' : navigator.language;
}
