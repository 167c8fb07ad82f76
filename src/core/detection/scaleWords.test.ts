import { describe, expect, it } from 'vitest';
import { cellSizeWords, describeScale, describeScaleSetting } from './scaleWords';

describe('scale in plain words', () => {
  it('says how the cells look and the zoom used, without ratios to invert', () => {
    expect(describeScale({ used: 1.6, relative: 2, estimated: 0.49, passes: 2, fixed: false })).toBe('cells look 2× smaller than usual; counted at 2× zoom');
    expect(describeScale({ used: 0.4, relative: 0.5, estimated: 2.1, passes: 2, fixed: false })).toBe('cells look 2.1× larger than usual; counted at 0.5× zoom');
    expect(describeScale({ used: 0.8, relative: 1, estimated: 1.04, passes: 1, fixed: false })).toBe('cells at the usual size; close enough, counted at normal zoom');
    expect(describeScale({ used: 0.8, relative: 1, estimated: 1.15, passes: 1, fixed: false })).toBe('cells look 1.15× larger than usual; close enough, counted at normal zoom');
    expect(describeScale({ used: 0.8, relative: 1, estimated: null, passes: 1, fixed: false })).toMatch(/too few red cells/);
  });
  it('writes its figures as the reader\'s country does where a locale is given (the screen, the report)', () => {
    // before: "2.1×" and "0.5×" in a German lab, beside "0,5" everywhere else on its screen
    expect(describeScale({ used: 0.4, relative: 0.5, estimated: 2.1, passes: 2, fixed: false }, 'de-DE')).toBe('cells look 2,1× larger than usual; counted at 0,5× zoom');
    expect(describeScaleSetting(0.8, 'fr-FR')).toBe('set by hand: cells look 1,25× larger than usual, counted at 0,8× zoom');
    expect(cellSizeWords(0.625, 'de-DE')).toBe('cells look 1,6× smaller than usual');
    expect(describeScaleSetting(0.8)).toBe('set by hand: cells look 1.25× larger than usual, counted at 0.8× zoom');
  });

  it('says "at least" where the first pass reads at the limit of what it measures', () => {
    // the images audit's 3x3 mosaic (cells 2.7x smaller) and its 6.3x phone photo both read about 0.36
    expect(describeScale({ used: 1.6, relative: 2, estimated: 0.36, passes: 2, fixed: false })).toBe('cells look at least 2.6× smaller than usual; counted at 2× zoom');
    expect(describeScale({ used: 0.4, relative: 0.5, estimated: 2.8, passes: 2, fixed: false })).toBe('cells look at least 2.6× larger than usual; counted at 0.5× zoom');
    expect(describeScale({ used: 1.6, relative: 2, estimated: 0.42, passes: 2, fixed: false })).toBe('cells look 2.4× smaller than usual; counted at 2× zoom');
  });

  it('states a fixed scale as set by hand, the same way round as the setting', () => {
    // The setting "cells 0.5x the usual size" is fixedScale 2: the image is zoomed 2x.
    expect(describeScale({ used: 1.6, relative: 2, estimated: null, passes: 1, fixed: true })).toBe('set by hand: cells look 2× smaller than usual; counted at 2× zoom');
    expect(describeScaleSetting(2)).toBe('set by hand: cells look 2× smaller than usual, counted at 2× zoom');
    expect(describeScaleSetting(0.8)).toBe('set by hand: cells look 1.25× larger than usual, counted at 0.8× zoom');
    expect(describeScaleSetting(null)).toBe('estimated per image');
    expect(cellSizeWords(0.625)).toBe('cells look 1.6× smaller than usual');
  });
});
