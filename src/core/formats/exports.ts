/** Exporters: pure functions from the reviewed batch to the formats labs use. */
import { CLASS_NAMES } from '../detection/classes';
import { modelScore, modelTypeP, type Detection } from '../detection/detection';
import { countCells, nrbcBoxes, summarize } from '../counts/counts';
import { isCutByBorder, type CountRule } from '../detection/postprocess';
import { differential, WBC_TYPES } from '../differential/differential';
import { DEFAULT_RULES, differentialState, TOO_FEW_CELLS, wbcBasisWords, type DifferentialState, type PrintedDifferential } from '../differential/rules';
import type { ScaleInfo } from '../detection/scale';
import type { FlagCode } from '../quality/flags';
import { toCsv } from './csv';
import { uniqueNames } from './names';
import { writeVoc } from './voc';
import { plain } from './numbers';
import { isolateName } from '../bidi';

export interface ExportImage {
  name: string;
  /** Relative path inside a dropped or chosen folder, when known: keeps same-named images apart. */
  path?: string;
  /** The file's sha-256: the suffix that tells same-named images apart when no path does. */
  id?: string;
  width: number;
  height: number;
  detections: readonly Detection[];
  reviewed: boolean;
  edited: boolean;
  /** The count rule the detections were filtered with (recorded in every export). */
  countRule: CountRule;
  scale?: ScaleInfo;
  /** Quality flags (core/quality), recorded in every export. */
  flags?: readonly FlagCode[];
  /** false: a not-smear / out-of-focus image the user has not accepted, left out of the totals. */
  inTotals?: boolean;
  /** Whether the technician accepted the image's flags ("Count it anyway"), where a flag would keep it out of
   * the totals; undefined where none would (nothing to accept). A signed export shows a flagged image was
   * counted by the technician's choice, not because the flag was missed. */
  flagsAccepted?: boolean;
  /** Boxes drawn on the image but counted nowhere, and why: the count rule, a speck on the optics, grey debris. */
  leftOut?: readonly { det: Detection; reason: LeftOut }[];
  /** The engine that counted the image ("wasm x1"), recorded when it was counted. */
  engine?: string;
  /** A field live mode captured: the source and the capture time (as the report prints it). */
  capture?: { source: string; at: string };
  /** What a person changed on the image, in words (core/edits/summary editWords). */
  edits?: string;
}

/** Why a box is not in the totals. */
export type LeftOut = 'image-not-in-totals' | 'count-rule' | 'optics' | 'debris';

/** The release as the exports carry it, in the report's words and time; an unreleased copy names no verifier. */
export interface ExportRelease {
  state: 'released' | 'withdrawn' | 'preliminary';
  verifiedBy: string;
  /** As the report prints it: local time with its offset, to the second. */
  releasedAt: string;
  revision: string;
  /** Why the last release was withdrawn ('' when it was not). */
  withdrawn: string;
  /** On a release that corrects a withdrawn one: which, in the report's words ('' or absent otherwise). */
  replaces?: string;
}

/** The report the counts CSV carries: its release, and the differential state the report prints from. */
export interface CountsReport {
  release: ExportRelease;
  differential: DifferentialState;
  /** Files dropped into the batch that could not be counted (a decode error, with why), and images still being
   * counted: a row each, so the file a lab sent is never missing from its CSV without a word. */
  notCounted?: readonly { name: string; error: string }[];
  /** The differential as the report prints it (core/differential printedDifferential): with an analyser WBC count
   * entered, a row of absolute counts follows the % row, saying which count they rest on (corrected for NRBC or
   * as entered), as the report does. */
  printed?: PrintedDifferential;
  /** The technician's reason for a differential short of its target, as the report prints it. */
  shortReason?: string;
}

const counted = (im: ExportImage) => im.inTotals !== false;
const flagText = (im: ExportImage) => (im.flags ?? []).join(' ');
/** true / false where a flag keeps the image out of the totals until accepted; '' where none does. */
const flagsAcceptedCell = (im: ExportImage) => im.flagsAccepted ?? '';

/** Estimated cell size relative to the model's scale ('' when not estimated). */
const cellScale = (im: ExportImage) =>
  im.scale ? (im.scale.fixed ? 1 / im.scale.relative : (im.scale.estimated ?? '')) : '';
const r3 = (x: number | string) => (typeof x === 'number' ? Math.round(x * 1000) / 1000 : x);
/** A percentage cell: one decimal from the exact value, the report's own rounding (rules.ts percentText). A
 * string, as the CSV writer gives every other fractional number four decimals (scores, p, cell scale). */
const percentCell = (x: number) => x.toFixed(1);

/** The typed WBCs of an image, not set aside as smudge or other. */
const typesOf = (im: ExportImage) => im.detections.filter((d) => d.cls === 'WBC' && d.wbc && !d.wbc.category).map((d) => d.wbc!.type);

const categoryCount = (im: ExportImage, c: 'smudge' | 'other') => im.detections.filter((d) => d.cls === 'WBC' && d.wbc?.category === c).length;
/** The TOTAL row's image counts (reviewed, edited, flags accepted, in the totals, and reviewed of those in the
 * totals), empty on every other row. `reviewed_images` and `edited_images` count every image row, the flagged ones
 * left out of the totals too; `reviewed_in_totals_images` and `edited_in_totals_images` only those TOTAL's figures
 * rest on (the report's "Boxes reviewed on n of m images in the counts", and its "Changed by hand" on the images in
 * the counts, apart from the edits on images left out). */
const TOTALS_COLUMNS = ['reviewed_images', 'edited_images', 'flags_accepted_images', 'in_totals_images', 'reviewed_in_totals_images', 'edited_in_totals_images'];
const TOTALS_ONLY = TOTALS_COLUMNS.map(() => '');
const NOT_RELEASED: ExportRelease = { state: 'preliminary', verifiedBy: '', releasedAt: '', revision: '', withdrawn: '' };
/** The release's columns, last before sample_id and models, in the counts and the boxes CSV alike. */
const RELEASE_COLUMNS = ['report_state', 'verified_by', 'released_at', 'release_revision', 'withdrawn_reason', 'replaces_release'];
const releaseCells = (rel: ExportRelease) => [rel.state, rel.verifiedBy, rel.releasedAt, rel.revision, rel.withdrawn, rel.replaces ?? ''];

/** The release in one line, in the report's own words (store/report releaseState().line): what a file that
 * leaves the lab is, said where a format has room for a sentence (VOC, COCO, the PNG's footer and text). */
export function releaseLine(rel: ExportRelease): string {
  if (rel.state === 'released') return `Released · verified by ${rel.verifiedBy} at ${rel.releasedAt} · revision ${rel.revision}${rel.replaces ? ` · CORRECTED: ${rel.replaces}` : ''}`;
  if (rel.state === 'withdrawn') return `WITHDRAWN: not valid for clinical use. The release was withdrawn (${rel.withdrawn}).`;
  return 'PRELIMINARY: not verified, not for clinical use.';
}

/** The annotated PNG's footer: the sample, the image with its counts as the counts CSV's row gives them
 * (and whether they are in the totals), and the release, so that a picture sent on alone says what it is. The
 * picture is read by people, not parsed: its counts are grouped as `locale` writes them ("RBC 1.363" in a German
 * lab), as on the screen; the release's time stays isoLocal's, as the report prints it. */
export function pngFooter(im: ExportImage, name: string, sampleId: string, release: ExportRelease, locale?: string): string {
  const c = countCells(im.detections);
  const n = (x: number) => plain(x, locale);
  const out = counted(im) ? '' : ' (not in the totals)';
  // the WBC boxes typed NRBC, which the report counts apart (not leukocytes): said, as the CSV's erythroblast column does
  const nrbc = nrbcBoxes(im.detections);
  const typed = nrbc ? ` (${n(nrbc)} typed NRBC)` : '';
  return `${sampleWords(sampleId)} · ${isolateName(name)}: RBC ${n(c.RBC)}, WBC ${n(c.WBC)}${typed}, PLT ${n(c.Platelets)}${out} · ${releaseLine(release)}`;
}

/** The PNG's footer where the image is in no export row: the sample and the release alone. */
export function sampleFooter(sampleId: string, release: ExportRelease): string {
  return `${sampleWords(sampleId)} · ${releaseLine(release)}`;
}

/** "Sample <id>", the id isolated: a right-to-left id (or one holding U+202E) must not turn the line around it. */
const sampleWords = (sampleId: string) => `Sample ${sampleId ? isolateName(sampleId) : '(no sample ID)'}`;

/** The release as named fields, with the boxes JSON report's keys. */
const releaseObject = (rel: ExportRelease) => ({
  state: rel.state,
  state_line: releaseLine(rel),
  verified_by: rel.verifiedBy,
  released_at: rel.releasedAt,
  release_revision: rel.revision,
  withdrawn_reason: rel.withdrawn,
  replaces_release: rel.replaces ?? '',
});

/**
 * One row per image plus TOTAL, with the differential's counts per type (typed cells; smudge and other
 * apart); `wbc` is every WBC-class box, as the detector and the screen count them, `wbc_less_nrbc` the report's
 * WBC count: without the boxes typed NRBC (the `erythroblast` column), which are not leukocytes; a row DIFFERENTIAL_% after TOTAL gives the batch differential in % (erythroblasts: per 100 WBC, outside the 100%):
 * the report's own figures (verified cells, up to the target) where the report prints them, else every
 * typed cell, marked preliminary. Where the report prints the differential (`report.printed` shown), a row
 * DIFFERENTIAL_FLAG follows with each type's H / L as its Flag column prints it ('H', 'L', 'L (abs)': against the %
 * interval, or the ×10⁹/L one only; empty within both or where no flag is printed), and in `flags` what the letters
 * mean, the types with no interval set and those whose flag too few cells withhold (the report's "*"), after
 * DIFFERENTIAL_10E9_PER_L where there is one (CountsReport.printed). Every row carries the report's release (state,
 * verifier, time, revision, why it was withdrawn), as it carries the sample ID. `report` comes from the store's selectors
 * (the report's); without it (tests, tools) the differential state is derived here by the same rule.
 */
export function countsCsv(images: readonly ExportImage[], report?: CountsReport): string {
  const names = uniqueNames(images);
  const rel = report?.release ?? NOT_RELEASED;
  const relCells = releaseCells(rel);
  const rows: (string | number | boolean)[][] = images.map((im, i) => {
    const c = countCells(im.detections);
    const d = differential(typesOf(im));
    return [
      names[i], c.RBC, c.WBC, c.Platelets, im.reviewed, im.edited, im.countRule, r3(cellScale(im)), im.scale?.passes ?? '', ...WBC_TYPES.map((t) => d.counts[t]), flagText(im), flagsAcceptedCell(im), counted(im),
      categoryCount(im, 'smudge'), categoryCount(im, 'other'), im.engine ?? '', im.capture?.source ?? 'file', im.capture?.at ?? '', im.edits ?? '', c.WBC - d.counts.erythroblast, ...TOTALS_ONLY, ...relCells,
    ];
  });
  // files that could not be counted: named, with why, in no total (the report says the same on page 1)
  for (const f of report?.notCounted ?? []) {
    rows.push([f.name, '', '', '', '', '', '', '', '', ...WBC_TYPES.map(() => ''), `not-counted: ${f.error}`, '', false, '', '', '', '', '', '', '', ...TOTALS_ONLY, ...relCells]);
  }
  // TOTAL and the differential are over the images the batch counts (as the page shows them)
  const inTotals = images.filter(counted);
  const s = summarize(inTotals.map((im) => countCells(im.detections)));
  const rules = [...new Set(images.map((i) => i.countRule))].join('+');
  const st = report?.differential ?? differentialState(inTotals.flatMap((im) => im.detections), DEFAULT_RULES, 0.6);
  const d = st.preliminary;
  const sum = (f: (im: ExportImage) => number) => inTotals.reduce((n, im) => n + f(im), 0);
  // the per-image true/false columns stay empty on TOTAL (a LIS or pandas typing them as booleans failed on
  // a count there, or read 2 as true): how many images are reviewed, edited… go in columns of their own
  const imageTotals = [images.filter((i) => i.reviewed).length, images.filter((i) => i.edited).length, images.filter((im) => im.flagsAccepted === true).length, inTotals.length, inTotals.filter((i) => i.reviewed).length, inTotals.filter((i) => i.edited).length];
  rows.push(['TOTAL', s.totals.RBC, s.totals.WBC, s.totals.Platelets, '', '', rules, '', '', ...WBC_TYPES.map((t) => d.counts[t]), '', '', '', sum((im) => categoryCount(im, 'smudge')), sum((im) => categoryCount(im, 'other')), '', '', '', '', s.totals.WBC - sum((im) => differential(typesOf(im)).counts.erythroblast), ...imageTotals, ...relCells]);
  // the report's figures where it prints them; otherwise every typed cell, marked preliminary
  // (before release: the basis the panel shows, verified cells only unless the technician chose every typed cell)
  const shown = st.releasable || st.basis === 'verified' ? st.released : d;
  // a released report that prints no differential ("Differential not released", '–' in every row; the JSON's
  // percent null): its CSV gives none either. Every row of it says report_state released, and a LIS read the
  // working figures of a few verified cells as the released differential
  const withheld = rel.state === 'released' && !st.releasable;
  // one decimal, as a lab report writes a differential and as the report prints it (62.5, 0.0, 100.0);
  // erythroblasts per 100 WBC likewise
  const pctRow = WBC_TYPES.map((t) => (withheld ? '' : t === 'erythroblast' ? (shown.nrbcPer100 === null ? '' : percentCell(shown.nrbcPer100)) : shown.total ? percentCell(shown.percent[t]) : ''));
  // short of the target: imprecise, and H/L only with the technician's reason, as the report's caution says
  const reason = report?.shortReason?.trim() ?? '';
  const short = st.reached ? '' : `; fewer than the target: percentages imprecise; ${reason ? `reason: ${reason}` : 'no reason given: no H/L flags'}`;
  const status = st.releasable
    ? `report: ${st.basedOn} verified cells (target ${st.target})${short}${st.over ? `; ${st.over} beyond the target kept apart` : ''}${st.unverified ? `; ${st.unverified} unverified kept apart` : ''}`
    : !st.typed
      ? ''
      : withheld
        ? `differential not released on the report: ${st.basedOn} of ${st.target} cells verified, ${st.unverified + st.untyped} not yet`
        : st.basis === 'verified'
        ? `preliminary: ${st.basedOn} verified cells of ${st.target}; ${st.unverified} of ${st.typed} WBC types not verified${st.untyped ? `; ${st.untyped} WBC untyped` : ''}`
        : `preliminary: every typed cell; ${st.unverified} of ${st.typed} WBC types not verified${st.untyped ? `; ${st.untyped} WBC untyped` : ''}`;
  // what the row's figures are, where it has them: erythroblasts are per 100 WBC, outside the 100% (the report's
  // row says so; in this row they read as a part of it), and the percentages to 0.1 may not add up to 100
  const tenths = WBC_TYPES.filter((t) => t !== 'erythroblast').reduce((n, t, i) => n + (pctRow[i] === '' ? 0 : Math.round(Number(pctRow[i]) * 10)), 0);
  const notes = [
    pctRow[WBC_TYPES.indexOf('erythroblast')] !== '' ? 'erythroblast per 100 WBC (outside the 100%)' : '',
    tenths > 0 && tenths !== 1000 ? `rounded to 0.1 the percentages add up to ${(tenths / 10).toFixed(1)}` : '',
  ].filter(Boolean);
  const described = status && notes.length ? `${status}; ${notes.join('; ')}` : status;
  rows.push(['DIFFERENTIAL_%', '', '', '', '', '', '', '', '', ...pctRow, described, '', '', '', '', '', '', '', '', '', ...TOTALS_ONLY, ...relCells]);
  // the absolute counts, as printed (to 0.01 ×10⁹/L), and the WBC count they rest on: only the report's own figures
  const p = report?.printed;
  if (p?.wbc) {
    const abs = WBC_TYPES.map((t) => ((r) => (p.shown && r && r.absolute !== null ? r.absoluteText : ''))(p.rows.find((r) => r.type === t)));
    const words = p.shown ? wbcBasisWords(p.wbc) : 'absolute counts only on the released differential';
    rows.push(['DIFFERENTIAL_10E9_PER_L', '', '', '', '', '', '', '', '', ...abs, words, '', '', '', '', '', '', '', '', '', ...TOTALS_ONLY, ...relCells]);
  }
  // H / L against the reference intervals, as the report's Flag column prints them: only where it prints the
  // differential (the page showed H/L that no row of the file had)
  if (p?.shown) {
    const flagRow = WBC_TYPES.map((t) => p.rows.find((r) => r.type === t)?.flagText ?? '');
    const named = (note: string) => p.rows.filter((r) => r.note === note).map((r) => `${r.type}${r.withheldText ? ` ${r.withheldText}` : ''}`).join(', ');
    const words = [
      'H / L: above / below the reference interval in % (erythroblast: per 100 WBC); "(abs)": the ×10⁹/L interval',
      p.flags ? '' : 'no H/L flags: fewer cells than the target and no reason given',
      named('no interval set') ? `no interval set: ${named('no interval set')}` : '',
      named(TOO_FEW_CELLS) ? `${TOO_FEW_CELLS}: ${named(TOO_FEW_CELLS)}` : '',
    ].filter(Boolean);
    rows.push(['DIFFERENTIAL_FLAG', '', '', '', '', '', '', '', '', ...flagRow, words.join('; '), '', '', '', '', '', '', '', '', '', ...TOTALS_ONLY, ...relCells]);
  }
  return toCsv(
    // one rule for every header: lowercase snake_case, a unit where the value has one (the boxes CSV's px)
    ['image', 'rbc', 'wbc', 'platelets', 'reviewed', 'edited', 'count_rule', 'cell_scale', 'passes', ...WBC_TYPES, 'flags', 'flags_accepted', 'in_totals', 'smudge', 'other', 'engine', 'source', 'captured_at', 'edits', 'wbc_less_nrbc', ...TOTALS_COLUMNS, ...RELEASE_COLUMNS],
    rows,
  );
}

/** Every box of an image with whether it is in the totals and, where not, why. */
function allBoxes(im: ExportImage): { det: Detection; counted: boolean; leftOut: LeftOut | '' }[] {
  const inTotals = counted(im);
  return [
    ...im.detections.map((det) => ({ det, counted: inTotals, leftOut: inTotals ? ('' as const) : ('image-not-in-totals' as const) })),
    ...(im.leftOut ?? []).map(({ det, reason }) => ({ det, counted: false, leftOut: reason })),
  ];
}

/** One row per box, the boxes counted nowhere included (`counted` false, `left_out` says why). `score` and
 * `wbc_p` are the model's and the classifier's fractions (0–1), blank where a technician set the box (`origin`
 * manual: drawn, relabelled or moved by hand) or the type (`wbc_type_origin` manual): the model said neither.
 * Every row carries the report's release in the counts CSV's columns: a box file sent on alone says whether
 * the figures it rests on were released (without `release`, never released). */
export function boxesCsv(images: readonly ExportImage[], release: ExportRelease = NOT_RELEASED): string {
  const names = uniqueNames(images);
  const relCells = releaseCells(release);
  const rows = images.flatMap((im, i) =>
    allBoxes(im).map(({ det: d, counted, leftOut }) => [
      names[i],
      d.cls,
      modelScore(d) ?? '',
      d.box.x1,
      d.box.y1,
      d.box.x2,
      d.box.y2,
      d.origin,
      isCutByBorder(d, im.width, im.height),
      im.countRule,
      // a cell set apart (smudge / other) reads as its category, which a person chose: no model p and origin
      // manual, as for a type set by hand (it read "smudge, p 0.93, model", a probability the model never gave
      // of a class it does not have; the boxes JSON and COCO keep the model's type and p beside wbc_category)
      d.wbc?.category ?? d.wbc?.type ?? '',
      d.wbc ? (d.wbc.category ? '' : (modelTypeP(d.wbc) ?? '')) : '',
      d.wbc ? (d.wbc.category ? 'manual' : d.wbc.origin) : '',
      counted,
      leftOut,
      d.wbc ? !!d.wbc.verified : '',
      d.wbc?.category ?? '',
      d.wbc?.category ? (d.wbc.note ?? '') : '',
      ...relCells,
    ]),
  );
  return toCsv(['image', 'class', 'score', 'x1_px', 'y1_px', 'x2_px', 'y2_px', 'origin', 'cut_by_border', 'count_rule', 'wbc_type', 'wbc_p', 'wbc_type_origin', 'counted', 'left_out', 'wbc_verified', 'wbc_category', 'wbc_note', ...RELEASE_COLUMNS], rows);
}

export function boxesJson(images: readonly ExportImage[]): string {
  const names = uniqueNames(images);
  return JSON.stringify(
    images.map((im, i) => ({
      image: names[i],
      width: im.width,
      height: im.height,
      reviewed: im.reviewed,
      edited: im.edited,
      count_rule: im.countRule,
      scale: im.scale ?? null,
      flags: im.flags ?? [],
      flags_accepted: im.flagsAccepted ?? null,
      in_totals: counted(im),
      engine: im.engine ?? null,
      capture: im.capture ?? null,
      edits: im.edits ?? '',
      detections: allBoxes(im).map(({ det: d, counted, leftOut }) => ({
        class: d.cls,
        // null where a technician set the box (origin manual), as the boxes CSV leaves it blank
        score: modelScore(d),
        box: [d.box.x1, d.box.y1, d.box.x2, d.box.y2],
        origin: d.origin,
        cut_by_border: isCutByBorder(d, im.width, im.height),
        counted,
        ...(leftOut ? { left_out: leftOut } : {}),
        ...(d.wbc ? { wbc_type: d.wbc.type, wbc_p: modelTypeP(d.wbc), wbc_type_origin: d.wbc.origin, wbc_verified: !!d.wbc.verified, ...(d.wbc.category ? { wbc_category: d.wbc.category, wbc_note: d.wbc.note ?? '' } : {}) } : {}),
      })),
    })),
    null,
    1,
  );
}

/** One XML per image, named after its unique name (folders become the zip's folders); each carries the
 * report's release in a <smearcount> element (without `release`, never released) and, where given, the models
 * that made the figures (the CSVs' `models` text). */
export function vocFiles(images: readonly ExportImage[], release: ExportRelease = NOT_RELEASED, models?: string): { name: string; data: string }[] {
  const rel = releaseObject(release);
  const smearcount: [string, string][] = [
    ['report_state', rel.state],
    ['report_state_line', rel.state_line],
    ['verified_by', rel.verified_by],
    ['released_at', rel.released_at],
    ['release_revision', rel.release_revision],
    ['withdrawn_reason', rel.withdrawn_reason],
    ['replaces_release', rel.replaces_release],
    ...(models === undefined ? [] : [['models', models] as [string, string]]),
  ];
  const names = uniqueNames(images, '.xml');
  return images.map((im, i) => ({
    name: names[i],
    data: writeVoc({
      filename: im.name,
      width: im.width,
      height: im.height,
      note: `smearcount; count rule: ${im.countRule}${im.flags?.length ? `; flags: ${flagText(im)}${counted(im) ? (im.flagsAccepted ? ' (accepted by the technician: counted)' : '') : ' (left out of the totals)'}` : ''}`,
      objects: im.detections.map((d) => ({ cls: d.cls, box: d.box, truncated: isCutByBorder(d, im.width, im.height), type: d.wbc?.category ? undefined : d.wbc?.type })),
      smearcount,
    }),
  }));
}

/** COCO detection JSON; bbox is [x, y, width, height] in pixels, category ids 1..3 as the model's labels;
 * `score` the model's, null where a technician set the box (`origin` manual), as in the boxes JSON.
 * `info.release` is the report's release, with the boxes JSON report's keys (without `release`, never released). */
export function cocoJson(images: readonly ExportImage[], release: ExportRelease = NOT_RELEASED): string {
  const names = uniqueNames(images);
  let ann = 0;
  return JSON.stringify({
    info: {
      description: 'smearcount export',
      date_created: new Date().toISOString(),
      count_rule: [...new Set(images.map((i) => i.countRule))].join('+'),
      release: releaseObject(release),
    },
    categories: CLASS_NAMES.map((name, i) => ({ id: i + 1, name, supercategory: 'cell' })),
    images: images.map((im, i) => ({ id: i + 1, file_name: names[i], width: im.width, height: im.height, count_rule: im.countRule, scale: im.scale ?? null, flags: im.flags ?? [], flags_accepted: im.flagsAccepted ?? null, in_totals: counted(im) })),
    annotations: images.flatMap((im, i) =>
      im.detections.map((d) => {
        const w = d.box.x2 - d.box.x1;
        const h = d.box.y2 - d.box.y1;
        return {
          id: ++ann,
          image_id: i + 1,
          category_id: CLASS_NAMES.indexOf(d.cls) + 1,
          bbox: [d.box.x1, d.box.y1, w, h].map((v) => Math.round(v * 100) / 100),
          area: Math.round(w * h * 100) / 100,
          iscrowd: 0,
          score: modelScore(d),
          origin: d.origin,
          cut_by_border: isCutByBorder(d, im.width, im.height),
          // a cell set apart (smudge / other) says so, as in the boxes JSON: it is no cell of its type
          ...(d.wbc ? { wbc_type: d.wbc.type, wbc_p: modelTypeP(d.wbc), ...(d.wbc.category ? { wbc_category: d.wbc.category } : {}) } : {}),
        };
      }),
    ),
  });
}
