/** The unusual-reading notice's figures, as the browser's `locale` writes them: a reference interval a lab set
 * with decimals ("0,5–1,5%" in a German lab, as its editor shows and reads it back), the reading rounded. */
import { plain } from '../core/formats/numbers';

/** The type's reference interval ("40–80%", "0" for erythroblasts, per 100 WBC), or 'none set'. */
export function referenceWords(iv: { low: number; high: number } | null, nrbc: boolean, locale?: string): string {
  if (!iv) return 'none set';
  return iv.low === iv.high ? plain(iv.low, locale) : `${plain(iv.low, locale)}–${plain(iv.high, locale)}${nrbc ? '' : '%'}`;
}

/** The model's reading, a whole % (or per 100 WBC). */
export const readingWords = (value: number, locale?: string) => plain(Math.round(value), locale);
