/** Arabic-Indic (U+0660…) and Eastern Arabic-Indic (Persian, Urdu: U+06F0…) digits as ASCII digits, and the
 * Arabic decimal and thousands separators (U+066B, U+066C) as "." and ",": what an Arabic phone keyboard
 * types into a decimal field ("٦٫٤" is 6.4), read as the same number. */
export function latinDigits(text: string): string {
  return text
    .replace(/[\u0660-\u0669]/g, (c) => String(c.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (c) => String(c.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, '.')
    .replace(/\u066c/g, ',');
}
