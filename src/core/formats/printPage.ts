/**
 * The printed report's page frame: the lab's name and the sample ID at the top of every page and
 * "Page n of m" at the foot, as CSS page-margin boxes (Chromium 131+ prints them; the values change
 * per sample, so the rule is written out here rather than kept in a stylesheet).
 */

/** A CSS string literal holding `s` as text: quotes, backslashes and line breaks escaped. */
export function cssString(s: string): string {
  // line breaks become spaces; other control characters are dropped (a CSS string cannot hold them raw)
  const text = Array.from(s.replace(/[\n\r\f]/g, ' '))
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('');
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The @page rule for a report: margins wide enough for the header and the page number, on the paper the print
 * dialog has (no `size`: a rule that named A4 made Chromium lay out 297 mm pages whatever paper was chosen,
 * 18 mm longer than a US Letter sheet, whose foot holds the release state). `state`: the
 * release state every page carries at its foot ("PRELIMINARY …", "WITHDRAWN …", "Released … revision"),
 * so that a loose page of a stale or unreleased printout says what it is. */
export function pageFrameCss(labName: string, sampleId: string, state = ''): string {
  const lab = labName.trim();
  const id = sampleId.trim();
  return [
    '@page {',
    '  margin: 16mm 12mm 14mm;',
    `  @top-left { content: ${cssString(lab)}; font: 600 10pt system-ui, sans-serif; color: #333; }`,
    `  @top-right { content: ${cssString(id ? `Sample ID ${id}` : 'Sample ID (not entered)')}; font: 600 10pt system-ui, sans-serif; color: #333; }`,
    ...(state ? [`  @bottom-left { content: ${cssString(state)}; font: 700 9pt system-ui, sans-serif; color: #000; }`] : []),
    '  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9pt system-ui, sans-serif; color: #333; }',
    '}',
  ].join('\n');
}
