/** The batch progress line's figures, grouped as the browser's `locale` writes them ("1.204 uncertain boxes left"
 * in a German lab), as the counts panel beside it does. */
import { plain } from '../core/formats/numbers';

/** "12/150 done · 1 failed". */
export const doneWords = (finished: number, total: number, failed: number, locale?: string) =>
  `${plain(finished, locale)}/${plain(total, locale)} done${failed ? ` · ${plain(failed, locale)} failed` : ''}`;

/** The images counted and not yet reviewed ("3 to review"; 'all reviewed' once none is left, '' before any is counted). */
export const reviewWords = (left: number, done: number, locale?: string) => (left > 0 ? `${plain(left, locale)} to review` : done ? 'all reviewed' : '');

/** The boxes U will visit. */
export const uncertainWords = (n: number, locale?: string) => `${plain(n, locale)} uncertain box${n === 1 ? '' : 'es'} left`;
