/** The figures live mode's bar shows and its status line says, grouped as the browser's `locale` writes them
 * ("1.363 RBC" in a German lab, "1 363" in a French one), as the counts panel beside it does. */
import { plain } from '../../core/formats/numbers';

/** The still view's counts ("this field: 212 RBC, 3 WBC, 14 PLT"); while the slide moves they are the last still
 * view's, and say so. */
export function fieldCountWords(moving: boolean, counts: { RBC: number; WBC: number; Platelets: number }, locale?: string): string {
  const n = (x: number) => plain(x, locale);
  return `${moving ? 'last field' : 'this field'}: ${n(counts.RBC)} RBC, ${n(counts.WBC)} WBC, ${n(counts.Platelets)} PLT`;
}

/** The captured field's counts as the batch has them, the view still on it ("live-0003.jpg: 212 RBC, …"), and
 * where a flag leaves it out of the totals, that it is not counted. */
export function savedFieldWords(name: string, counts: { RBC: number; WBC: number; Platelets: number }, counted: boolean, locale?: string): string {
  const n = (x: number) => plain(x, locale);
  return `${name}${counted ? '' : ', not counted'}: ${n(counts.RBC)} RBC, ${n(counts.WBC)} WBC, ${n(counts.Platelets)} PLT`;
}

/** The batch's live fields, with this run's where an earlier run's are among them. */
export function fieldsWords(batchFields: number, captured: number, locale?: string): string {
  return `${plain(batchFields, locale)} live field${batchFields === 1 ? '' : 's'}${batchFields > captured ? ` (${plain(captured, locale)} this run)` : ''}`;
}

/** The status at the target: "Target reached: 100 WBCs. …". */
export const reachedWords = (wbc: number, locale?: string) => `Target reached: ${plain(wbc, locale)} WBC${wbc === 1 ? '' : 's'}. Capturing has stopped; verify the cells in the gallery.`;

/** What the screen reader is told once it holds: the status, then the WBCs against the target and the fields. */
export const saidWords = (status: string, wbc: number, target: number, fields: string, locale?: string) =>
  `${status}${/[.…?!]$/.test(status) ? '' : '.'} ${plain(wbc, locale)} of ${plain(target, locale)} WBC, ${fields}.`;
