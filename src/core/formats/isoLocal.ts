/** ISO 8601 local date and time, seconds precision (two releases a minute apart are told apart), with the
 * UTC offset. */
export function isoLocal(d = new Date()): string {
  const off = -d.getTimezoneOffset();
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${off >= 0 ? '+' : '-'}${p(off / 60)}:${p(off % 60)}`;
}

/** The wall-clock part of isoLocal ("2026-03-29T02:30:00"), to compare with what was typed. */
const wall = (d: Date) => isoLocal(d).slice(0, 19);

/** What a typed local time is on this device's clock: `skipped` where the clocks went forward past it (02:30
 * on a spring-forward day in Berlin was never on a clock), `repeated` where they went back over it (02:30 on
 * the autumn day happened twice, an hour apart), with the other offset it may have had. */
export type LocalTime = { date: Date; skipped?: true; otherOffset?: string };

/** A `datetime-local` value read on this device's clock; null where it is no local date-time. */
export function readLocalTime(value: string): LocalTime | null {
  // date-time forms without a zone are local time in ECMAScript (a date alone would be UTC: not accepted here)
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value)) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const typed = value.length === 16 ? `${value}:00` : value.slice(0, 19);
  // ECMAScript moves a time the clocks skipped forward by the gap (02:30 became 03:30+02:00 in Berlin):
  // the printout said a time other than the one typed
  if (wall(d) !== typed) return { date: d, skipped: true };
  // a time the clocks went back over is read at its first (earlier) offset; the hour after reads the same
  for (const shift of [-3, -2, -1, 1, 2, 3]) {
    const other = new Date(d.getTime() + shift * 30 * 60_000);
    if (wall(other) === typed) return { date: d, otherOffset: isoLocal(other).slice(19) };
  }
  return { date: d };
}

/** A stored local date-time (a `datetime-local` input's "2026-12-04T08:15") in isoLocal's form, with
 * this device's UTC offset at that date, so that every time on a printout reads one way. Text that is
 * not a date is returned as it is: a record typed by hand is printed, not lost. A time the clocks skipped
 * is printed as typed, and said; one they went over twice gets both offsets. */
export function isoLocalOf(value: string): string {
  const t = readLocalTime(value);
  if (!t) return value;
  if (t.skipped) return `${value} (no such time on this device's clock: the clocks went forward)`;
  return t.otherOffset ? `${isoLocal(t.date)} or ${t.otherOffset} (the clocks went back over this hour)` : isoLocal(t.date);
}
