import { describe, expect, it } from 'vitest';
import { contrastRatio, DARK_TEXT, LIGHT_TEXT, luminance, textOn } from './contrast';
import detector from '../../../models/smearcount-frcnn.json';
import classifier from '../../../models/smearcount-wbc.json';

describe('label text on coloured tags', () => {
  it('computes WCAG luminance and contrast', () => {
    expect(luminance('#000')).toBe(0);
    expect(luminance('#ffffff')).toBeCloseTo(1);
    expect(contrastRatio('#000000', '#fff')).toBeCloseTo(21);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(() => luminance('red')).toThrow(RangeError);
  });
  it('picks white or black, whichever reads better, and every shipped class and type colour then reads at 4.5:1 or more', () => {
    expect(textOn('#3e63dd')).toBe(LIGHT_TEXT);
    expect(textOn('#f5a623')).toBe(DARK_TEXT);
    const colours = [...detector.classes.map((c: { color: string }) => c.color), ...classifier.classes.map((c: { color: string }) => c.color)];
    expect(colours.length).toBeGreaterThanOrEqual(10);
    for (const c of colours) expect(contrastRatio(c, textOn(c)), c).toBeGreaterThanOrEqual(4.5);
  });
});
