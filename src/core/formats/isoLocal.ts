/** ISO 8601 local date and time, seconds precision (two releases a minute apart are told apart), with the
 * UTC offset. */
export function isoLocal(d = new Date()): string {
  const off = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${off >= 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
}

/** A stored local date-time (a `datetime-local` input's "2026-12-04T08:15") in isoLocal's form, with
 * this device's UTC offset at that date, so that every time on a printout reads one way. Text that is
 * not a date is returned as it is: a record typed by hand is printed, not lost. */
export function isoLocalOf(value: string): string {
  // date-time forms without a zone are local time in ECMAScript (a date alone would be UTC: not accepted here)
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value)) return value;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : isoLocal(d);
}
