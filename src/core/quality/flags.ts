/**
 * Flags on images the app cannot vouch for (GUIDE 18: say when you don't know). Each flag has a code
 * (exports, eval JSON) and a sentence (the page, the report). Thresholds come from
 * scripts/calibrateFlags.ts, chosen on the training folders' images, never on CBC Testing.
 */
import type { ScaleConfig, ScaleInfo } from '../detection/scale';
import { ESTIMATE_BORDER_PX, median, reachableScale, touchesBorder } from '../detection/scale';
import type { Detection } from '../detection/detection';
import type { PixelStats } from './pixels';
import { typeUnsure } from '../differential/differential';
import { CALIBRATION } from './calibration';
import { MEASURABLE } from '../detection/scaleWords';
import { plateletClumps } from './clumps';
import { MIN_FIELD_SHARE } from './field';
import { UNEVEN_BAR } from './illumination';
import { fixed, plain } from '../formats/numbers';

export const FLAG_CODES = ['not-smear', 'field-too-small', 'small-field', 'uneven-light', 'scale-out-of-range', 'out-of-focus', 'under-exposed', 'over-exposed', 'noisy', 'compressed', 'monochrome', 'unfamiliar-colour', 'platelet-clumps', 'wbc-type-unsure'] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

/** What the cells look like beside the usual size, and the not-smear tests an image failed: the parts of a
 * flag's sentence that the image's statistics can make precise (flagSentence). */
const SCALE_LEAD = 'The cells are far larger or smaller than';
const NOT_SMEAR_CAUSES = 'no stain colour, too few cells, or detections unlike a smear';

/** What each flag says, before what it does to the totals. */
const FLAG_BODY: Record<FlagCode, (detail?: string, lead?: string) => string> = {
  'not-smear': (causes = NOT_SMEAR_CAUSES, lead = 'This does not look like a blood smear') => `${lead}: ${causes}.`,
  // Measured on CBC Testing fields drawn as discs of 2-25% of a 1600x1200 frame (README, "Live at the eyepiece, quoted from the guide"):
  // read from a crop of the disc, their counts held; an advice, then, for the next photo, not a doubt.
  'small-field': (share = 'a small part') => `The microscope's field of view fills only ${share} of the photo (the phone is held back from the eyepiece, or not zoomed in): the app read the cells from a crop of it, with fewer pixels to each cell. Move the phone closer to the eyepiece, or zoom in, until the field of view fills the frame.`,
  // Under MIN_FIELD_SHARE (half a percent) of the frame nothing in the disc can be judged or counted, and the
  // frame's statistics had read the black about it as a dark lamp ("Raise the lamp"): the fix is the phone's.
  'field-too-small': (share = 'under 1%') => `The microscope's field of view fills only ${share} of the photo, too small to find or count its cells (the lamp is not the problem: the phone is held back from the eyepiece, or not zoomed in). Move the phone closer to the eyepiece, or zoom in, until the field of view fills the frame.`,
  // Validation fields under a vignette (the corners at a quarter of the light) and an off-centre lamp
  // (0.45-1.15x across): platelets 0.53 / 0.66 and WBCs 0.86 / 0.88 against 0.92 / 0.98 evenly lit, with 13 /
  // 20 of 48 falsely out of focus; evened out, 0.92 / 0.91 and 0.98 / 0.98, none out of focus (README, "Flags and light, quoted from the guide").
  'uneven-light': (darkest = 'far under') =>
    `The light is uneven across the field (its darkest part ${darkest} its brightest: the lamp is off centre, or the camera darkens the corners). The app evened it out before counting, and counts held on such fields in our tests; for the best counts, centre the lamp and open its field diaphragm (Köhler illumination).`,
  'scale-out-of-range': (lead = SCALE_LEAD) => `${lead} the app can correct (it handles cells from half to twice the usual size); the counts would be wrong. Setting the magnification by hand helps only within that range.`,
  'out-of-focus': () => 'The image is out of focus; cells cannot be counted reliably.',
  // Darkened copies of validation fields (scripts/calibrateFlags.ts) counted as saved down to about a tenth
  // of their brightness and lost platelets, then red cells, below it; a real camera adds grain in the dark.
  'under-exposed': () => 'The image is too dark (a low lamp or a short exposure): its colours cannot be checked, and pale cells and platelets are lost in the dark, so the counts would be low. Raise the lamp or the camera\'s exposure.',
  // Brightened copies of validation fields (scripts/calibrateFlags.ts): once most of the field is clipped to
  // white, platelets and then red cells are lost (at 1.5x the exposure, 27% of the RBCs, with no flag before).
  'over-exposed': () => 'The image is over-exposed (washed out: a strong lamp or a long exposure): pale cells and platelets are lost in the white, so the counts would be low. Lower the lamp or the camera\'s exposure.',
  noisy: () => 'The image is grainy (a dim field, or a camera turning its gain up): small and pale cells are lost in the grain, and the counts would be low.',
  compressed: () => 'The image is too heavily compressed (its JPEG blocks show: a low quality setting, or a photo sent through a messaging app): pale and small cells are lost, and the counts would be low. Save or send the original.',
  // worded for an image that is also not a smear (a grey page): the rule, not a claim that this one was counted
  monochrome: () => 'The image has no colour (a monochrome camera): a smear in grey is still counted, but the stain cannot be checked and white cell types cannot be read from colour, so each one is unsure.',
  // Measured on validation fields under synthetic casts (README, "Colour casts"): red and white cell counts
  // held (0.93-0.94 / 0.96-1.00 against 0.94 / 1.00 uncast), platelets fell under pale-blue and grey casts
  // (0.79 / 0.74 against 0.88), and the WBC types read colour: so the flag names what to check.
  'unfamiliar-colour': () => 'The colours are unlike the microscopes and stains the model was trained on. Red and white cell counts held on such colours in our tests; check the platelets and the white cell types by eye.',
  // Synthetic clumps of real platelets on validation fields: the detector found 15-17% of their platelets
  // (core/quality/clumps.ts), so the count is a minimum; clumping in EDTA is what makes a low count false.
  'platelet-clumps': () =>
    'Platelets lie in a clump: heaped platelets hide one another, so the platelet count and its estimate are a minimum. Check the clump by eye; in EDTA blood, clumping can make a low platelet count false (a citrate sample or a fingertip smear settles it).',
  'wbc-type-unsure': () => 'At least one white cell type is unsure (shown with "?"); check it.',
};

/** Flags that keep an image out of the batch totals and differential until the user accepts it. */
export const EXCLUDING_FLAGS: readonly FlagCode[] = ['not-smear', 'field-too-small', 'out-of-focus', 'scale-out-of-range', 'under-exposed', 'over-exposed', 'noisy', 'compressed'];

/** What an excluding flag does to the totals: as the app says it, once accepted, and on the report's legend. */
const LEFT_OUT = ' It is left out of the batch totals.';
const ACCEPTED = ' You accepted it: it is counted in the batch totals.';
const LEGEND_EFFECT = ' Left out of the counts unless the technician accepts it.';

const withEffect = (f: FlagCode, body: string, effect: string) => (EXCLUDING_FLAGS.includes(f) ? body + effect : body);

/** Each flag's general sentence, with what it does to the totals. */
export const FLAG_TEXT = Object.fromEntries(FLAG_CODES.map((f) => [f, withEffect(f, FLAG_BODY[f](), LEFT_OUT)])) as Record<FlagCode, string>;

/** A flag's sentence on the report's legend, where each image's own line says whether it was accepted. */
export const flagLegend = (f: FlagCode) => withEffect(f, FLAG_BODY[f](), LEGEND_EFFECT);

/** Short labels for the thumbnail badge. */
export const FLAG_SHORT: Record<FlagCode, string> = {
  'not-smear': 'not a smear',
  'field-too-small': 'field too small',
  'small-field': 'small field',
  'uneven-light': 'uneven light',
  'scale-out-of-range': 'cell size',
  'out-of-focus': 'out of focus',
  'under-exposed': 'too dark',
  'over-exposed': 'too bright',
  noisy: 'grainy',
  compressed: 'compressed',
  monochrome: 'no colour',
  // a doubt, like 'WBC type?': a bare 'colour' read as a legend's label on a projector
  'unfamiliar-colour': 'colour?',
  'platelet-clumps': 'PLT clumps',
  'wbc-type-unsure': 'WBC type?',
};

/** How far past the zoom a second pass can give (DetectionStats.reach: 2× on a 4:3 frame) the first pass's
 * estimate may ask for before the image is beyond the app: 20%. The 15 zoom-out mosaics (cells at half the
 * usual size, at the edge of the range) read a median 0.48 and none is flagged; a mosaic of 3×3 CBC fields
 * (cells 2.7× smaller) reads 0.37. */
export const SCALE_REACH = 1.2;

export function isFlagCode(x: unknown): x is FlagCode {
  return typeof x === 'string' && (FLAG_CODES as readonly string[]).includes(x);
}

export const excludes = (flags: readonly FlagCode[]) => flags.some((f) => EXCLUDING_FLAGS.includes(f));

/** A flag's sentence for one image: once the user accepted the image ("Count it anyway"), an excluding
 * flag no longer says the image is left out. With the image's statistics (`q`), a not-smear flag says which
 * of its tests failed and a scale flag how far off the cells are, instead of the list of what it could be.
 * Its figures are written in `locale` (the page's: "2,7× smaller" in a German lab); undefined, as JS writes
 * them. The exports carry the flag's code, never this sentence. */
export function flagSentence(f: FlagCode, accepted = false, q?: QualityInput, cal: QualityCalibration = CALIBRATION, locale?: string): string {
  let detail: string | undefined;
  let lead: string | undefined;
  if (q && f === 'not-smear') {
    const why = notSmearReasons(q, cal, locale);
    if (why.length) detail = why.join('; ');
    // nothing in it says "not a smear": a washed-out field, or too few cells in a smear's colours
    if (why.length && !looksUnlikeSmear(q, cal)) lead = nearlyWhite(q.pixels) ? 'The image is over-exposed' : 'Too few cells to count';
  }
  if (q && (f === 'small-field' || f === 'field-too-small') && q.pixels.fieldShare != null) detail = sharePercent(q.pixels.fieldShare, locale);
  if (q && f === 'uneven-light' && q.pixels.light != null) detail = `at ${plain(Math.round(q.pixels.light * 100), locale)}% of`;
  if (q && f === 'scale-out-of-range') {
    const d = q.detections;
    // the cut cells' size is a lower bound: it speaks where nothing else measured the cells
    const fromCut = d.planScale == null && d.cellScale == null && d.cutScale != null;
    const s = d.planScale ?? d.cellScale ?? d.cutScale;
    const bound = s != null && (fromCut || s < 1 / MEASURABLE || s > MEASURABLE) ? 'at least ' : '';
    const by = (x: number) => fixed(bound && !fromCut ? MEASURABLE : x, 1, locale);
    if (s) detail = `The cells look ${bound}${s < 1 ? `${by(1 / s)}× smaller` : `${by(s)}× larger`} than usual, more than`;
  }
  return withEffect(f, FLAG_BODY[f](detail, lead), accepted ? ACCEPTED : LEFT_OUT);
}

/** Under this share of the frame, the eyepiece's field of view is small (PixelStats.fieldShare): a phone held
 * back from the eyepiece or not zoomed in. The image is still counted (read from a crop of the disc), and the
 * flag says how to take the next one. Under a tenth of the frame, the whole frame's statistics had read the
 * photo as too dark ("raise the lamp"). */
export const SMALL_FIELD_SHARE = 0.1;

/** A field of view's share as the sentence says it: a whole percent, or "under 1%". */
const sharePercent = (share: number, locale?: string) => (share < 0.01 ? `under ${plain(1, locale)}%` : `${plain(Math.round(share * 100), locale)}%`);

/** Whether the eyepiece's field of view covers a small part of the frame (see SMALL_FIELD_SHARE). */
export const smallField = (p: PixelStats) => p.fieldShare != null && p.fieldShare < SMALL_FIELD_SHARE;

/** Whether the light was uneven enough that the field was evened out before it was counted (PixelStats.light,
 * core/quality/illumination). */
export const unevenLight = (p: PixelStats) => p.light != null && p.light < UNEVEN_BAR;

/** Whether the field of view is too small to count (under MIN_FIELD_SHARE: core/quality/field findTinyField). The
 * statistics are then the frame's, black about a speck of smear: no other flag says anything of the smear. */
export const fieldTooSmall = (p: PixelStats) => p.fieldShare != null && p.fieldShare < MIN_FIELD_SHARE;

/** Mean grey level above which a field is washed out to white (the validation images' brightest reads
 * 228; the images audit's field at 1.7x exposure, which kept 1 of its 23 red cells, 252; at 1.3x, counted
 * right, 232). Only the not-smear sentence uses it: it says what happened instead of "too small". */
export const OVEREXPOSED_BRIGHTNESS = 240;
const nearlyWhite = (p: PixelStats) => p.brightness > OVEREXPOSED_BRIGHTNESS;

/**
 * Colours no stained smear shows: a room, a poster or a hand in front of a phone pulled off the eyepiece.
 * Romanowsky stains (Wright, Giemsa, May-Grünwald, Leishman: those of every training set) take green light
 * from the cells, so a smear's darkest fifth is redder and bluer, against green, than its whole: both
 * differences of its ln(R/G), ln(B/G) from the image's are positive in all 4,019 images of the six sets
 * (least 0.032 and 0.024), and a per-channel colour cast (the lamp, a phone's white balance) shifts the two
 * alike, so it cancels. A smear is pale, too: its balanced colour spread (PixelStats.balancedSpread) reads
 * 8-48 there. Measured 2026-12-06 on cbc Training/Testing, txl-pbc bccd/bcd/pbc and pbc-wbc (all 4,019):
 * none past either bar. ffmpeg's test charts (testsrc, testsrc2, smptebars, rgbtestsrc) read a spread of
 * 81-247; its mandelbrot, even at 40% of its saturation, a dark fifth greener than its whole by 0.40.
 */
export const SMEAR_COLOURS = { maxBalancedSpread: 70, minDarkHue: -0.1 } as const;

/** See SMEAR_COLOURS. In the dark or from a monochrome camera colour says nothing: never true there. */
export function unlikeStainColours(p: PixelStats, cal: QualityCalibration = CALIBRATION): boolean {
  if (isMonochrome(p, cal) || underExposed(p, cal)) return false;
  const c = p.colour;
  const greenDark = c[2] - c[0] < SMEAR_COLOURS.minDarkHue || c[3] - c[1] < SMEAR_COLOURS.minDarkHue;
  return greenDark || (p.balancedSpread != null && p.balancedSpread > SMEAR_COLOURS.maxBalancedSpread);
}

/** The not-smear tests, each by name: qualityFlags raises the flag on any of them, notSmearReasons words
 * them, and flagSentence heads the sentence by which failed. */
function smearTests(q: QualityInput, cal: QualityCalibration) {
  const d = q.detections;
  const s = cal.smear;
  const c = q.pixels.colour;
  return {
    // in the dark, colour is lost to 8-bit rounding: the under-exposed flag says so instead
    noStain: Math.hypot(c[2], c[3]) < s.minStainChroma && !isMonochrome(q.pixels, cal) && !underExposed(q.pixels, cal),
    // vivid colours, or a darkest fifth greener than the whole (SMEAR_COLOURS): what the detector "finds" there
    // (a test chart gave 4 red cells and 2 white ones) counts for nothing
    unstained: unlikeStainColours(q.pixels, cal),
    fewCells: d.rbc < s.minRbc,
    lowScore: (d.rbcScore ?? 0) < s.minRbcScore,
    sameSize: d.rbcSizeCv !== null && d.rbcSizeCv < s.minRbcSizeCv,
    grid: d.rbcAligned != null && d.rbcAligned > s.maxRbcAligned,
  };
}

/** The not-smear tests that speak against a smear itself, beside too few red cells to count (a field
 * washed out to white has lost its stain colour too). */
function looksUnlikeSmear(q: QualityInput, cal: QualityCalibration): boolean {
  const t = smearTests(q, cal);
  return (t.noStain && !nearlyWhite(q.pixels)) || t.unstained || (t.lowScore && !t.fewCells) || t.sameSize || t.grid;
}

/** Cells outside what the app corrects: on the kept pass, or as the first pass measured them, past what a
 * second pass reaches (see SCALE_REACH). */
function cellsTooSmall(d: DetectionStats, cal: QualityCalibration): boolean {
  // The zoom the cells need (1 / planScale) against the zoom the second pass could give this image (reach).
  // Without a reach (counted before it was kept), the 2x of a whole 4:3 frame, which is what the range's
  // lower end (cal.scale.min, 0.5) says: the bar is then planScale < min / SCALE_REACH, as it always was.
  const reach = d.reach ?? 1 / cal.scale.min;
  return (d.cellScale !== null && d.cellScale < cal.scale.min) || (d.planScale != null && d.planScale * reach * SCALE_REACH < 1);
}
function cellsTooLarge(d: DetectionStats, cal: QualityCalibration): boolean {
  return (d.cellScale !== null && d.cellScale > cal.scale.max) || (d.planScale != null && d.planScale > cal.scale.max * SCALE_REACH) || (d.cutScale != null && d.cutScale > cal.scale.max);
}

/** Which of the not-smear tests an image failed, in words (the same tests as qualityFlags), its figures in
 * `locale` (see flagSentence). */
export function notSmearReasons(q: QualityInput, cal: QualityCalibration = CALIBRATION, locale?: string): string[] {
  const d = q.detections;
  const t = smearTests(q, cal);
  const out: string[] = [];
  const washedOut = nearlyWhite(q.pixels);
  if (washedOut) out.push('the field is washed out to white (lower the lamp or the camera\'s exposure)');
  else if (t.noStain) out.push('no stain colour');
  if (t.unstained) out.push('colours no stained smear has (a room, a picture or a hand rather than a slide)');
  // a phone's photo of the whole eyepiece field at low power finds no cells either: say what to try,
  // unless the cells it found are of a size the app reads (a sparse field) or the field is washed out
  if (t.fewCells) {
    const found = d.rbc ? `only ${plain(d.rbc, locale)} red cell${d.rbc === 1 ? '' : 's'} found` : 'no red cells found';
    const sized = d.planScale ?? d.cellScale;
    // (one cell's size is no evidence: a letter on a page is "one cell")
    const hint = washedOut
      ? ''
      : sized != null && d.rbc >= 2 && !cellsTooSmall(d, cal)
        ? ' (move to a part of the smear where the cells lie side by side)'
        : smallField(q.pixels)
          ? ' (the field of view is small in this photo: move the phone closer to the eyepiece, or zoom in)'
          : ' (if you can see cells, they are too small in this photo: zoom in, or crop to the field of view)';
    out.push(found + hint);
  } else if (t.lowScore) out.push('what was found scores unlike red cells');
  if (t.sameSize) out.push('its "cells" are all the same size');
  if (t.grid) out.push('its "cells" sit on a grid');
  return out;
}

export interface DetectionStats {
  /** Shown cells at the card's thresholds. */
  rbc: number;
  wbc: number;
  platelets: number;
  /** Median score of those RBCs. */
  rbcScore: number | null;
  /** Median interior RBC size in the kept pass, over the model's reference size: 1 is what it was trained around. */
  cellScale: number | null;
  /** Coefficient of variation of interior RBC sizes (a printed grid has near-identical "cells"). */
  rbcSizeCv: number | null;
  /** The RBC size the first pass measured at the plan scale, over the reference (the zoom the image would
   * need is its inverse), where it was estimated: a second pass corrects it only within the model's range,
   * so cells too small for even the largest zoom read as in range on the kept pass (`cellScale`) while
   * the image is beyond the app. Absent in images counted before it existed. */
  planScale?: number | null;
  /** The share of interior RBCs whose box lines up with another's on both axes (an edge within 4% of the
   * median size of another's same edge), with at least 8 of them: a checkerboard's "cells" sit on a grid,
   * a smear's do not. Absent in images counted before it existed. */
  rbcAligned?: number | null;
  /** The median longer side of the RBCs cut by the image border in the kept pass, over the reference, with
   * at least MIN_CUT_RBCS of them: a lower bound of their size, since a cut cell keeps its diameter along
   * the border until cut past its middle. At high power (a 100x oil field of a few huge cells) every red
   * cell can be cut by the border: `cellScale` and the first pass's estimate then read nothing, while this
   * still reads how large they are. Absent in images counted before it existed. */
  cutScale?: number | null;
  /** The most the second pass could have enlarged what the first pass read (the image, or a small field's
   * square): the reachable scale (scale.ts reachableScale) over the plan scale. 2 on any 4:3 frame; 2.31 on a
   * small eyepiece field's square, whose plan fits 384 px of the native 512x384, so its cells can be brought
   * 15% closer to the reference. Null where the scale was fixed by hand; absent in images counted before it. */
  reach?: number | null;
}

/** Cut RBCs needed before their sizes say anything (one may be a clump, or a stain streak along an edge). */
export const MIN_CUT_RBCS = 2;

/** A box's size: the side of the square of its area. */
const side = (b: { x1: number; y1: number; x2: number; y2: number }) => Math.sqrt(Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1));

/** Interior RBCs needed before their alignment says anything. */
export const MIN_ALIGNED_RBCS = 8;

/** A box lines up only with boxes whose centres lie within this many median sizes of its own: a grid's
 * neighbours in its row and column. Against every box of the field, chance alignment grew with the number of
 * cells: a 3x3 mosaic of CBC fields (110-160 interior RBCs, against CBC's 15-30) read 0.51-0.62, over the bar,
 * and was left out as "cells sit on a grid". Near ones only, a smear's count is bounded by how closely cells
 * pack, whatever the field holds. */
export const ALIGNED_REACH = 3;

/** See DetectionStats.rbcAligned. */
export function alignedShare(boxes: readonly { x1: number; y1: number; x2: number; y2: number }[]): number | null {
  if (boxes.length < MIN_ALIGNED_RBCS) return null;
  const m = median(boxes.map(side));
  if (!m) return null;
  const t = 0.04 * m;
  const near = (a: (typeof boxes)[number], b: (typeof boxes)[number]) => Math.hypot(a.x1 + a.x2 - b.x1 - b.x2, a.y1 + a.y2 - b.y1 - b.y2) / 2 <= ALIGNED_REACH * m;
  const lined = (i: number, k: 'x1' | 'x2' | 'y1' | 'y2') => boxes.some((o, j) => j !== i && Math.abs(o[k] - boxes[i][k]) <= t && near(o, boxes[i]));
  const n = boxes.filter((_, i) => (lined(i, 'x1') || lined(i, 'x2')) && (lined(i, 'y1') || lined(i, 'y2'))).length;
  return n / boxes.length;
}


/** From the post-processed detections of the kept pass (card thresholds, count rule `all`). */
export function detectionStats(dets: readonly Detection[], width: number, height: number, scale: ScaleInfo | undefined, cfg: ScaleConfig | null): DetectionStats {
  const rbcs = dets.filter((d) => d.cls === 'RBC');
  const used = scale?.used ?? 1;
  const inside = rbcs.filter((d) => !touchesBorder(d.box, width, height, ESTIMATE_BORDER_PX / used));
  const interior = inside.map((d) => side(d.box));
  const cut = rbcs.filter((d) => !inside.includes(d)).map((d) => Math.max(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1));
  const mc = cut.length >= MIN_CUT_RBCS ? median(cut) : null;
  const m = median(interior);
  let cv: number | null = null;
  if (interior.length >= 3 && m) {
    const mean = interior.reduce((a, b) => a + b, 0) / interior.length;
    cv = Math.sqrt(interior.reduce((a, b) => a + (b - mean) ** 2, 0) / interior.length) / mean;
  }
  return {
    rbc: rbcs.length,
    wbc: dets.filter((d) => d.cls === 'WBC').length,
    platelets: dets.filter((d) => d.cls === 'Platelets').length,
    rbcScore: median(rbcs.map((d) => d.score)),
    cellScale: m !== null && cfg ? (m * used) / cfg.referenceRbcPx : null,
    rbcSizeCv: cv,
    rbcAligned: alignedShare(inside.map((d) => d.box)),
    planScale: scale && !scale.fixed ? scale.estimated : null,
    cutScale: mc !== null && cfg ? (mc * used) / cfg.referenceRbcPx : null,
    reach: secondPassReach(scale, width, height, cfg),
  };
}

/** See DetectionStats.reach. */
function secondPassReach(scale: ScaleInfo | undefined, width: number, height: number, cfg: ScaleConfig | null): number | null {
  if (!scale || scale.fixed || !cfg || !(scale.used > 0) || !(scale.relative > 0)) return null;
  const read = scale.region ?? { width, height };
  return reachableScale(read.width, read.height, cfg) / (scale.used / scale.relative);
}

/** The colour model of the training microscopes: one Gaussian per microscope over PixelStats.colour. */
export interface ColourModel {
  name: string;
  mean: number[];
  /** inverse covariance (regularised) */
  invCov: number[][];
}

export interface QualityCalibration {
  /** Where the numbers came from (script, data, date). */
  source: string;
  /** maxDistance: Mahalanobis distance to the nearest microscope; minStainChroma: the darkest fifth's
   * chroma (hypot of its two log-ratios) below which the picture is too grey for a stained smear (a
   * Gaussian alone misses that: one microscope's stain strength varies along the grey direction). */
  colour: { models: ColourModel[]; maxDistance: number; minStainChroma: number };
  /** minEdges: the bar of PixelStats.edges (the sharpness through a sensor's grain); absent in calibrations made
   * before it. */
  focus: { minSharpness: number; minEdges?: number };
  /** maxNoise: the median |Laplacian| (PixelStats.noise) above which an image is too grainy to count;
   * absent in calibrations made before it. atBrightness: the brightness down to which that bar holds; below
   * it the bar shrinks with the brightness (see dimmed), since the detector reads each image at its own
   * contrast and a dim field's grain is that much larger beside its cells (absent in calibrations made
   * before it: the bar holds at any brightness). */
  noise?: { maxNoise: number; atBrightness?: number };
  /** maxBlockiness: the JPEG blockiness (PixelStats.blockiness) above which compression has cost cells;
   * absent in calibrations made before it. */
  jpeg?: { maxBlockiness: number };
  /** maxColourSpread: the mean channel spread (PixelStats.colourSpread) below which a picture is
   * monochrome; absent in calibrations made before it. atBrightness: the brightness down to which that bar
   * holds; below it the bar shrinks with the brightness, since a dim colour picture's channels spread less
   * in grey levels (absent in calibrations made before it: the bar holds at any brightness). */
  monochrome?: { maxColourSpread: number; atBrightness?: number };
  /** minBrightness: the mean grey level below which a field is too dark to count (PixelStats.brightness);
   * maxClipped: the share of clipped pixels (PixelStats.clipped) above which it is too bright; each absent in
   * calibrations made before it. */
  exposure?: { minBrightness: number; maxClipped?: number };
  /** minStainChroma: far below any stained smear's darkest-fifth chroma (a grey picture: a page, a grid). */
  smear: { minRbc: number; minRbcScore: number; minRbcSizeCv: number; minStainChroma: number; maxRbcAligned: number };
  scale: { min: number; max: number };
}

/** Mahalanobis distance to the nearest training microscope's colours. */
export function colourDistance(colour: readonly number[], models: readonly ColourModel[]): number {
  let best = Infinity;
  for (const m of models) {
    const d = colour.map((v, i) => v - m.mean[i]);
    let q = 0;
    for (let i = 0; i < d.length; i++) for (let j = 0; j < d.length; j++) q += d[i] * m.invCov[i][j] * d[j];
    best = Math.min(best, Math.sqrt(Math.max(0, q)));
  }
  return best;
}

export interface QualityInput {
  pixels: PixelStats;
  detections: DetectionStats;
}

/** A picture from a monochrome camera: its three channels are one (PixelStats.colourSpread). Its cells are
 * judged by the detections alone: no stain colour is then no evidence against a smear. */
export function isMonochrome(p: PixelStats, cal: QualityCalibration): boolean {
  const m = cal.monochrome;
  return !!m && p.colourSpread != null && p.colourSpread < dimmed(m.maxColourSpread, p.brightness, m.atBrightness);
}

/** A bar in grey levels measured on fields at least `atBrightness` bright, for a field of `brightness`:
 * scaled down with it below that (the field's cells, colours and grain all span fewer grey levels). */
export function dimmed(bar: number, brightness: number, atBrightness: number | undefined): number {
  return atBrightness ? bar * Math.min(1, brightness / atBrightness) : bar;
}

/** Grainier than the calibration's bar (see QualityCalibration.noise). */
function grainy(p: PixelStats, cal: QualityCalibration): boolean {
  return !!cal.noise && p.noise != null && p.noise > dimmed(cal.noise.maxNoise, p.brightness, cal.noise.atBrightness);
}

/** Blurred: the edges under the focus bar, as read or through the grain (PixelStats.edges). */
export function outOfFocus(p: Pick<PixelStats, 'sharpness' | 'edges'>, cal: QualityCalibration): boolean {
  return p.sharpness < cal.focus.minSharpness || (cal.focus.minEdges != null && p.edges != null && p.edges < cal.focus.minEdges);
}

/** A field washed out to white (see QualityCalibration.exposure). */
export function overExposedField(p: PixelStats, cal: QualityCalibration): boolean {
  return cal.exposure?.maxClipped != null && p.clipped != null && p.clipped > cal.exposure.maxClipped;
}

/** A field too dark to count (see QualityCalibration.exposure). */
export function underExposed(p: PixelStats, cal: QualityCalibration): boolean {
  return !!cal.exposure && p.brightness < cal.exposure.minBrightness;
}

/** The blockiness bar was measured on fields 640 px wide and less; on a larger image the detector reads
 * each 8-px block shrunk, so compression costs fewer cells at a higher blockiness (scripts/jpegStudy
 * `--enlarge 2|3`, 85 training-folder images enlarged to long sides of 726-1,920 px, README: JPEG quality 5
 * cost 16% of the RBCs at their own size, 9% at 2x and 7% at 3x, where the blockiness of the image or its
 * window reads far higher). The bar grows with the square of the long side past 640 px: it flags 79 and 64
 * of the 85 quality-5 copies at 2x and 3x (they lost 9% and 8%; those kept 6% and none), 13 and 20 of the
 * quality-10 ones (which lost 4% and 1%), one quality-20 copy and no quality-50 one. */
export const BLOCKINESS_REF_SIDE = 640;
export function blockinessBar(maxBlockiness: number, longSide: number | undefined): number {
  return maxBlockiness * Math.max(1, (longSide ?? 0) / BLOCKINESS_REF_SIDE) ** 2;
}

/** The image's flags other than wbc-type-unsure (which depends on the shown types: see wbcTypeUnsure). */
export function qualityFlags(q: QualityInput, cal: QualityCalibration): FlagCode[] {
  if (fieldTooSmall(q.pixels)) return ['field-too-small'];
  const flags: FlagCode[] = [];
  const d = q.detections;
  const c = q.pixels.colour;
  const stain = Math.hypot(c[2], c[3]);
  const mono = isMonochrome(q.pixels, cal);
  const t = smearTests(q, cal);
  const dark = underExposed(q.pixels, cal);
  const bright = overExposedField(q.pixels, cal);
  // too few cells, or cells that score low, in a field too dark or too bright: the exposure flag says what
  // happened and what to do; "not a smear" stays for what speaks against a smear itself
  const exposureExplains = (dark || bright) && !looksUnlikeSmear(q, cal);
  if ((t.noStain || t.unstained || t.fewCells || t.lowScore || t.sameSize || t.grid) && !exposureExplains) flags.push('not-smear');
  if (smallField(q.pixels)) flags.push('small-field');
  if (unevenLight(q.pixels)) flags.push('uneven-light');
  if (cellsTooSmall(d, cal) || cellsTooLarge(d, cal)) flags.push('scale-out-of-range');
  if (outOfFocus(q.pixels, cal)) flags.push('out-of-focus');
  if (dark) flags.push('under-exposed');
  if (bright) flags.push('over-exposed');
  // Grain is read on the 256-px copy, where the edges of cells far too small (a low-power field, a phone's
  // photo of the eyepiece) read as grain too: those images are out for their scale or their few cells, and
  // "grainy" would send the technician after the wrong fix.
  if (grainy(q.pixels, cal) && !cellsTooSmall(d, cal) && !t.fewCells) flags.push('noisy');
  if (cal.jpeg && q.pixels.blockiness != null && q.pixels.blockiness > blockinessBar(cal.jpeg.maxBlockiness, q.pixels.longSide)) flags.push('compressed');
  // (the colours of a field too dark to count are 8-bit rounding, and a washed-out field's are white: the
  // exposure flag says what to fix)
  if (mono && !bright) flags.push('monochrome');
  else if (!dark && !bright && (colourDistance(c, cal.colour.models) > cal.colour.maxDistance || stain < cal.colour.minStainChroma)) flags.push('unfamiliar-colour');
  return flags;
}

/** Advisory: a shown WBC typed by the model below this probability is drawn with "?". */
export const UNSURE_TYPE_P = 0.6;

export function wbcTypeUnsure(dets: readonly Detection[], lowConfidence = UNSURE_TYPE_P): boolean {
  return dets.some((d) => d.cls === 'WBC' && !!d.wbc && typeUnsure(d.wbc, lowConfidence));
}

/** All flags of an image, in FLAG_CODES order. */
export function allFlags(stored: readonly FlagCode[] | undefined, shown: readonly Detection[], lowConfidence = UNSURE_TYPE_P): FlagCode[] {
  const set = new Set<FlagCode>(stored ?? []);
  if (wbcTypeUnsure(shown, lowConfidence)) set.add('wbc-type-unsure');
  if (plateletClumps(shown).length) set.add('platelet-clumps');
  return FLAG_CODES.filter((c) => set.has(c));
}
