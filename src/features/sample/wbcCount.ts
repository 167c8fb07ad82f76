import { latinDigits } from '../../core/formats/digits';

/** The analyser's WBC count as typed in the sample panel (×10⁹/L), read as a technician writes it: a decimal
 * point or a decimal comma, a leading zero (a leukopenic 0.8). Above this no blood's WBC count goes: a
 * figure past it is a count per µL typed by mistake (6400 for 6.4), refused rather than printed 1000 times
 * too high in the report's absolute counts. */
export const WBC_COUNT_MAX = 1000;

export type WbcCountText = { value: number | null; error: string | null };

export function parseWbcCount(text: string): WbcCountText {
  // an Arabic phone keyboard types "٦٫٤" for 6.4
  const t = latinDigits(text.trim());
  if (!t) return { value: null, error: null };
  // "4." is a count being typed; one separator only ("1,234.5" is no count in ×10⁹/L)
  const m = /^(\d*)[.,]?(\d*)$/.exec(t);
  if (!m || !(m[1] || m[2])) return { value: null, error: 'Not a number: enter the count in ×10⁹/L, e.g. 6.4.' };
  const v = Number(`${m[1] || '0'}.${m[2] || '0'}`);
  if (!(v > 0)) return { value: null, error: 'The WBC count must be more than 0 (×10⁹/L).' };
  if (v >= WBC_COUNT_MAX) return { value: null, error: `${t} ×10⁹/L is no WBC count: is it per µL? Enter it in ×10⁹/L (6400 per µL is 6.4).` };
  return { value: v, error: null };
}
