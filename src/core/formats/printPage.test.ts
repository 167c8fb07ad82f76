import { describe, expect, it } from 'vitest';
import { cssString, pageFrameCss } from './printPage';

describe('cssString', () => {
  it('quotes plain text', () => expect(cssString('City Lab')).toBe('"City Lab"'));
  it('escapes what would end the string or the rule', () => {
    expect(cssString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(cssString('x\ny')).toBe('"x y"');
    // no way out of the string: a brace and a semicolon stay inside the quotes
    expect(cssString('"; } body { display: none')).toBe('"\\"; } body { display: none"');
  });
});

describe('pageFrameCss', () => {
  it('puts the lab and the sample ID at the top of every page and the page number at the foot', () => {
    const css = pageFrameCss(' Haematology, City Hospital ', 'S-042');
    expect(css).toContain('@top-left { content: "Haematology, City Hospital"');
    expect(css).toContain('@top-right { content: "Sample ID S-042"');
    expect(css).toContain('counter(page) " of " counter(pages)');
  });
  it('says so when the sample ID is missing, and prints no lab name when none is set', () => {
    const css = pageFrameCss('', '  ');
    expect(css).toContain('@top-left { content: ""');
    expect(css).toContain('Sample ID (not entered)');
  });
  it('leaves the paper to the print dialog: A4 or US Letter, whichever the printer holds', () => {
    // "size: A4" laid A4 pages out whatever paper was chosen: 18 mm longer than a Letter sheet, whose foot (the
    // release state) a printer cut off or shrank the page to keep
    expect(pageFrameCss('Lab', 'S-1', 'WITHDRAWN: not valid for clinical use')).not.toMatch(/\bsize\s*:/);
  });
});
