/**
 * The signed report's figures and provenance, derived from the store: the release state, the engines that
 * counted the images, the classifier's adaptation and the edits. The printed report (features/PrintReport)
 * and every export read these selectors, so a CSV or JSON says what the paper says.
 */
import { adapts, keptWhy, modelRight } from '../core/adapt/adapt';
import { CLASS_NAMES, type CellClass } from '../core/detection/classes';
import { describeScaleSetting } from '../core/detection/scaleWords';
import { plain } from '../core/formats/numbers';
import { correctedText, printedDifferential, wbcBasisWords } from '../core/differential/rules';
import { addSummaries, editWords, type EditSummary } from '../core/edits/summary';
import { isoLocal, isoLocalOf } from '../core/formats/isoLocal';
import { isolateName } from '../core/bidi';
import { engineText, type EngineUse } from '../core/formats/sample';
import type { ExportRelease } from '../core/formats/exports';
import type { SampleRecord } from './sampleSlice';
import type { AppState } from './store';
import type { ImageEntry } from './types';
import { batchEstimate, countCells, leukocyteCounts, perFieldText, summarize, type BatchSummary, type Counts } from '../core/counts/counts';
import { COUNT_RULES } from '../core/detection/postprocess';
import { debrisExcluded, doneApart, imageEdits, imageEngine, inTotals, opticsExcluded, ruleExcluded, selectClumpedFields, selectDifferentialState, selectScaleStale, shownDetections } from './selectors';

export type ReleaseKind = 'released' | 'withdrawn' | 'preliminary';

/** The release a corrected one replaces, in the report's words ('' when it replaces none): the paper a
 * clinician may still hold, by its release time and revision, and why it was withdrawn. */
export function replacesWords(sample: Pick<SampleRecord, 'verifiedAt' | 'replaces'>): string {
  const r = sample.verifiedAt ? sample.replaces : null;
  if (!r) return '';
  return `replaces the release${r.releasedAt ? ` of ${isoLocal(new Date(r.releasedAt))}` : ''}${r.revision ? ` (revision ${r.revision})` : ''}, withdrawn (${r.reason})`;
}

type ReleaseFields = Pick<SampleRecord, 'verifiedAt' | 'verifiedBy' | 'releasedRevision' | 'withdrawn' | 'replaces'>;

/** What a page of the report is: released on a revision (a correction of a withdrawn release says so), withdrawn,
 * or preliminary. */
export function releaseState(sample: ReleaseFields): { kind: ReleaseKind; line: string; page: string } {
  if (sample.verifiedAt) {
    const by = `verified by ${sample.verifiedBy || '(no name)'}`;
    const at = isoLocal(new Date(sample.verifiedAt));
    // a release after a withdrawal corrects it: said first on every page, as LIS mark a corrected result, so
    // that the two papers are told apart
    const replaces = replacesWords(sample);
    const corrected = replaces ? ` · CORRECTED: ${replaces}` : '';
    const pageNote = sample.replaces?.revision ? ` · CORRECTED, replaces revision ${sample.replaces.revision}` : replaces ? ' · CORRECTED' : '';
    return { kind: 'released', line: `Released · ${by} at ${at} · revision ${sample.releasedRevision}${corrected}`, page: `Released · revision ${sample.releasedRevision} · ${by} ${at}${pageNote}` };
  }
  if (sample.withdrawn) return { kind: 'withdrawn', line: `WITHDRAWN: not valid for clinical use. The release was withdrawn (${sample.withdrawn}).`, page: 'WITHDRAWN: not valid for clinical use' };
  return { kind: 'preliminary', line: 'PRELIMINARY: not verified, not for clinical use.', page: 'PRELIMINARY: not verified, not for clinical use' };
}

/** The release as the exports carry it (the report's words and time): an unreleased copy names no verifier. */
export function exportRelease(sample: ReleaseFields): ExportRelease {
  const kind = releaseState(sample).kind;
  const released = kind === 'released';
  return {
    state: kind,
    verifiedBy: released ? sample.verifiedBy || '(no name)' : '',
    releasedAt: released ? isoLocal(new Date(sample.verifiedAt!)) : '',
    revision: released ? sample.releasedRevision : '',
    withdrawn: kind === 'withdrawn' ? sample.withdrawn : '',
    replaces: replacesWords(sample),
  };
}

/** The sample record as the JSON export carries it: the ID trimmed, and the verifier only on a released
 * copy, as the report prints the name and the CSVs give verified_by (a name typed before release, or kept
 * after a withdrawal, read as a verification in the JSON's sample while its report said preliminary). */
export function exportSample(sample: SampleRecord): SampleRecord {
  return { ...sample, id: sample.id.trim(), verifiedBy: exportRelease(sample).verifiedBy };
}

/**
 * The magnification the counted images were detected at, for the report's Method and the JSON's settings. A
 * magnification chosen after counting applies only when the images are counted again (Count again): until
 * then the figures are the earlier setting's, and the report said the new one as if it had made them.
 * `setting`: the fixed scale that counted every image in the counts (null: estimated per image; 'mixed': some
 * each way). Images left out of the counts (flagged, not accepted) are not the figures' and are not named here.
 */
export function scaleUsed(s: Pick<AppState, 'images' | 'order' | 'fixedScale'>, locale?: string): { setting: number | null | 'mixed'; pending: boolean; words: string } {
  // over the images the counts rest on, as the figures it qualifies (RELEASE_SCHEME 7): it read "not applied to 2
  // of 3 images" where one of them was a flagged picture left out of the counts, which Count again changes nothing in
  const { counted: inCounts, leftOut } = doneApart(s);
  const staleIds = new Set(selectScaleStale(s));
  const scaled = inCounts.filter((im) => im.scale);
  const stale = scaled.filter((im) => staleIds.has(im.id)).length;
  // `locale`: the words as the printed report writes their figures ("1,25×"); the JSON's as they were
  if (!stale) return { setting: s.fixedScale, pending: false, words: describeScaleSetting(s.fixedScale, locale) };
  // each image's own setting: the zoom asked for where fixed (a fixed scale is clamped to the model's range)
  const own = scaled.map((im) => (im.scale!.fixed ? (im.scale!.requested ?? im.scale!.relative) : null));
  const kinds = [...new Set(own)];
  const estimated = own.filter((v) => v === null).length;
  const zooms = kinds.filter((v) => v !== null);
  const counted =
    kinds.length === 1
      ? describeScaleSetting(kinds[0], locale)
      : `estimated per image on ${estimated} image${estimated === 1 ? '' : 's'}, set by hand${zooms.length === 1 ? ` (counted at ${plain(Number(zooms[0].toFixed(2)), locale)}× zoom)` : ''} on ${own.length - estimated}`;
  return {
    setting: kinds.length === 1 ? kinds[0] : 'mixed',
    pending: true,
    words: `${counted}; the setting is now “${describeScaleSetting(s.fixedScale, locale)}”, not applied to ${stale} of ${scaled.length} image${scaled.length === 1 ? '' : 's'}${leftOut.length ? ' in the counts' : ''} until ${scaled.length === 1 ? 'it is' : 'they are'} counted again`,
  };
}

/** Appendix B's words on the magnification's second pass (Method): over the images the counts rest on, as the
 * figures it qualifies; it read "second pass on 2 of 3 images" where one of the two was a flagged picture left out of
 * the counts, beside page 1's "On 2 fields". */
export function secondPassWords(s: Pick<AppState, 'images' | 'order'>): string {
  const { counted, leftOut } = doneApart(s);
  const two = counted.filter((im) => im.scale?.passes === 2).length;
  return `second pass on ${two} of ${counted.length} image${counted.length === 1 ? '' : 's'}${leftOut.length ? ' in the counts' : ''}`;
}

/** A model recorded on images, with how many images it made figures on. */
export interface OtherModel {
  name: string;
  sha256: string;
  images: number;
}

/** The models other than the one loaded now that made figures on the counted images (a batch restored after
 * an update to another model), read by `used` from each image, with how many images each. Images counted
 * before models were recorded are claimed for none. */
function otherModels(s: Pick<AppState, 'images' | 'order'>, loaded: { sha256: string }, used: (im: ImageEntry) => readonly { name: string; sha256: string }[]): OtherModel[] {
  const by = new Map<string, OtherModel>();
  for (const id of s.order) {
    if (s.images[id].status !== 'done') continue;
    for (const d of used(s.images[id])) {
      if (d.sha256 === loaded.sha256) continue;
      const e = by.get(d.sha256) ?? { name: d.name, sha256: d.sha256, images: 0 };
      e.images++;
      by.set(d.sha256, e);
    }
  }
  return [...by.values()];
}

/** The detector models, other than the one loaded, that counted images of the batch. */
export const otherDetectors = (s: Pick<AppState, 'images' | 'order'>, loaded: { sha256: string }) => otherModels(s, loaded, (im) => (im.detector ? [im.detector] : []));

/** The WBC classifier models, other than the one loaded, whose types images of the batch hold. */
export const otherClassifiers = (s: Pick<AppState, 'images' | 'order'>, loaded: { sha256: string }) => otherModels(s, loaded, (im) => im.classifiers ?? []);

const modelsWords = (others: readonly OtherModel[], what: (one: boolean) => string) => {
  const n = others.reduce((k, d) => k + d.images, 0);
  if (!n) return '';
  return `${n === 1 ? '1 of the images' : `${n} of the images`} ${what(n === 1)}: ${others.map((d) => `${d.name} (sha256 ${d.sha256.slice(0, 16)}…${others.length > 1 ? `, ${d.images} image${d.images === 1 ? '' : 's'}` : ''})`).join(', ')}`;
};

/** The Method's words for them ('' when every image was counted, or typed, by the models loaded). */
export const detectorWords = (others: readonly OtherModel[]) => modelsWords(others, (one) => `${one ? 'was' : 'were'} counted by another detector model`);
export const classifierWords = (others: readonly OtherModel[]) => modelsWords(others, (one) => `${one ? 'holds' : 'hold'} WBC types from another classifier model`);

let enginesCache: { images: AppState['images']; order: string[]; out: EngineUse[] } | undefined;

/** The engines that counted the batch's images, in the order first met, with how many each counted. */
export function selectEngines(s: Pick<AppState, 'images' | 'order'>): EngineUse[] {
  const c = enginesCache;
  if (c && c.images === s.images && c.order === s.order) return c.out;
  const by = new Map<string, EngineUse>();
  for (const id of s.order) {
    const im = s.images[id];
    if (im.status !== 'done') continue;
    const key = imageEngine(im) || 'not recorded';
    const e = by.get(key) ?? { backend: im.engine?.backend ?? 'not recorded', threads: im.engine?.threads ?? null, images: 0 };
    e.images++;
    by.set(key, e);
  }
  const out = [...by.values()];
  enginesCache = { images: s.images, order: s.order, out };
  return out;
}

/** "wasm × 1 thread", or the engines with their images when several counted the batch. */
export function enginesWords(engines: readonly EngineUse[]): string {
  return engines.length ? engineText(engines).replace(/ x(\d+)/g, (_, n: string) => ` × ${n} thread${n === '1' ? '' : 's'}`) : '–';
}

let editsCache: { images: AppState['images']; order: string[]; out: EditSummary } | undefined;

/** The edits over every counted (done) image of the batch. Memoised: the report selects it. */
export function selectEditSummary(s: Pick<AppState, 'images' | 'order'>): EditSummary {
  const c = editsCache;
  if (c && c.images === s.images && c.order === s.order) return c.out;
  const out = addSummaries(s.order.filter((id) => s.images[id].status === 'done').map((id) => imageEdits(s.images[id])));
  editsCache = { images: s.images, order: s.order, out };
  return out;
}

let editsApartCache: { images: AppState['images']; order: string[]; out: { inCounts: EditSummary; leftOut: EditSummary; leftOutImages: number } } | undefined;

/** The edits over the images the counts rest on (in the totals), and over the flagged images left out of them,
 * apart: page 1's "Changed by hand" and the JSON's edits_in_counts say the first (page 1 read "Changed by hand: 1
 * box added" for a box drawn on a grid picture that no figure counts). Memoised: the report selects it. */
export function selectEditsApart(s: Pick<AppState, 'images' | 'order'>): { inCounts: EditSummary; leftOut: EditSummary; leftOutImages: number } {
  const c = editsApartCache;
  if (c && c.images === s.images && c.order === s.order) return c.out;
  const { counted, leftOut } = doneApart(s);
  const out = { inCounts: addSummaries(counted.map(imageEdits)), leftOut: addSummaries(leftOut.map(imageEdits)), leftOutImages: leftOut.length };
  editsApartCache = { images: s.images, order: s.order, out };
  return out;
}

/** Page 1's sentence on the edits (the sign-off's first line): those on the images in the counts, and those on the
 * flagged images left out said apart, as not in the figures. */
export function handEditsWords(e: { inCounts: EditSummary; leftOut: EditSummary; leftOutImages: number }): string {
  const counted = editWords(e.inCounts);
  const where = e.leftOutImages ? ' on the images in the counts' : '';
  const main = counted ? `Changed by hand${where} (net of undo; each step is in the audit trail): ${counted}.` : `No box or WBC type was changed by hand${where}.`;
  const apart = editWords(e.leftOut);
  return apart ? `${main} On the flagged image${e.leftOutImages === 1 ? '' : 's'} left out, in no figure: ${apart}.` : main;
}

/** Whether the microscope profile adapted the WBC types the batch shows, and from how many verified cells. */
export function selectAdaptation(s: Pick<AppState, 'adaptation' | 'images' | 'order'>): { cells: number; used: boolean; adapts: boolean; right: { right: number; of: number } | null } {
  const on = adapts(s.adaptation.head);
  const used = on && s.order.some((id) => s.images[id].status === 'done' && !!s.images[id].adapted);
  return { cells: s.adaptation.cells, used, adapts: on, right: modelRight(s.adaptation.head) };
}

/** The Method's line on adaptation (null: the profile holds no verified cell). */
export function adaptationWords(a: { cells: number; used: boolean; adapts: boolean; right?: { right: number; of: number } | null }, profileName?: string): string | null {
  if (!a.cells) return null;
  const cells = `${a.cells} verified cell${a.cells === 1 ? '' : 's'}`;
  const name = profileName?.trim() ? `“${profileName.trim()}”` : '';
  if (a.used) return `WBC classifier adapted to this microscope from ${cells}${name ? ` (microscope profile ${name})` : ''}`;
  const profile = `the microscope profile${name ? ` ${name}` : ''}`;
  // the same words as the profile panel: either the model needs no adapting, or these cells were typed before it
  return a.adapts
    ? `WBC types from the classifier alone: ${profile} adapted from ${cells} after these fields were typed`
    : `WBC types from the classifier alone: it ${keptWhy(a.right ?? null, a.cells, ` of ${profile}`)}, so it was not adapted`;
}

/** The report's cell counts (the CBC table, the ratios, Appendix A's rows and totals, the JSON's counts): WBC
 * without the boxes typed NRBC, which `nrbc` counts apart, over the images in the totals. */
export interface CbcSummary {
  summary: BatchSummary;
  nrbc: { counted: number; meanPerField: number };
}

let cbcCache: { images: AppState['images']; order: string[]; params: AppState['postprocess']; out: CbcSummary } | undefined;

/** Memoised: the report selects it. */
export function selectCbc(s: Pick<AppState, 'images' | 'order' | 'postprocess'>): CbcSummary {
  const c = cbcCache;
  if (c && c.images === s.images && c.order === s.order && c.params === s.postprocess) return c.out;
  const per = s.order.map((id) => s.images[id]).filter((im) => im.status === 'done' && inTotals(im)).map((im) => leukocyteCounts(shownDetections(im, s.postprocess)));
  const counted = per.reduce((n, p) => n + p.nrbc, 0);
  const out = { summary: summarize(per.map((p) => p.counts)), nrbc: { counted, meanPerField: per.length ? counted / per.length : 0 } };
  cbcCache = { images: s.images, order: s.order, params: s.postprocess, out };
  return out;
}

/** The report's words on the WBC row, where NRBC-typed boxes were left out of it ('' where none was). */
export const nrbcLeftOutWords = (n: number) => (n ? `WBC leaves out the ${n} box${n === 1 ? '' : 'es'} typed NRBC (nucleated red cells, not leukocytes), as an analyser's WBC count corrected for NRBC does` : '');

/** The Method's line on adaptation as the report and the JSON print it, with the profile's name as the store
 * holds it (the panel's): the one text a release's revision covers (store/release). */
export function selectAdaptationLine(s: Pick<AppState, 'adaptation' | 'images' | 'order'>): string | null {
  return adaptationWords(selectAdaptation(s), s.adaptation.name);
}

/** Images of the batch that are in none of the figures: those that failed (with why) and those still being
 * counted. The report and its JSON say so, and a release waits for the counting to end. */
export interface NotCounted {
  failed: { name: string; error: string }[];
  counting: number;
}

export function selectNotCounted(s: Pick<AppState, 'order' | 'images' | 'refused'>): NotCounted {
  const ims = s.order.map((id) => s.images[id]);
  return {
    // the files refused at the drop first (they never became images), then those that failed later; a file from a
    // folder by its place there (day1/field.jpg), as the intake names it
    failed: [...s.refused.map((r) => ({ name: r.name, error: r.error })), ...ims.filter((im) => im.status === 'error').map((im) => ({ name: im.path ?? im.name, error: im.error ?? 'not counted' }))],
    counting: ims.filter((im) => im.status === 'queued' || im.status === 'running').length,
  };
}

/** The counts CSV's rows for them: the failed files with why, then each image still being counted by name,
 * so a CSV exported mid-batch does not leave those images out without a word. */
export function notCountedRows(s: Pick<AppState, 'order' | 'images' | 'refused'>): { name: string; error: string }[] {
  const counting = s.order.map((id) => s.images[id]).filter((im) => im.status === 'queued' || im.status === 'running');
  return [...selectNotCounted(s).failed, ...counting.map((im) => ({ name: im.name, error: 'still being counted' }))];
}

/** What happened to a file, without the advice that follows it in the notice ("Drop JPEG, PNG…", "Export the
 * photo again…"): the first sentence of the message. The signed report states the reason; the notice said what
 * to do, and the CSV keeps the whole message. */
export function notCountedReason(message: string): string {
  const first = /^(.*?[^.\s])\.\s+(?=[A-Z"“(])/.exec(message);
  return (first ? first[1] : message).replace(/\.$/, '');
}

/** The report's sentence for them ('' when every image is counted). Files, not images: a PDF or a text file
 * dropped by mistake is named too. */
export function notCountedWords(n: NotCounted): string {
  const parts = [
    n.failed.length ? `${n.failed.length === 1 ? '1 file' : `${n.failed.length} files`} could not be counted (${n.failed.map((f) => `${isolateName(f.name)}: ${notCountedReason(f.error)}`).join('; ')})` : '',
    n.counting ? `${n.counting === 1 ? '1 image is' : `${n.counting} images are`} still being counted` : '',
  ].filter(Boolean);
  return parts.length ? `Not in these figures: ${parts.join('; ')}.` : '';
}

/**
 * Boxes the detector found on the counted fields (images in the totals) that no figure counts, by why: cut by the
 * border under the count rule, a speck on the camera or lens (the batch's optics rule), a grey speck where the
 * cells are stained (the debris rule). The canvas drew them faint and the boxes CSV listed them, but the signed
 * report said nothing of them: a platelet count of 12 read the same whether 0 or 30 candidates were set aside.
 */
export interface LeftOutBoxes {
  countRule: Counts;
  optics: Counts;
  debris: Counts;
}

let leftOutCache: { images: AppState['images']; order: string[]; params: AppState['postprocess']; out: LeftOutBoxes } | undefined;

export function selectLeftOutBoxes(s: Pick<AppState, 'images' | 'order' | 'postprocess'>): LeftOutBoxes {
  const c = leftOutCache;
  if (c && c.images === s.images && c.order === s.order && c.params === s.postprocess) return c.out;
  const ims = s.order.map((id) => s.images[id]).filter((im) => im.status === 'done' && inTotals(im));
  const of = (f: (im: ImageEntry) => readonly { cls: CellClass }[]) => countCells(ims.flatMap(f));
  const out = { countRule: of((im) => ruleExcluded(im, s.postprocess)), optics: of((im) => opticsExcluded(im, s.postprocess)), debris: of((im) => debrisExcluded(im, s.postprocess)) };
  leftOutCache = { images: s.images, order: s.order, params: s.postprocess, out };
  return out;
}

const total = (c: Counts) => c.RBC + c.WBC + c.Platelets;
/** "5 (4 RBC, 1 WBC)": by the class the detector gave them. */
const byClass = (c: Counts) => {
  const n = total(c);
  const parts = CLASS_NAMES.filter((k) => c[k]).map((k) => `${c[k]} ${k === 'Platelets' ? (c[k] === 1 ? 'platelet' : 'platelets') : k}`);
  return parts.length > 1 ? `${n} (${parts.join(', ')})` : parts[0];
};

/** The report's sentence on them ('' when every box found on the counted fields is counted). */
export function leftOutWords(b: LeftOutBoxes, rule: keyof typeof COUNT_RULES): string {
  const parts = [
    total(b.countRule) ? `${byClass(b.countRule)} cut by the image border, left out by the count rule (${COUNT_RULES[rule]})` : '',
    total(b.optics) ? `${byClass(b.optics)} taken for ${total(b.optics) === 1 ? 'a speck' : 'specks'} on the camera or lens (at the same place in several fields)` : '',
    total(b.debris) ? `${byClass(b.debris)} taken for ${total(b.debris) === 1 ? 'an unstained speck' : 'unstained specks'} (grey where the field's cells are stained)` : '',
  ].filter(Boolean);
  return parts.length ? `Found by the detector on the counted fields but not counted as cells: ${parts.join('; ')}.` : '';
}

/** The differential exactly as the report prints it (its table, and the WBC count its absolute counts rest on). */
export function selectPrinted(s: AppState, lowConfidence?: number) {
  return printedDifferential(selectDifferentialState(s, lowConfidence), s.sample.wbcCount, s.reference, s.sample.shortReason, s.sample.wbcNrbcCorrected === true);
}

/** The images marked reviewed, of those the counts rest on (in the totals) and of those left out of them: the report's
 * page 1, its Appendix B, the JSON and the check before a release count them so (a flagged picture left out and
 * marked reviewed read as one of the fields checked). */
export function reviewedImages(s: Pick<AppState, 'images' | 'order'>): { reviewed_in_counts: number; reviewed_left_out: number } {
  const { counted, leftOut } = doneApart(s);
  return { reviewed_in_counts: counted.filter((im) => im.reviewed).length, reviewed_left_out: leftOut.filter((im) => im.reviewed).length };
}

/** What the JSON export says of its numbers (reportJson's `number_format`). */
export const NUMBER_FORMAT =
  'Numbers are JSON numbers; the *_printed texts have a decimal point, Latin digits and English grouping ("15,000") whatever the browser\'s locale. The screen and the printed report write them as the browser\'s locale does ("15.000" and "65,2" in de-DE).';

/** The report as data, for the JSON export: the release, the counts and the differential exactly as
 * printed (the same selectors and the same printing function as the report), the edits and provenance. */
export function reportJson(s: AppState, opts: { lowConfidence: number | null }) {
  // WBC without the NRBC-typed boxes, as the report's table (counts.NRBC has them)
  const { summary, nrbc } = selectCbc(s);
  const clumped = selectClumpedFields(s);
  const done = s.order.filter((id) => s.images[id].status === 'done');
  const release = exportRelease(s.sample);
  const edits = selectEditSummary(s);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const scale = scaleUsed(s);
  const counts = Object.fromEntries(
    CLASS_NAMES.map((k) => {
      const f = k === 'RBC' ? null : s.estimateFactors[k];
      const e = f ? batchEstimate(summary, k, f, clumped) : null;
      return [k, {
        counted: summary.totals[k], mean_per_field: r3(summary.meanPerImage[k]), mean_per_field_printed: perFieldText(summary.meanPerImage[k]),
        estimate_per_uL: e ? Math.round(e.perUL) : null, estimate_printed: e?.printed ?? null,
        // the 95% sampling interval (exact Poisson, widened by the fields' dispersion) and the fields short of ±20%
        estimate_interval_per_uL: e?.interval ? [Math.round(e.interval.low * 1000), Math.round(e.interval.high * 1000)] : null,
        estimate_more_fields_for_20pct: e?.moreFields ?? null,
        estimate_caution: e?.caution ?? null,
        field_dispersion: r3(summary.dispersion[k]),
        // fields where platelets lie in a clump: the platelet count is a minimum (core/quality/clumps)
        ...(k === 'Platelets' ? { clumped_fields: clumped } : {}),
        // the boxes typed NRBC are not in it (counts.NRBC): the counts CSV's wbc_less_nrbc, not its wbc
        ...(k === 'WBC' ? { excludes_nrbc: true, nrbc_left_out: nrbc.counted } : {}),
      }];
    }),
  );
  // nucleated red cells: WBC-class boxes typed NRBC, left out of WBC (per 100 WBC and ×10⁹/L: the differential's erythroblast row)
  const nrbcCounts = { counted: nrbc.counted, mean_per_field: r3(nrbc.meanPerField), mean_per_field_printed: perFieldText(nrbc.meanPerField), words: nrbcLeftOutWords(nrbc.counted) };
  let differential = null;
  if (opts.lowConfidence !== null) {
    const st = selectDifferentialState(s, opts.lowConfidence);
    const p = selectPrinted(s, opts.lowConfidence);
    const w = p.wbc;
    differential = {
      printed: p.shown,
      based_on: st.basedOn,
      target: st.target,
      reached: st.reached,
      short_reason: s.sample.shortReason,
      flags_printed: p.flags,
      rows: p.rows.map((r) => ({
        type: r.type,
        n: p.shown ? r.n : null,
        percent: p.shown ? r.percent : null,
        percent_printed: r.percentText,
        absolute_10e9_per_L: p.shown ? r.absolute : null,
        absolute_printed: r.absoluteText,
        flag: r.flagText,
        // why a row has no flag: "no interval set", or "too few cells to call H/L" (the flag withheld is flag_withheld)
        flag_note: r.note,
        flag_withheld: r.withheldText,
        reference_percent: r.percentInterval ?? null,
        reference_absolute: r.absoluteInterval ?? null,
      })),
      // the WBC count the absolute counts rest on: the analyser's, corrected for the NRBC the released differential
      // counted (correction 'applied'), or as entered ('none': no NRBC counted; 'analyser': it corrected the count)
      wbc_count: w
        ? {
            analyser_10e9_per_L: w.analyser,
            analyser_corrected_for_nrbc: w.correction === 'analyser',
            nrbc_per_100_wbc: p.shown ? w.nrbcPer100 : null,
            corrected_10e9_per_L: p.shown && w.correction === 'applied' ? w.used : null,
            corrected_printed: p.shown && w.correction === 'applied' ? correctedText(w) : '',
            correction: p.shown ? w.correction : null,
            absolute_from_10e9_per_L: p.shown ? w.used : null,
            words: p.shown ? wbcBasisWords(w) : '',
          }
        : null,
      kept_apart: { unverified: st.unverified, unsure: st.unsure, beyond_target: st.over, smudge: st.smudge, other: st.other, untyped: st.untyped },
      reference_source: s.reference.source,
    };
  }
  return {
    state: release.state,
    state_line: releaseState(s.sample).line,
    verified_by: release.verifiedBy,
    released_at: release.releasedAt,
    release_revision: release.revision,
    withdrawn_reason: release.withdrawn,
    replaces_release: release.replaces,
    // as the report prints them, with the offset: the sample record keeps the zoneless datetime-local text
    // typed ("2026-12-04T08:15"), which a LIS in another zone, or a reader after a clock change, read wrong
    collected_at: s.sample.collectedAt ? isoLocalOf(s.sample.collectedAt) : '',
    received_at: s.sample.receivedAt ? isoLocalOf(s.sample.receivedAt) : '',
    // `reviewed`: every image counted by the detector and marked reviewed, the flagged ones left out of the totals
    // too (kept as it was for a reader of it); `reviewed_in_counts`: of the `counted` images, the ones the figures
    // rest on (the report's "Boxes reviewed on n of m images in the counts"); `reviewed_left_out`: of the `left_out`
    images: { counted: summary.images, done: done.length, left_out: done.length - summary.images, reviewed: done.filter((id) => s.images[id].reviewed).length, ...reviewedImages(s) },
    // the screen and the printed report write figures as the browser's country does ("15.000", "65,2"); the file
    // is the same in every country, so a LIS or a script reads it one way
    number_format: NUMBER_FORMAT,
    counts: Object.assign(counts, { NRBC: nrbcCounts }),
    ratios: { wbc_per_rbc: summary.wbcPerRbc, platelets_per_rbc: summary.plateletsPerRbc },
    analyser_wbc_10e9_per_L: s.sample.wbcCount,
    differential,
    // `edits`: every image counted by the detector, the flagged ones left out too (kept as it was for a reader of it);
    // `edits_in_counts`: the images the figures rest on (page 1's "Changed by hand"); `edits_left_out`: the others
    edits: { ...edits, words: editWords(edits) },
    ...((e) => ({ edits_in_counts: { ...e.inCounts, words: editWords(e.inCounts) }, edits_left_out: { ...e.leftOut, words: editWords(e.leftOut) } }))(selectEditsApart(s)),
    // the settings that made the figures, as Appendix B prints them (a threshold changes every count)
    // the magnification that counted the images; one chosen since and not applied yet, apart
    settings: {
      score_thresholds: { ...s.postprocess.scoreThresholds }, nms_iou: s.postprocess.nmsIou, cross_class_nms: s.postprocess.crossClassNms, count_rule: s.postprocess.countRule,
      fixed_scale: scale.setting, ...(scale.pending ? { fixed_scale_not_applied: s.fixedScale } : {}), magnification: scale.words,
    },
    engines: selectEngines(s),
    adaptation: selectAdaptationLine(s),
    left_out_images: done.filter((id) => !inTotals(s.images[id])).map((id) => s.images[id].name),
    // boxes on the counted fields that no figure counts, by why (the report's sentence beside)
    left_out_boxes: { ...((b) => ({ count_rule: b.countRule, optics: b.optics, debris: b.debris }))(selectLeftOutBoxes(s)), words: leftOutWords(selectLeftOutBoxes(s), s.postprocess.countRule) },
    not_counted: selectNotCounted(s),
  };
}
