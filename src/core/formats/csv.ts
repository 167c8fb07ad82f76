/** A text cell a spreadsheet would run as a formula (=, +, -, @, or a tab / CR that some strip first)
 * gets a leading apostrophe (OWASP's CSV injection advice): a file name, sample ID or note is data. */
export function defuse(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** RFC 4180 CSV writing: quote fields that contain a comma, quote or line break. Numbers are written as
 * numbers (a negative one is not a formula); text is defused. */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : typeof v === 'string' ? defuse(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
