import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import type { ScaleConfig, ScaleInfo } from '../detection/scale';
import {
  alignedShare,
  blockinessBar,
  allFlags,
  colourDistance,
  detectionStats,
  dimmed,
  excludes,
  FLAG_CODES,
  FLAG_SHORT,
  flagSentence,
  FLAG_TEXT,
  notSmearReasons,
  SMEAR_COLOURS,
  unlikeStainColours,
  qualityFlags,
  wbcTypeUnsure,
  type DetectionStats,
  type QualityCalibration,
} from './flags';
import { CALIBRATION } from './calibration';
import type { PixelStats } from './pixels';

const det = (id: string, cls: Detection['cls'], x: number, y: number, s: number, score = 0.9, wbc?: Detection['wbc']): Detection => ({
  id,
  cls,
  score,
  box: { x1: x, y1: y, x2: x + s, y2: y + s },
  origin: 'model',
  wbc,
});

const cfg: ScaleConfig = { referenceRbcPx: 80, tolerance: 1.25, estimateMinScore: 0.5, estimateMinCells: 3, maxPixels: 1e6, minScale: 0.1, maxScale: 4 };
const scale: ScaleInfo = { used: 0.5, relative: 1, estimated: 1, passes: 1, fixed: false };

const cal: QualityCalibration = {
  source: 'test',
  colour: { models: [{ name: 'a', mean: [0.2, 0.1, 0.2, 0.3], invCov: [[100, 0, 0, 0], [0, 100, 0, 0], [0, 0, 100, 0], [0, 0, 0, 100]] }], maxDistance: 3, minStainChroma: 0.2 },
  focus: { minSharpness: 0.5 },
  smear: { minRbc: 3, minRbcScore: 0.5, minRbcSizeCv: 0.02, minStainChroma: 0.03, maxRbcAligned: 0.7 },
  scale: { min: 0.5, max: 2 },
};
const goodPixels: PixelStats = { sharpness: 1, colour: [0.2, 0.1, 0.2, 0.3], brightness: 180, width: 256, height: 192 };
const goodDets: DetectionStats = { rbc: 30, wbc: 1, platelets: 2, rbcScore: 0.95, cellScale: 1, rbcSizeCv: 0.12 };
const flags = (p: Partial<PixelStats>, d: Partial<DetectionStats>) => qualityFlags({ pixels: { ...goodPixels, ...p }, detections: { ...goodDets, ...d } }, cal);

describe('flag codes', () => {
  it('every code has a sentence; not-smear, out-of-focus and scale-out-of-range exclude an image', () => {
    for (const c of FLAG_CODES) expect(FLAG_TEXT[c].length).toBeGreaterThan(20);
    expect(excludes(['not-smear'])).toBe(true);
    expect(excludes(['out-of-focus', 'wbc-type-unsure'])).toBe(true);
    expect(excludes(['scale-out-of-range'])).toBe(true);
    expect(excludes(['unfamiliar-colour', 'wbc-type-unsure'])).toBe(false);
  });
});

describe('the thumbnail badges', () => {
  it('each names a doubt, not a bare topic (audit 2026-12-05, projector: "⚑ colour" and "⚑ scale" read as labels of a legend)', () => {
    expect(FLAG_SHORT['unfamiliar-colour']).toBe('colour?');
    expect(FLAG_SHORT['scale-out-of-range']).toBe('cell size');
    for (const c of FLAG_CODES) expect(FLAG_SHORT[c], c).not.toMatch(/^(colour|scale)$/);
  });
});

describe('qualityFlags', () => {
  it('a smear like the training ones has none', () => {
    expect(flags({}, {})).toEqual([]);
  });
  it('not-smear: too few RBCs, low-scoring RBCs, or a too regular grid of them', () => {
    expect(flags({}, { rbc: 2 })).toEqual(['not-smear']);
    expect(flags({}, { rbc: 0, rbcScore: null, rbcSizeCv: null, cellScale: null })).toEqual(['not-smear']);
    expect(flags({}, { rbcScore: 0.4 })).toEqual(['not-smear']);
    expect(flags({}, { rbcSizeCv: 0.005 })).toEqual(['not-smear']);
    // cells lined up on both axes, as a checkerboard's are; unknown (an image counted before) says nothing
    expect(flags({}, { rbcAligned: 0.96 })).toEqual(['not-smear']);
    expect(flags({}, { rbcAligned: 0.3 })).toEqual([]);
    expect(flags({}, { rbcAligned: null })).toEqual([]);
    expect(flags({}, { rbcAligned: undefined })).toEqual([]);
  });
  it('not-smear: a picture with no stain colour at all, however many "cells" it shows', () => {
    expect(flags({ colour: [0, 0, 0.01, -0.01] }, {})).toEqual(['not-smear', 'unfamiliar-colour']);
  });
  it('not-smear: colours no stained smear has (vivid, or a darkest fifth greener than the whole), however many "cells" it shows', () => {
    // a test chart: the detector found 4 red cells and 2 white ones on smptebars
    expect(flags({ balancedSpread: 125, colour: [0.01, 0.12, 0.02, 3.77] }, {})).toEqual(['not-smear', 'unfamiliar-colour']);
    // a mandelbrot at 40% saturation: pale enough, but its dark parts are green-teal
    expect(flags({ balancedSpread: 33, colour: [0.2, 0.1, -0.21, -0.3] }, {})).toEqual(['not-smear', 'unfamiliar-colour']);
    // over-exposed as well: the exposure flag no longer explains the missing cells away
    expect(flags({ balancedSpread: 247, colour: [-0.06, -0.03, 4.1, 4.13], clipped: 0.62 }, { rbc: 1 }).slice(0, 1)).toEqual(['not-smear']);
    expect(notSmearReasons({ pixels: { ...goodPixels, balancedSpread: 125 }, detections: goodDets }, cal)).toEqual(['colours no stained smear has (a room, a picture or a hand rather than a slide)']);
  });
  it('a colour cast is divided out: a smear under a yellow lamp is one still', () => {
    // the lamp's cast shifts the whole image's ln-ratios and its darkest fifth's alike
    const cast = { colour: [0.2 + 0.16, 0.1 - 0.51, 0.2 + 0.16, 0.3 - 0.51] as [number, number, number, number], balancedSpread: 30 };
    expect(unlikeStainColours({ ...goodPixels, ...cast }, cal)).toBe(false);
    expect(flags(cast, {})).not.toContain('not-smear');
    // bars just inside the measured smears' range, and stats from before the balanced spread existed
    expect(unlikeStainColours({ ...goodPixels, balancedSpread: SMEAR_COLOURS.maxBalancedSpread }, cal)).toBe(false);
    expect(unlikeStainColours({ ...goodPixels, colour: [0.2, 0.1, 0.2 + SMEAR_COLOURS.minDarkHue, 0.1 + SMEAR_COLOURS.minDarkHue] }, cal)).toBe(false);
    expect(unlikeStainColours(goodPixels, cal)).toBe(false);
  });
  it('scale-out-of-range on either side', () => {
    expect(flags({}, { cellScale: 0.3 })).toEqual(['scale-out-of-range']);
    expect(flags({}, { cellScale: 2.5 })).toEqual(['scale-out-of-range']);
    expect(flags({}, { cellScale: 1.9 })).toEqual([]);
  });
  it('scale-out-of-range when the first pass measured cells beyond what the second pass corrects, though the kept pass reads in range', () => {
    // cells 2.7x smaller than usual: zoomed 2x, they read 0.74 on the kept pass
    expect(flags({}, { cellScale: 0.74, planScale: 1 / 2.7 })).toEqual(['scale-out-of-range']);
    expect(flags({}, { cellScale: 1.6, planScale: 2.9 })).toEqual(['scale-out-of-range']);
    // cells 2x smaller (the zoom-out set), within reach; unknown (fixed by hand, or counted before) says nothing
    expect(flags({}, { cellScale: 1, planScale: 0.5 })).toEqual([]);
    expect(flags({}, { cellScale: 1, planScale: 0.43 })).toEqual([]);
    expect(flags({}, { cellScale: 1, planScale: null })).toEqual([]);
    expect(flags({}, { cellScale: 1, planScale: undefined })).toEqual([]);
  });
  it('the first pass\'s estimate is judged against the zoom the second pass could give this image: a small field\'s square reaches further than a 4:3 frame', () => {
    // a 3x3 mosaic of CBC fields drawn as a disc of 10% of a 2400x1800 frame (the eyepiece audit): its square
    // read as the image, estimated 0.363, enlarged 2.31x (not 2x), 118 RBCs counted; it was left out as "cell size"
    expect(flags({}, { cellScale: 0.655, planScale: 0.363, reach: 2.309 })).toEqual([]);
    // the same estimate on a whole 4:3 frame, which the second pass enlarges 2x at most, and an image counted
    // before the reach was kept: beyond the app, as before
    expect(flags({}, { cellScale: 0.655, planScale: 0.363, reach: 2 })).toEqual(['scale-out-of-range']);
    expect(flags({}, { cellScale: 0.655, planScale: 0.363 })).toEqual(['scale-out-of-range']);
    // the square's reach has its limit too: cells asking for more than 20% past 2.31x (1 / (2.309 x 1.2) = 0.361)
    expect(flags({}, { cellScale: 0.65, planScale: 0.355, reach: 2.309 })).toEqual(['scale-out-of-range']);
    // no second pass needed: no flag at any reach
    expect(flags({}, { cellScale: 1, planScale: 0.9, reach: 1 })).toEqual([]);
  });
  it('scale-out-of-range when every red cell is cut by the border and the cut ones alone are too large (a 100x oil field)', () => {
    // audit 2026-12-06: a third of a CBC field enlarged 3x, its 5 RBCs all cut by the border: no interior
    // cell, so no estimate and no kept-pass size; counted at the usual zoom with no flag
    expect(flags({}, { cellScale: null, planScale: null, cutScale: 2.85 })).toEqual(['scale-out-of-range']);
    // a lower bound: it says nothing against cells in range, nor where it was not measured
    expect(flags({}, { cellScale: null, planScale: null, cutScale: 1.9 })).toEqual([]);
    expect(flags({}, { cellScale: 1, planScale: 1, cutScale: 0.6 })).toEqual([]);
    expect(flags({}, { cellScale: null, planScale: null, cutScale: null })).toEqual([]);
    expect(flags({}, { cellScale: null, planScale: null, cutScale: undefined })).toEqual([]);
    // the sentence gives it as the lower bound it is
    const q = { pixels: goodPixels, detections: { ...goodDets, cellScale: null, planScale: null, cutScale: 2.85 } };
    expect(flagSentence('scale-out-of-range', false, q, cal)).toMatch(/^The cells look at least 2\.9× larger than usual, more than the app can correct/);
  });
  it("a flag's sentence says which test failed and how far off the cells are, where the image's statistics are given", () => {
    const q = (p: Partial<PixelStats>, d: Partial<DetectionStats>) => ({ pixels: { ...goodPixels, ...p }, detections: { ...goodDets, ...d } });
    // too few cells, but those found are of a size the app reads: a sparse part of the smear
    expect(flagSentence('not-smear', false, q({}, { rbc: 2 }), cal)).toMatch(/^Too few cells to count: only 2 red cells found \(move to a part of the smear where the cells lie side by side\)\. It is left out/);
    // none found, or found far too small (a phone's photo of the eyepiece field): say what to try
    expect(flagSentence('not-smear', false, q({}, { rbc: 0, rbcScore: null, rbcSizeCv: null, cellScale: null }), cal)).toMatch(/^Too few cells to count: no red cells found \(if you can see cells, they are too small in this photo: zoom in, or crop to the field of view\)\. It is left out/);
    expect(flagSentence('not-smear', false, q({}, { rbc: 2, cellScale: 0.7, planScale: 0.3 }), cal)).toContain('only 2 red cells found (if you can see cells, they are too small');
    // washed out to white (the images audit's field at 1.7x exposure): over-exposed, not "no stain colour" or "too small"
    expect(flagSentence('not-smear', false, q({ brightness: 252, colour: [0, 0, 0.01, -0.01] }, { rbc: 1, rbcSizeCv: null }), cal)).toMatch(/^The image is over-exposed: the field is washed out to white \(lower the lamp or the camera's exposure\); only 1 red cell found\. It is left out/);
    // a grey picture that is not bright: still "does not look like a blood smear"
    expect(flagSentence('not-smear', false, q({ colour: [0, 0, 0.01, -0.01] }, { rbc: 1, rbcSizeCv: null }), cal)).toMatch(/^This does not look like a blood smear: no stain colour; only 1 red cell found/);
    expect(flagSentence('not-smear', false, q({ colour: [0, 0, 0.01, -0.01] }, { rbcAligned: 0.96 }), cal)).toContain('smear: no stain colour; its "cells" sit on a grid.');
    expect(flagSentence('scale-out-of-range', false, q({}, { cellScale: 0.74, planScale: 1 / 2.7 }), cal)).toMatch(/^The cells look at least 2\.6× smaller than usual, more than the app can correct/);
    expect(flagSentence('scale-out-of-range', true, q({}, { cellScale: 2.6 }), cal)).toMatch(/^The cells look 2\.6× larger .* You accepted it: it is counted in the batch totals\.$/);
    // without statistics (an image counted before), the general sentence
    expect(flagSentence('not-smear')).toBe(FLAG_TEXT['not-smear']);
  });
  it("a flag's figures follow the page's locale; without one, as JS writes them", () => {
    const q = (p: Partial<PixelStats>, d: Partial<DetectionStats>) => ({ pixels: { ...goodPixels, ...p }, detections: { ...goodDets, ...d } });
    const small = q({}, { cellScale: 0.74, planScale: 1 / 2.7 });
    // a German lab read "2.6× smaller" beside "0,5" everywhere else on its page
    expect(flagSentence('scale-out-of-range', false, small, cal, 'de-DE')).toMatch(/^The cells look at least 2,6× smaller than usual/);
    expect(flagSentence('scale-out-of-range', false, q({}, { cellScale: 2.6 }), cal, 'fr-FR')).toMatch(/^The cells look 2,6× larger/);
    expect(flagSentence('scale-out-of-range', false, small, cal, 'en-US')).toMatch(/^The cells look at least 2\.6× smaller/);
    expect(flagSentence('scale-out-of-range', false, small, cal)).toMatch(/^The cells look at least 2\.6× smaller/);
    expect(flagSentence('small-field', false, q({ fieldShare: 0.064 }, {}), cal, 'de-DE')).toContain('fills only 6% of the photo');
  });
  it('noisy gives way where the cells are far too small or too few: their edges read as grain on the small copy', () => {
    const withNoise = { ...cal, noise: { maxNoise: 10 } };
    const f = (d: Partial<DetectionStats>) => qualityFlags({ pixels: { ...goodPixels, noise: 19 }, detections: { ...goodDets, ...d } }, withNoise);
    expect(f({})).toEqual(['noisy']);
    expect(f({ cellScale: 0.65, planScale: 0.37 })).toEqual(['scale-out-of-range']); // the images audit's 3x3 mosaic
    expect(f({ rbc: 0, rbcScore: null, rbcSizeCv: null, cellScale: null })).toEqual(['not-smear']); // its 12 MP eyepiece photo
  });
  it('noisy above the grain threshold, where the calibration has one; an image counted before (no noise figure) says nothing', () => {
    const withNoise = { ...cal, noise: { maxNoise: 10 } };
    const f = (noise: number | undefined) => qualityFlags({ pixels: { ...goodPixels, noise }, detections: goodDets }, withNoise);
    expect(f(25)).toEqual(['noisy']);
    expect(f(4)).toEqual([]);
    expect(f(undefined)).toEqual([]);
    expect(excludes(['noisy'])).toBe(true);
  });
  it('noisy in a dim field: the grain bar shrinks with the brightness below the calibration\'s, as the monochrome bar does', () => {
    const withNoise = { ...cal, noise: { maxNoise: 5, atBrightness: 90 } };
    const f = (noise: number, brightness: number, c: QualityCalibration = withNoise) => qualityFlags({ pixels: { ...goodPixels, noise, brightness }, detections: goodDets }, c);
    // validation fields at 0.3 of their brightness with grain of sigma 3 read about 4.2 and lost platelets
    // as a field at full brightness with sigma 10 (read 13) did
    expect(f(4.2, 55)).toEqual(['noisy']);
    expect(f(4.2, 120)).toEqual([]);
    expect(f(1, 55)).toEqual([]); // the same field without grain
    expect(f(4.2, 55, { ...cal, noise: { maxNoise: 5 } })).toEqual([]); // a calibration made before the brightness was part of the bar
    expect(dimmed(5, 45, 90)).toBe(2.5);
    expect(dimmed(5, 200, 90)).toBe(5);
    expect(dimmed(5, 45, undefined)).toBe(5);
  });
  it('compressed above the blockiness threshold, and it keeps the image out; nothing where the image could not be measured', () => {
    const withJpeg = { ...cal, jpeg: { maxBlockiness: 7 } };
    const f = (blockiness: number | null | undefined) => qualityFlags({ pixels: { ...goodPixels, blockiness }, detections: goodDets }, withJpeg);
    expect(f(12)).toEqual(['compressed']);
    expect(f(1.6)).toEqual([]);
    expect(f(null)).toEqual([]);
    expect(f(undefined)).toEqual([]);
    expect(qualityFlags({ pixels: { ...goodPixels, blockiness: 12 }, detections: goodDets }, cal)).toEqual([]); // a calibration without it
    expect(excludes(['compressed'])).toBe(true);
  });
  it("compressed: a larger image's bar grows with the square of its long side past 640 px", () => {
    const withJpeg = { ...cal, jpeg: { maxBlockiness: 7 } };
    const f = (blockiness: number, longSide?: number) => qualityFlags({ pixels: { ...goodPixels, blockiness, longSide }, detections: goodDets }, withJpeg);
    expect(blockinessBar(7, 416)).toBe(7);
    expect(blockinessBar(7, 1280)).toBe(28);
    expect(blockinessBar(7, 1920)).toBe(63);
    expect(f(12, 640)).toEqual(['compressed']);
    expect(f(12, 1280)).toEqual([]); // quality 10 at 2x: lost 2-3% of its RBCs
    expect(f(30, 1280)).toEqual(['compressed']); // quality 5 at 2x: lost 11%
    expect(f(30, 1920)).toEqual([]);
    expect(f(99, 1920)).toEqual(['compressed']);
    expect(f(12)).toEqual(['compressed']); // counted before the long side was recorded: the plain bar
  });
  it('monochrome: a grey picture of a smear is counted, flagged monochrome instead of not-smear or unfamiliar-colour', () => {
    const withMono = { ...cal, monochrome: { maxColourSpread: 3 } };
    const grey = { ...goodPixels, colour: [0, 0, 0, 0] as [number, number, number, number], colourSpread: 0 };
    expect(qualityFlags({ pixels: grey, detections: goodDets }, withMono)).toEqual(['monochrome']);
    expect(excludes(['monochrome'])).toBe(false);
    // without the calibration's bar, or with colour in it, no stain colour is still not a smear
    expect(qualityFlags({ pixels: grey, detections: goodDets }, cal)).toEqual(['not-smear', 'unfamiliar-colour']);
    expect(qualityFlags({ pixels: { ...grey, colourSpread: 9 }, detections: goodDets }, withMono)).toEqual(['not-smear', 'unfamiliar-colour']);
    // a grey picture that is not a smear by its detections (a page, a grid) still is not one, and says why
    expect(qualityFlags({ pixels: grey, detections: { ...goodDets, rbc: 1 } }, withMono)).toEqual(['not-smear', 'monochrome']);
    expect(notSmearReasons({ pixels: grey, detections: { ...goodDets, rbc: 1 } }, withMono)).toEqual(['only 1 red cell found (if you can see cells, they are too small in this photo: zoom in, or crop to the field of view)']);
  });
  it('monochrome: a dim colour picture is not taken for one; its bar shrinks with the brightness below the calibration\'s', () => {
    const withMono = { ...cal, monochrome: { maxColourSpread: 2.5, atBrightness: 90 } };
    // validation fields darkened to 0.13 of their brightness keep 2-5 grey levels of channel spread
    const dim = { ...goodPixels, brightness: 25, colourSpread: 2.2 };
    expect(qualityFlags({ pixels: dim, detections: goodDets }, withMono)).not.toContain('monochrome');
    // a calibration made before the brightness was part of the bar: the plain bar
    expect(qualityFlags({ pixels: dim, detections: goodDets }, { ...cal, monochrome: { maxColourSpread: 2.5 } })).toContain('monochrome');
    // at or above the bar's brightness, nothing changes; a grey camera's picture in the dim is still grey
    expect(qualityFlags({ pixels: { ...dim, brightness: 120 }, detections: goodDets }, withMono)).toContain('monochrome');
    expect(qualityFlags({ pixels: { ...dim, colourSpread: 0.2 }, detections: goodDets }, withMono)).toContain('monochrome');
  });
  it('under-exposed: a field too dark to count is left out, and its colour is not judged (nor taken for no stain)', () => {
    const withExposure = { ...cal, exposure: { minBrightness: 26 } };
    // the images audit's nearly black field: read colours near grey from 8-bit rounding
    const dark = { ...goodPixels, brightness: 5, colour: [0.01, 0, 0.02, 0.01] as [number, number, number, number] };
    expect(qualityFlags({ pixels: dark, detections: goodDets }, withExposure)).toEqual(['under-exposed']);
    expect(excludes(['under-exposed'])).toBe(true);
    expect(flagSentence('under-exposed')).toMatch(/too dark .* Raise the lamp or the camera's exposure\. It is left out of the batch totals\.$/);
    // too few cells in the dark is still not countable, but not "no stain colour"
    expect(notSmearReasons({ pixels: dark, detections: { ...goodDets, rbc: 1 } }, withExposure)).toEqual(['only 1 red cell found (if you can see cells, they are too small in this photo: zoom in, or crop to the field of view)']);
    // above the bar, or with a calibration made before it: as before
    expect(qualityFlags({ pixels: { ...dark, brightness: 30 }, detections: goodDets }, withExposure)).toEqual(['not-smear', 'unfamiliar-colour']);
    expect(qualityFlags({ pixels: dark, detections: goodDets }, cal)).toEqual(['not-smear', 'unfamiliar-colour']);
    expect(FLAG_SHORT['under-exposed']).toBe('too dark');
  });
  it('small-field: a field of view under a tenth of the frame is advice for the next photo, not a reason to leave the image out; too few cells in it say to move closer', () => {
    expect(flags({ fieldShare: 0.06 }, {})).toEqual(['small-field']);
    expect(flags({ fieldShare: 0.1 }, {})).toEqual([]);
    expect(flags({ fieldShare: undefined }, {})).toEqual([]);
    expect(excludes(['small-field'])).toBe(false);
    expect(FLAG_SHORT['small-field']).toBe('small field');
    const q = { pixels: { ...goodPixels, fieldShare: 0.004 }, detections: { ...goodDets, rbc: 1 } };
    expect(flagSentence('small-field', false, q)).toMatch(/^The microscope's field of view fills only under 1% of the photo .* Move the phone closer to the eyepiece, or zoom in, until the field of view fills the frame\.$/);
    expect(notSmearReasons(q, cal)).toEqual(['only 1 red cell found (the field of view is small in this photo: move the phone closer to the eyepiece, or zoom in)']);
  });
  it('over-exposed: most of the field clipped to white is left out; a bright field that keeps its cells is not', () => {
    const withExposure = { ...cal, exposure: { minBrightness: 26, maxClipped: 0.6 } };
    const f = (clipped: number | undefined, c: QualityCalibration = withExposure) => qualityFlags({ pixels: { ...goodPixels, brightness: 240, clipped }, detections: goodDets }, c);
    expect(f(0.9)).toEqual(['over-exposed']);
    expect(f(0.4)).toEqual([]);
    expect(f(undefined)).toEqual([]); // counted before the share was recorded
    expect(f(0.9, { ...cal, exposure: { minBrightness: 26 } })).toEqual([]); // a calibration made before it
    expect(excludes(['over-exposed'])).toBe(true);
    expect(flagSentence('over-exposed')).toMatch(/over-exposed .* Lower the lamp or the camera's exposure\. It is left out of the batch totals\.$/);
    expect(FLAG_SHORT['over-exposed']).toBe('too bright');
    // washed out with too few cells left, its colours white: the exposure says what happened, not "not a smear"
    const washed = { ...goodPixels, brightness: 250, clipped: 0.97, colour: [0, 0, 0.01, 0] as [number, number, number, number], colourSpread: 0.5 };
    expect(qualityFlags({ pixels: washed, detections: { ...goodDets, rbc: 1, rbcSizeCv: null } }, { ...withExposure, monochrome: { maxColourSpread: 2.5 } })).toEqual(['over-exposed']);
    // and so in the dark; a grid stays "not a smear" in any light
    const dark = { ...goodPixels, brightness: 5, colour: [0.01, 0, 0.02, 0.01] as [number, number, number, number] };
    expect(qualityFlags({ pixels: dark, detections: { ...goodDets, rbc: 1, rbcSizeCv: null } }, withExposure)).toEqual(['under-exposed']);
    expect(qualityFlags({ pixels: dark, detections: { ...goodDets, rbcAligned: 0.96 } }, withExposure)).toEqual(['not-smear', 'under-exposed']);
  });
  it('out-of-focus below the sharpness threshold', () => {
    expect(flags({ sharpness: 0.4 }, {})).toEqual(['out-of-focus']);
  });
  it('unfamiliar-colour: far from every microscope (a faint stain, a blue cast)', () => {
    expect(flags({ colour: [0.01, 0.01, 0.05, 0.04] }, {})).toEqual(['unfamiliar-colour']);
    expect(flags({ colour: [-0.2, 0.3, -0.1, 0.5] }, {})).toEqual(['unfamiliar-colour']);
    expect(flags({ colour: [0.22, 0.12, 0.21, 0.28] }, {})).toEqual([]);
  });
  it('unfamiliar-colour: a stain too weak to be one, even along a microscope’s own spread', () => {
    const stretched: QualityCalibration = { ...cal, colour: { ...cal.colour, models: [{ ...cal.colour.models[0], invCov: cal.colour.models[0].invCov.map((r) => r.map((v) => v / 1e4)) }] } };
    expect(qualityFlags({ pixels: { ...goodPixels, colour: [0.02, 0.01, 0.05, 0.05] }, detections: goodDets }, stretched)).toEqual(['unfamiliar-colour']);
    expect(qualityFlags({ pixels: goodPixels, detections: goodDets }, stretched)).toEqual([]);
  });
  it('colourDistance is the Mahalanobis distance to the nearest model', () => {
    const models = [
      { name: 'a', mean: [0, 0], invCov: [[1, 0], [0, 1]] },
      { name: 'b', mean: [10, 0], invCov: [[4, 0], [0, 4]] },
    ];
    expect(colourDistance([3, 4], models)).toBeCloseTo(5);
    expect(colourDistance([9, 0], models)).toBeCloseTo(2);
  });
});

describe('detectionStats', () => {
  it('counts, median RBC score, cell scale in the kept pass and size spread, ignoring border cells', () => {
    const dets = [det('a', 'RBC', 10, 10, 150, 0.9), det('b', 'RBC', 200, 10, 170, 0.8), det('c', 'RBC', 400, 10, 160, 0.7), det('d', 'RBC', 0, 300, 40, 0.6), det('w', 'WBC', 300, 300, 200)];
    const s = detectionStats(dets, 1000, 800, scale, cfg);
    expect(s.rbc).toBe(4);
    expect(s.wbc).toBe(1);
    expect(s.rbcScore).toBeCloseTo(0.75);
    // interior sizes 150, 170, 160: median 160 image px x 0.5 model px / 80
    expect(s.cellScale).toBeCloseTo(1);
    expect(s.rbcSizeCv).toBeCloseTo(Math.sqrt(200 / 3) / 160, 5);
    // the first pass's own estimate, where the scale was estimated rather than fixed by hand
    expect(s.planScale).toBe(scale.estimated);
    expect(detectionStats(dets, 1000, 800, { ...scale, fixed: true, estimated: null }, cfg).planScale).toBeNull();
  });
  it('the cut RBCs\' longer side, a lower bound of their size, where every red cell is cut by the border', () => {
    // a 100x field (audit 2026-12-06, BloodImage_00382 a third enlarged 3x): 5 RBCs, each touching an edge
    const rbc = (id: string, x1: number, y1: number, x2: number, y2: number): Detection => ({ ...det(id, 'RBC', 0, 0, 0), box: { x1, y1, x2, y2 } });
    const cut = [rbc('a', 411, 57, 640, 353), rbc('b', 159, 0, 454, 140), rbc('c', 0, 13, 206, 302), rbc('d', 171, 299, 533, 480), rbc('e', 452, 0, 639, 73)];
    const s = detectionStats(cut, 640, 480, { ...scale, used: 0.8, estimated: null }, cfg);
    expect(s.cellScale).toBeNull();
    // longer sides 296, 295, 289, 362, 187: median 295 image px x 0.8 / 80
    expect(s.cutScale).toBeCloseTo((295 * 0.8) / 80, 5);
    // one cut cell says nothing (a clump, a streak along an edge)
    expect(detectionStats(cut.slice(0, 1), 640, 480, scale, cfg).cutScale).toBeNull();
  });
  it('nothing detected: no estimates', () => {
    // the reach: 4 (maxScale; 1e6 pixels would allow 10) over the plan scale 0.5
    expect(detectionStats([], 100, 100, scale, cfg)).toEqual({ rbc: 0, wbc: 0, platelets: 0, rbcScore: null, cellScale: null, rbcSizeCv: null, rbcAligned: null, planScale: scale.fixed ? null : scale.estimated, cutScale: null, reach: 8 });
  });
  it('the reach: what the second pass could enlarge the image, or the small field\'s square it read, over its plan', () => {
    const card: ScaleConfig = { ...cfg, maxPixels: 1024 * 768 };
    // a 640x480 frame planned at 0.8 (into 512x384): the cap of 1024x768 is 2x
    expect(detectionStats([], 640, 480, { used: 1.6, relative: 2, estimated: 0.37, passes: 2, fixed: false }, card).reach).toBeCloseTo(2, 9);
    expect(detectionStats([], 2400, 1800, { used: 0.2133, relative: 1, estimated: 1, passes: 1, fixed: false }, card).reach).toBeCloseTo(2, 3);
    // a disc's square of 797 px, planned at 384/797: 2.31x
    const region = { x: 807, y: 664, width: 797, height: 797 };
    expect(detectionStats([], 2400, 1800, { used: Math.sqrt(card.maxPixels) / 797, relative: (Math.sqrt(card.maxPixels) / 797) / (384 / 797), estimated: 0.355, passes: 2, fixed: false, region }, card).reach).toBeCloseTo(2.309, 3);
    // fixed by hand, or no scale settings: none
    expect(detectionStats([], 640, 480, { used: 1.6, relative: 2, estimated: null, passes: 1, fixed: true }, card).reach).toBeNull();
    expect(detectionStats([], 640, 480, { used: 0.8, relative: 1, estimated: null, passes: 1, fixed: false }, null).reach).toBeNull();
  });
});

describe('wbc-type-unsure', () => {
  const typed = (p: number, origin: 'model' | 'manual' = 'model') => det('w', 'WBC', 0, 0, 10, 0.9, { type: 'neutrophil', p, origin });
  it('is raised by a model type below 0.6 only', () => {
    expect(wbcTypeUnsure([typed(0.55)])).toBe(true);
    expect(wbcTypeUnsure([typed(0.9)])).toBe(false);
    expect(wbcTypeUnsure([typed(0.3, 'manual')])).toBe(false);
  });
  it('allFlags merges it with the stored flags in code order', () => {
    expect(allFlags(['unfamiliar-colour', 'not-smear'], [typed(0.2)])).toEqual(['not-smear', 'unfamiliar-colour', 'wbc-type-unsure']);
    expect(allFlags(undefined, [])).toEqual([]);
  });
});

describe('the shipped calibration', () => {
  it('is complete and sane', () => {
    expect(CALIBRATION.colour.models.length).toBeGreaterThanOrEqual(3);
    for (const m of CALIBRATION.colour.models) {
      expect(m.mean).toHaveLength(4);
      expect(m.invCov).toHaveLength(4);
    }
    expect(CALIBRATION.colour.maxDistance).toBeGreaterThan(1);
    expect(CALIBRATION.colour.minStainChroma).toBeGreaterThan(0);
    expect(CALIBRATION.smear.minStainChroma).toBeLessThan(CALIBRATION.colour.minStainChroma);
    expect(CALIBRATION.focus.minSharpness).toBeGreaterThan(0);
    expect(CALIBRATION.scale.min).toBeLessThan(1);
    expect(CALIBRATION.scale.max).toBeGreaterThan(1);
  });
});

describe('flagSentence', () => {
  it('an accepted image no longer reads as left out of the totals; advisory flags are unchanged', () => {
    expect(flagSentence('not-smear')).toMatch(/It is left out of the batch totals\.$/);
    expect(flagSentence('not-smear', true)).toMatch(/You accepted it: it is counted in the batch totals\.$/);
    expect(flagSentence('out-of-focus', true)).not.toMatch(/left out/);
    expect(flagSentence('unfamiliar-colour', true)).toBe(FLAG_TEXT['unfamiliar-colour']);
  });
});

describe('alignedShare', () => {
  const box = (x: number, y: number, w = 40, h = 40) => ({ x1: x, y1: y, x2: x + w, y2: y + h });
  it('is 1 on a grid of cells, as a checkerboard gives', () => {
    const grid = Array.from({ length: 12 }, (_, i) => box(60 * (i % 4) + 10, 60 * Math.floor(i / 4) + 10));
    expect(alignedShare(grid)).toBe(1);
  });
  it('is low where cells lie as a smear\'s do, with sizes that vary', () => {
    // a fixed scatter (no two boxes share an edge within 4% of 40 px)
    const pts = [[13, 7], [71, 22], [140, 3], [205, 41], [33, 88], [97, 121], [166, 97], [230, 150], [8, 170], [120, 199], [181, 233], [61, 260]];
    const cells = pts.map(([x, y], i) => box(x, y, 36 + (i * 7) % 11, 35 + (i * 5) % 13));
    expect(alignedShare(cells)).toBeLessThan(0.3);
  });
  it('stays low on a dense smear of many cells, where lining up with any box of the field had read it as a grid', () => {
    // 160 cells of 36-46 px scattered over 1000x750 (a 3x3 mosaic's density): against every box of the field a
    // smear's edges meet one within 4% by chance; a grid's neighbours line up, a smear's do not
    let seed = 7;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const cells = Array.from({ length: 160 }, () => box(rnd() * 960, rnd() * 710, 36 + rnd() * 10, 36 + rnd() * 10));
    expect(alignedShare(cells)).toBeLessThan(0.3);
    // the same density on a grid is still one
    const grid = Array.from({ length: 160 }, (_, i) => box(50 * (i % 16) + 10, 50 * Math.floor(i / 16) + 10));
    expect(alignedShare(grid)).toBe(1);
  });
  it('says nothing with fewer than 8 cells', () => {
    expect(alignedShare([box(0, 0), box(60, 0), box(0, 60), box(60, 60)])).toBeNull();
  });
  it('is what detectionStats reports for the interior RBCs', () => {
    const dets = Array.from({ length: 12 }, (_, i) => det(`m${i}`, 'RBC', 60 * (i % 4) + 100, 60 * Math.floor(i / 4) + 100, 40));
    expect(detectionStats(dets, 640, 480, scale, cfg).rbcAligned).toBe(1);
  });
});
