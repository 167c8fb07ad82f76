/** Derived values: computed from the store, never stored. Memoised on the identity of their inputs,
 * which zustand's immutable updates keep stable until something relevant changes. */
import type { PostprocessParams } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import { countedByRule, postprocess } from '../core/detection/postprocess';
import { applyEdits, applyTypes, isEdited, NO_EDITS } from '../core/edits/edits';
import { applyReview } from '../core/edits/gallery';
import { minWbcSide } from '../core/differential/crop';
import { beyondTarget, differentialState, type DifferentialState } from '../core/differential/rules';
import { belowThreshold, uncertaintyOrder } from '../core/edits/review';
import { differential, typeUnsure, WBC_TYPES, type Differential, type WbcType } from '../core/differential/differential';
import { countCells, summarize, type BatchSummary, type Counts } from '../core/counts/counts';
import { plateletClumps } from '../core/quality/clumps';
import { evaluateDetections } from '../core/metrics/ap';
import type { ExportImage } from '../core/formats/exports';
import { isoLocal } from '../core/formats/isoLocal';
import { editWords, summarizeEdits, type EditSummary } from '../core/edits/summary';
import type { AppState } from './store';
import type { ImageEntry } from './types';
import { allFlags, excludes, type FlagCode } from '../core/quality/flags';

const filteredCache = new WeakMap<Detection[], { params: PostprocessParams; out: Detection[] }>();

export function filtered(raw: Detection[], params: PostprocessParams): Detection[] {
  const hit = filteredCache.get(raw);
  if (hit && hit.params === params) return hit.out;
  const out = postprocess(raw, params);
  filteredCache.set(raw, { params, out });
  return out;
}

const shownCache = new WeakMap<ImageEntry, { params: PostprocessParams; out: Detection[]; excluded: Detection[]; reviewed: Detection[]; optics: Detection[]; debris: Detection[] }>();

function shownAndExcluded(im: ImageEntry, params: PostprocessParams) {
  const hit = shownCache.get(im);
  if (hit && hit.params === params) return hit;
  const base = filtered(im.raw!, params);
  // boxes under the threshold a reviewer kept count like the others, whatever the threshold
  const kept = im.edits.kept?.length ? im.raw!.filter((d) => im.edits.kept!.includes(d.id) && !base.includes(d)) : [];
  const all = applyEdits(kept.length ? [...base, ...kept] : base, im.edits);
  // specks on the optics (a batch rule, written by the optics service) are no cells, unless a person
  // edited the box (it is then manual: their call)
  const dust = im.optics?.length ? new Set(im.optics) : null;
  const optics = dust ? all.filter((d) => d.origin === 'model' && dust.has(d.id)) : [];
  // and so are grey platelet candidates in a stained field (core/quality/debris, written by the quality check)
  const grey = im.quality?.debris?.length ? new Set(im.quality.debris) : null;
  const debris = grey ? all.filter((d) => d.origin === 'model' && grey.has(d.id) && !dust?.has(d.id)) : [];
  const edited = optics.length || debris.length ? all.filter((d) => !optics.includes(d) && !debris.includes(d)) : all;
  const rule = params.countRule ?? 'all';
  const counted = countedByRule(edited, rule, im.width ?? 0, im.height ?? 0);
  // adapted probabilities (this microscope's profile) where the profile service has written them
  const probs = im.adapted ? { ...im.wbc, ...im.adapted } : im.wbc;
  // types and review map cell by cell, so the counted cells are the reviewed ones the rule keeps
  const mono = im.quality?.flags.includes('monochrome');
  const reviewed = applyReview(applyTypes(edited, im.edits.typed, probs, WBC_TYPES, { grey: mono }), im.edits);
  const out = reviewed.filter((_, i) => counted[i]);
  const excluded = edited.filter((_, i) => !counted[i]);
  const entry = { params, out, excluded, reviewed, optics, debris };
  shownCache.set(im, entry);
  return entry;
}

/** What the canvas shows and the counts count: post-processed model output plus manual edits. */
export function shownDetections(im: ImageEntry | undefined, params: PostprocessParams): Detection[] {
  return im?.raw ? shownAndExcluded(im, params).out : [];
}

/** Cells the count rule leaves out (cut by the border): drawn dimmed, counted nowhere. */
export function ruleExcluded(im: ImageEntry | undefined, params: PostprocessParams): Detection[] {
  return im?.raw ? shownAndExcluded(im, params).excluded : [];
}

/** The cells the count rule leaves out, with their types and review (the exports list them, not counted). */
function ruleExcludedReviewed(im: ImageEntry, params: PostprocessParams): Detection[] {
  if (!im.raw) return [];
  const { excluded, reviewed } = shownAndExcluded(im, params);
  const ids = new Set(excluded.map((d) => d.id));
  return reviewed.filter((d) => ids.has(d.id));
}

/** Model boxes left out as specks on the camera or lens (the batch's optics rule): drawn faint, counted nowhere. */
export function opticsExcluded(im: ImageEntry | undefined, params: PostprocessParams): Detection[] {
  return im?.raw ? shownAndExcluded(im, params).optics : [];
}

/** Model platelet boxes left out as grey where the field's cells are stained (core/quality/debris): drawn faint, counted nowhere. */
export function debrisExcluded(im: ImageEntry | undefined, params: PostprocessParams): Detection[] {
  return im?.raw ? shownAndExcluded(im, params).debris : [];
}

/** Every kept cell with its type and review, whatever the count rule: a verified cell cut by the border
 * is still a cell the technician identified (what the microscope profile learns from). */
export function reviewedDetections(im: ImageEntry | undefined, params: PostprocessParams): Detection[] {
  return im?.raw ? shownAndExcluded(im, params).reviewed : [];
}

export const selectCurrent = (s: AppState): ImageEntry | undefined => (s.currentId ? s.images[s.currentId] : undefined);

export function imageCounts(im: ImageEntry, params: PostprocessParams): Counts {
  return countCells(shownDetections(im, params));
}

/** Every flag of an image, wbc-type-unsure included (it depends on the shown types). */
export function imageFlags(im: ImageEntry, params: PostprocessParams, lowConfidence?: number): FlagCode[] {
  return im.status === 'done' ? allFlags(im.quality?.flags, shownDetections(im, params), lowConfidence) : [];
}

/** A not-smear or out-of-focus image stays out of the batch totals and differential until accepted. */
export function inTotals(im: ImageEntry): boolean {
  return !excludes(im.quality?.flags ?? []) || im.flagsAccepted === true;
}

/** The done images in batch order, split into those the counts rest on (inTotals) and the flagged ones left out. */
export function doneApart(s: Pick<AppState, 'images' | 'order'>): { counted: ImageEntry[]; leftOut: ImageEntry[] } {
  const counted: ImageEntry[] = [];
  const leftOut: ImageEntry[] = [];
  for (const id of s.order) {
    const im = s.images[id];
    if (im.status === 'done') (inTotals(im) ? counted : leftOut).push(im);
  }
  return { counted, leftOut };
}

/** Done images the batch leaves out (flagged, not accepted). */
export const selectExcluded = (s: AppState): number => s.order.filter((id) => s.images[id].status === 'done' && !inTotals(s.images[id])).length;

let summaryCache: { images: AppState['images']; order: string[]; params: PostprocessParams; out: BatchSummary } | undefined;

export function selectSummary(s: AppState): BatchSummary {
  const c = summaryCache;
  if (c && c.images === s.images && c.order === s.order && c.params === s.postprocess) return c.out;
  const done = s.order.map((id) => s.images[id]).filter((im) => im.status === 'done' && inTotals(im));
  const out = summarize(done.map((im) => imageCounts(im, s.postprocess)));
  summaryCache = { images: s.images, order: s.order, params: s.postprocess, out };
  return out;
}

let clumpCache: { images: AppState['images']; order: string[]; params: PostprocessParams; out: number } | undefined;

/** Fields in the totals where platelets lie in a clump (core/quality/clumps): their platelet count, and the
 * batch's, is a minimum. */
export function selectClumpedFields(s: AppState): number {
  const c = clumpCache;
  if (c && c.images === s.images && c.order === s.order && c.params === s.postprocess) return c.out;
  const out = s.order.map((id) => s.images[id]).filter((im) => im.status === 'done' && inTotals(im) && plateletClumps(shownDetections(im, s.postprocess)).length).length;
  clumpCache = { images: s.images, order: s.order, params: s.postprocess, out };
  return out;
}

export interface Progress {
  total: number;
  done: number;
  failed: number;
  pending: number;
  etaMs: number | null;
}

export function selectProgress(s: AppState, now = performance.now()): Progress {
  let done = 0;
  let failed = 0;
  let pending = 0;
  for (const id of s.order) {
    const st = s.images[id].status;
    if (st === 'done') done++;
    else if (st === 'error') failed++;
    else pending++;
  }
  let etaMs: number | null = null;
  if (s.run && pending > 0) {
    const finished = done + failed - s.run.doneAtStart;
    if (finished > 0) etaMs = ((now - s.run.startedAt) / finished) * pending;
  }
  return { total: s.order.length, done, failed, pending, etaMs };
}

export type AppStatus = 'loading' | 'busy' | 'ready' | 'error';

/** No file being taken in and no image waiting or being counted: the batch has settled. */
export function batchSettled(s: Pick<AppState, 'intake' | 'order' | 'images'>): boolean {
  if (s.intake > 0) return false;
  for (const id of s.order) {
    const st = s.images[id].status;
    if (st === 'queued' || st === 'running') return false;
  }
  return true;
}

/** The change from `p` to `s` counted the batch's last image (or took in its last file). */
export const batchJustSettled = (s: Pick<AppState, 'intake' | 'order' | 'images'>, p: Pick<AppState, 'intake' | 'order' | 'images'>) => batchSettled(s) && !batchSettled(p);

export function selectAppStatus(s: AppState): AppStatus {
  if (s.model.status === 'error') return 'error';
  if (s.model.status !== 'ready') return 'loading';
  if (!batchSettled(s)) return 'busy';
  // "Ready" promises that a reload restores what is shown: not before the write has committed.
  if (s.save.pending && !s.save.error) return 'busy';
  return 'ready';
}

/** The type each WBC of an image showed before anyone typed it: the classifier's, or the microscope
 * profile's where it adapted the image. */
export function modelTypes(im: Pick<ImageEntry, 'wbc' | 'adapted'>): (id: string) => WbcType | undefined {
  const probs = im.adapted ? { ...im.wbc, ...im.adapted } : im.wbc;
  return (id) => {
    const p = probs?.[id];
    return p ? WBC_TYPES[p.reduce((b, v, i) => (v > p[b] ? i : b), 0)] : undefined;
  };
}

/** Edited, against the types the technician was shown (adapted where the profile wrote them). */
export function wasEdited(im: ImageEntry): boolean {
  return isEdited(im.edits, modelTypes(im));
}

/** AP@0.5 against dropped ground truth, with the same src/core metrics as the eval CLI. */
export function groundTruthAp(
  s: Pick<AppState, 'images' | 'order' | 'currentId' | 'postprocess'>,
): { image: number | null; batch: number | null; images: number } {
  const withGt = s.order.map((id) => s.images[id]).filter((im) => im.status === 'done' && im.gt);
  if (!withGt.length) return { image: null, batch: null, images: 0 };
  const evalOf = (ims: typeof withGt) => {
    const m = evaluateDetections(ims.map((im) => ({ gt: im.gt!, dets: shownDetections(im, s.postprocess) })));
    return Number.isNaN(m.map50) ? null : m.map50;
  };
  const cur = s.currentId ? s.images[s.currentId] : undefined;
  return { image: cur?.gt && cur.status === 'done' ? evalOf([cur]) : null, batch: evalOf(withGt), images: withGt.length };
}

/** "wasm x1": the engine recorded on the image when it was counted ('' before images kept it). */
export const imageEngine = (im: Pick<ImageEntry, 'engine'>): string => (im.engine ? `${im.engine.backend} x${im.engine.threads}` : '');

const editsCache = new WeakMap<ImageEntry, EditSummary>();

/** What a person changed on one image, net of undo (core/edits/summary). */
export function imageEdits(im: ImageEntry): EditSummary {
  let out = editsCache.get(im);
  if (!out) {
    out = summarizeEdits(im.edits, im.raw ?? [], modelTypes(im));
    editsCache.set(im, out);
  }
  return out;
}

/** The done images as the exporters take them: shown detections (edits and count rule applied), the boxes
 * counted nowhere with why, and each image's engine, capture and edits. */
export function selectExportImages(s: AppState, lowConfidence?: number): ExportImage[] {
  return s.order
    .map((id) => s.images[id])
    .filter((im) => im.status === 'done')
    .map((im) => ({
      id: im.id,
      name: im.name,
      path: im.path,
      width: im.width!,
      height: im.height!,
      detections: shownDetections(im, s.postprocess),
      reviewed: im.reviewed,
      edited: wasEdited(im),
      countRule: s.postprocess.countRule,
      scale: im.scale,
      flags: imageFlags(im, s.postprocess, lowConfidence),
      inTotals: inTotals(im),
      ...(excludes(im.quality?.flags ?? []) ? { flagsAccepted: im.flagsAccepted === true } : {}),
      leftOut: [
        // the rule's cells with their types and review (a verified WBC cut by the border keeps its type)
        ...ruleExcludedReviewed(im, s.postprocess).map((det) => ({ det, reason: 'count-rule' as const })),
        ...opticsExcluded(im, s.postprocess).map((det) => ({ det, reason: 'optics' as const })),
        ...debrisExcluded(im, s.postprocess).map((det) => ({ det, reason: 'debris' as const })),
      ],
      engine: imageEngine(im) || undefined,
      ...(im.capture ? { capture: { source: im.capture.source, at: isoLocal(new Date(im.capture.at)) } } : {}),
      edits: editWords(imageEdits(im)),
    }));
}

/** The typed WBCs shown on one image. */
export function imageTypes(im: ImageEntry, params: PostprocessParams): WbcType[] {
  return shownDetections(im, params).flatMap((d) => (d.cls === 'WBC' && d.wbc && !d.wbc.category ? [d.wbc.type] : []));
}

export function imageDifferential(im: ImageEntry, params: PostprocessParams): Differential {
  return differential(imageTypes(im, params));
}

let diffCache: { images: AppState['images']; order: string[]; params: PostprocessParams; low: number; out: { diff: Differential; untyped: number; unsure: number } } | undefined;

/** The batch's differential, how many shown WBCs still have no type, and how many types are unsure. */
export function selectBatchDifferential(s: AppState, lowConfidence = 0.6): { diff: Differential; untyped: number; unsure: number } {
  const c = diffCache;
  if (c && c.images === s.images && c.order === s.order && c.params === s.postprocess && c.low === lowConfidence) return c.out;
  const types: WbcType[] = [];
  let untyped = 0;
  let unsure = 0;
  for (const id of s.order) {
    const im = s.images[id];
    if (im.status !== 'done' || !inTotals(im)) continue;
    for (const d of shownDetections(im, s.postprocess)) {
      if (d.cls !== 'WBC') continue;
      if (!d.wbc) untyped++;
      else if (!d.wbc.category) {
        types.push(d.wbc.type);
        if (typeUnsure(d.wbc, lowConfidence)) unsure++;
      }
    }
  }
  const out = { diff: differential(types), untyped, unsure };
  diffCache = { images: s.images, order: s.order, params: s.postprocess, low: lowConfidence, out };
  return out;
}

const belowCache = new WeakMap<ImageEntry, { params: PostprocessParams; band: number; out: Detection[] }>();

/** The model's boxes in the review band below their threshold, not yet decided (U visits them). */
export function belowThresholdOf(im: ImageEntry | undefined, params: PostprocessParams, band: number): Detection[] {
  if (!im?.raw || im.status !== 'done') return [];
  const hit = belowCache.get(im);
  if (hit && hit.params === params && hit.band === band) return hit.out;
  // grey specks in a stained field (core/quality/debris) are no uncertain cells to review
  const skip = new Set([...shownDetections(im, params).map((d) => d.id), ...im.edits.deleted, ...(im.edits.kept ?? []), ...(im.accepted ?? []), ...(im.quality?.debris ?? [])]);
  const out = belowThreshold(im.raw, params, band, skip);
  belowCache.set(im, { params, band, out });
  return out;
}

/** How many uncertain boxes the image had as counted, before any edit or acceptance (at the present
 * thresholds and review band): U's answer says "nothing uncertain" only where there were none, not where
 * every one was deleted, relabelled, moved or retyped since. */
export function uncertainAsCounted(im: ImageEntry, params: PostprocessParams, band: number, lowConfidence = 0): number {
  if (!im.raw || im.status !== 'done') return 0;
  const asCounted: ImageEntry = { ...im, edits: NO_EDITS, accepted: [] };
  return uncertaintyOrder(shownDetections(asCounted, params), params, lowConfidence, band, [], belowThresholdOf(asCounted, params, band)).length;
}

const uncertainCaches: Record<'all' | 'counted', { images: AppState['images']; order: string[]; params: PostprocessParams; band: number; low: number; out: number } | undefined> = { all: undefined, counted: undefined };

function uncertainLeft(s: AppState, lowConfidence: number, which: 'all' | 'counted'): number {
  const c = uncertainCaches[which];
  if (c && c.images === s.images && c.order === s.order && c.params === s.postprocess && c.band === s.reviewBand && c.low === lowConfidence) return c.out;
  let n = 0;
  for (const id of s.order) {
    const im = s.images[id];
    if (im.status !== 'done' || im.reviewed || (which === 'counted' && !inTotals(im))) continue;
    n += uncertaintyOrder(shownDetections(im, s.postprocess), s.postprocess, lowConfidence, s.reviewBand, im.accepted, belowThresholdOf(im, s.postprocess, s.reviewBand)).length;
  }
  uncertainCaches[which] = { images: s.images, order: s.order, params: s.postprocess, band: s.reviewBand, low: lowConfidence, out: n };
  return n;
}

/** Uncertain model boxes not yet accepted, over the done images (what U would still visit, a flagged image left
 * out of the counts too: accepting it puts its boxes in them). Memoised: the progress line selects it on every
 * store change. */
export function selectUncertainLeft(s: AppState, lowConfidence = 0): number {
  return uncertainLeft(s, lowConfidence, 'all');
}

/** The same over the images in the counts (inTotals) only: the check before a release. A flagged image left out
 * changes no figure on the report, so its boxes neither hold a release back nor add to the number it names. */
export function selectUncertainCounted(s: AppState, lowConfidence = 0): number {
  return uncertainLeft(s, lowConfidence, 'counted');
}

let rulesCache: { images: AppState['images']; order: string[]; params: PostprocessParams; rules: AppState['diffRules']; low: number; out: DifferentialState } | undefined;

/** The batch's differential under the lab's rules (target, released basis), with verified, unverified,
 * unsure and manual-category cells apart. */
export function selectDifferentialState(s: AppState, lowConfidence = 0.6): DifferentialState {
  const c = rulesCache;
  if (c && c.images === s.images && c.order === s.order && c.params === s.postprocess && c.rules === s.diffRules && c.low === lowConfidence) return c.out;
  // a flagged image (not a smear, out of focus) stays out of the released differential until accepted
  const dets = s.order.flatMap((id) => (s.images[id].status === 'done' && inTotals(s.images[id]) ? shownDetections(s.images[id], s.postprocess) : []));
  const out = differentialState(dets, s.diffRules, lowConfidence);
  rulesCache = { images: s.images, order: s.order, params: s.postprocess, rules: s.diffRules, low: lowConfidence, out };
  return out;
}

export interface GalleryCell {
  /** imageId/detectionId */
  key: string;
  imageId: string;
  imageName: string;
  det: Detection;
  /** The image's smallest WBC side (cropMinSide): the classifier's crop, so the tile's, is built on it. */
  minSide: number;
}

/** The smallest WBC side an image's crops are built on (core minWbcSide), for the classifier's crops and the
 * gallery's tiles alike: from the model's raw detections, the ones the image was typed with when it was counted.
 * The tile took it from the boxes shown, so a threshold raised or a red cell deleted since cut the tile on another
 * square than the one the classifier typed. */
export const cropMinSide = (im: Pick<ImageEntry, 'raw'>): number => minWbcSide(im.raw ?? []);

let galleryCache: { images: AppState['images']; order: string[]; params: PostprocessParams; out: GalleryCell[] } | undefined;

/** Every typed WBC of the sample, image by image (the gallery groups them); none of a flagged image
 * until it is accepted (it is not in the differential, so nothing there is to verify). */
export function selectGalleryCells(s: AppState): GalleryCell[] {
  const c = galleryCache;
  if (c && c.images === s.images && c.order === s.order && c.params === s.postprocess) return c.out;
  const out: GalleryCell[] = [];
  for (const id of s.order) {
    const im = s.images[id];
    if (im.status !== 'done' || !inTotals(im)) continue;
    const shown = shownDetections(im, s.postprocess);
    const minSide = cropMinSide(im);
    for (const d of shown) if (d.cls === 'WBC' && d.wbc) out.push({ key: `${id}/${d.id}`, imageId: id, imageName: im.name, det: d, minSide });
  }
  galleryCache = { images: s.images, order: s.order, params: s.postprocess, out };
  return out;
}

let beyondCache: { cells: GalleryCell[]; target: number; out: ReadonlySet<string> } | undefined;

/** The gallery's cells verified past the differential's target (their keys): kept apart, out of the
 * percentages. The gallery's cells are the differential's WBCs in the same batch order, and core beyondTarget
 * is the rule its figures use, so the cells marked are the ones the report leaves out. */
export function selectBeyondTarget(s: AppState): ReadonlySet<string> {
  const cells = selectGalleryCells(s);
  const c = beyondCache;
  if (c && c.cells === cells && c.target === s.diffRules.target) return c.out;
  const out = new Set([...beyondTarget(cells.map((x) => x.det), s.diffRules.target)].map((i) => cells[i].key));
  beyondCache = { cells, target: s.diffRules.target, out };
  return out;
}

/** Counted images whose magnification differs from the batch setting (the setting applies at
 * detection): what Count again would redo. */
export function selectScaleStale(s: Pick<AppState, 'images' | 'order' | 'fixedScale'>): string[] {
  return s.order.filter((id) => {
    const im = s.images[id];
    if (im.status !== 'done' || !im.scale) return false;
    if (s.fixedScale === null) return im.scale.fixed;
    // A fixed scale is clamped to the model's range: compare what was asked, not what ran.
    return !im.scale.fixed || Math.abs((im.scale.requested ?? im.scale.relative) - s.fixedScale) > 1e-6;
  });
}
