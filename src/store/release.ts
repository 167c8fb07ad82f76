/**
 * Release as a lab runs it (LIS practice: preliminary, final, then withdrawn when anything it rests on
 * changes). A release records a revision of the batch: a hash of everything the report's figures rest
 * on (each image's shown boxes, types with how sure the classifier was of each (its unsure marks), verification and categories, its review mark, which images count, the thresholds,
 * NMS and count rule, the differential's rules and reference intervals, the files refused at the drop, the line on
 * the microscope profile's adaptation, the magnification the Method states, the models it names with the WBC
 * classifier's unsure bar). Any later change that gives
 * another revision withdraws the release and says why in the audit trail. A content hash rather than a
 * counter, so that a reload (which rebuilds the same batch) keeps a release that nothing has touched.
 */
import { diffEdits, type AuditChange } from '../core/edits/audit';
import { boxPlace, readingOrder } from '../core/detection/geometry';
import type { PostprocessParams } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import type { AppState, AppStore } from './store';
import type { ImageEntry } from './types';
import { debrisExcluded, imageEdits, inTotals, modelTypes, opticsExcluded, shownDetections } from './selectors';
import { editWords } from '../core/edits/summary';
import { scaleUsed, selectAdaptationLine } from './report';
import type { ModelsInUse } from './modelSlice';
import { FLAG_CODES, FLAG_SHORT, type FlagCode } from '../core/quality/flags';
import { WBC_TYPES } from '../core/differential/differential';

/** FNV-1a, 2 × 32 bits with different seeds: a change detector, not a security measure. */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000197);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/**
 * What a revision covers, as a number: 1 for releases made before 2026-12-06 (boxes to whole pixels, no review
 * marks, no refused files), 2 until the WBC types' probabilities and unsure marks were covered (typeReading), 3
 * until the report's line on the microscope profile's adaptation, each image's quality flags and its loaded
 * annotations were covered (revisionAdaptation, flagsOf), 4 until the Method's magnification and the models with
 * the classifier's unsure bar, the boxes left out as specks and the lab name were covered (revisionScale, models,
 * specks, labName), 5 until the WBC type codes in the classifier's card and each image's edits in the report's words
 * were covered (models' codes, handEdits), 6 until the Method's magnification counted only the images in the
 * counts (scaleUsed: "not applied to x of n images in the counts"), 7 since.
 * Raised whenever releaseRevision's input changes, so that a release an earlier version of the app made
 * is said to be that, on restore, and not "a batch that differs".
 */
export const RELEASE_SCHEME = 7;

type RevisionInput = Pick<AppState, 'images' | 'order' | 'refused' | 'postprocess' | 'diffRules' | 'reference' | 'estimateFactors' | 'adaptation' | 'fixedScale' | 'models' | 'labName'> & {
  sample: Pick<AppState['sample'], 'releasedAdaptation' | 'releasedScale'>;
};

/**
 * The report's line on the microscope profile's adaptation (Appendix B, the JSON's `adaptation`), as a revision
 * covers it. Scheme 3 pinned the WBC probabilities only: renaming the profile, or importing one that adapted
 * nothing differently, rewrote that line on a released report and kept the release. Until the profile is read
 * after a reload (adaptation.loaded) the line is not known: the one released stands in, and the profile, once
 * read, is checked like any change.
 */
export function revisionAdaptation(s: Pick<RevisionInput, 'adaptation' | 'images' | 'order' | 'sample'>): string {
  return s.adaptation.loaded ? (selectAdaptationLine(s) ?? '') : (s.sample.releasedAdaptation ?? '');
}

/**
 * The report's magnification (the Method's "Magnification: …", the JSON's settings): the setting, and the images
 * counted at another one until they are counted again. Scheme 4 left it out: a magnification set by hand after a
 * release ("the setting is now … not applied to 2 of 2 images") rewrote that line on the signed report and kept
 * the release. The setting is the microscope profile's, applied when the profile is read after a reload: until
 * then (adaptation.loaded) the line released stands in, as for the adaptation line.
 */
export function revisionScale(s: Pick<RevisionInput, 'adaptation' | 'images' | 'order' | 'fixedScale' | 'sample'>): string {
  return s.adaptation.loaded || s.sample.releasedScale === undefined ? scaleUsed(s).words : s.sample.releasedScale;
}

const classifierWords = (c: ModelsInUse['classifier']) => (c ? `${c.name}, sha256 ${c.sha256.slice(0, 12)}…, unsure under ${c.lowConfidence}` : 'none');

/**
 * How the models a release was made with differ from those loaded now (null: the same): the report's Method names
 * both files, and the classifier's unsure bar decides which cells it keeps apart as unsure. After an update of the
 * app that brings another classifier (or the same file with another bar in its card), a restored release would
 * read "Released" over another unsure set, under another model's name.
 */
export function modelsChange(was: ModelsInUse | null | undefined, now: ModelsInUse | null): string | null {
  if (!was || !now || JSON.stringify(was) === JSON.stringify(now)) return null;
  const [a, b] = [was.detector, now.detector];
  if (a.name !== b.name || a.sha256 !== b.sha256) return `made with another detector model (${a.name}, sha256 ${a.sha256.slice(0, 12)}… → ${b.name}, sha256 ${b.sha256.slice(0, 12)}…)`;
  const [c, d] = [was.classifier, now.classifier];
  if (c && d && c.name === d.name && c.sha256 === d.sha256) {
    if (c.lowConfidence !== d.lowConfidence) return `made with another unsure bar for the WBC types (${c.name}: under ${c.lowConfidence} → under ${d.lowConfidence})`;
    // the same file and bar, the card's codes recoded: the report's differential and the exports print the codes
    const recoded = WBC_TYPES.flatMap((t, i) => (c.codes?.[i] !== d.codes?.[i] ? [`${t} ${c.codes?.[i] ?? 'none'} → ${d.codes?.[i] ?? 'none'}`] : []));
    if (recoded.length) return `made with other WBC type codes (${c.name}: ${recoded.join(', ')})`;
  }
  return `made with another WBC classifier (${classifierWords(c)} → ${classifierWords(d)})`;
}

/** Why a release restored after a reload is withdrawn, its revision not being the batch's now. */
export function restoredWithdrawal(s: Pick<AppState, 'models'> & { sample: Pick<AppState['sample'], 'releasedModels'> }): string {
  const m = modelsChange(s.sample.releasedModels, s.models);
  return m ? `${m}: release it again` : 'the batch restored after a reload differs from the one released';
}

/**
 * How sure the classifier (or the microscope profile's adaptation) was of a WBC's type: its probability exactly,
 * as the boxes CSV and JSON carry it (wbc_p), and the marks that make a confident type unsure (a box too small
 * for a WBC, an image without colour). The report's unsure marks ('kept apart: n unsure', the images flagged
 * wbc-type-unsure) are this against the card's bar. Only the types were covered: an imported or reset profile
 * that moved a type's probability under the bar, without changing the type, changed what the released report
 * said and kept the release. A type set by hand has no probability (p 1, origin manual).
 */
const typeReading = (w: Detection['wbc']) => (w ? [w.origin, w.origin === 'model' ? w.p : 1, w.small ? 1 : 0, w.grey ? 1 : 0] : []);

/** An image's quality flags as the report names them (in the order the report lists them). */
const flagsOf = (im: ImageEntry) => FLAG_CODES.filter((f) => im.quality?.flags?.includes(f));

/**
 * The model boxes an image leaves out as specks, on the camera or lens (the optics rule) and unstained (the
 * debris rule), by id. The report counts the boxes found but not counted by why (cut by the border, a speck on
 * the optics, an unstained speck): a speck judged again that the count rule leaves out anyway (cut by the
 * border) moved from one reason to the other with no shown box changed, and the release stood.
 */
const specks = (im: ImageEntry, pp: PostprocessParams) => (im.status === 'done' ? [opticsExcluded(im, pp).map((d) => d.id), debrisExcluded(im, pp).map((d) => d.id)] : []);

/** What the report says a person changed on an image ('' for nothing), as Appendix A prints it. */
const handEdits = (im: ImageEntry) => (im.status === 'done' ? editWords(imageEdits(im)) : '');

/** The revision of the batch the report rests on. */
export function releaseRevision(s: RevisionInput): string {
  const images = s.order.map((id) => {
    const im = s.images[id];
    // each box where it is, exactly: the exports carry its coordinates, and a drag at a high zoom moves it by
    // a fraction of a pixel (rounded to whole pixels, such a move was logged but kept the release)
    const dets =
      im.status === 'done'
        ? shownDetections(im, s.postprocess).map((d) => [d.id, d.cls, d.box.x1, d.box.y1, d.box.x2, d.box.y2, d.wbc?.type ?? '', d.wbc?.verified ? 1 : 0, d.wbc?.category ?? '', d.wbc?.note ?? '', ...typeReading(d.wbc)])
        : [];
    // deleted ids too: a box left out while under the threshold is a decision the release did not see;
    // and the review mark, which the report prints ("Boxes reviewed on 3 of 8 images", Appendix A)
    // and the image's quality flags and loaded annotations, which it prints too (page 1's "Flagged images",
    // Appendix A's flags, Appendix B's agreement with the annotations): a flag that did not keep the image out of
    // the totals, or annotations loaded after the release, changed the signed paper and kept the release
    // and the boxes left out as specks (the report's "Found by the detector … but not counted", by why)
    // and what it says a person changed (page 1's "Changed by hand", Appendix A's Edited): a verified cell's type is
    // held as set by hand, so the classifier retyping it underneath moved no shown box and turned "reclassified"
    return [id, im.status, inTotals(im) ? 1 : 0, dets, im.edits.deleted, im.reviewed ? 1 : 0, flagsOf(im), (im.gt ?? null)?.map((g) => [g.cls, g.box.x1, g.box.y1, g.box.x2, g.box.y2]) ?? null, specks(im, s.postprocess), handEdits(im)];
  });
  // the smear estimates' factors too: the report prints the estimates they make; and the files refused at
  // the drop, which it names as not in its figures
  // and what it says of the microscope profile's adaptation (its name, its cells, whether it adapted the types)
  // and the magnification the Method states, and the models it names with the classifier's unsure bar; and the
  // lab's name that heads every page (setLabName withdraws a release itself; covered here so that a release
  // restored under another name, the record saved and the lab's settings not, is caught on restore)
  return hash(JSON.stringify([s.postprocess, s.diffRules, s.reference, s.estimateFactors, images, s.refused.map((r) => r.name), revisionAdaptation(s), revisionScale(s), s.models, s.labName.trim()]));
}

/**
 * Where the technician finds the changed cell: its number in the image's reading order (] steps through
 * it) and its place, as the image shows it after the change; a box no longer shown (deleted, left out)
 * by its place before. Never the detection id: that stays in the audit trail's `cell`, for machines.
 */
function cellWhere(id: string, before: ImageEntry, after: ImageEntry, now: PostprocessParams, then: PostprocessParams): string {
  const w = after.width ?? before.width;
  const h = after.height ?? before.height;
  if (!w || !h) return '';
  const shown = readingOrder(shownDetections(after, now));
  const k = shown.findIndex((d) => d.id === id);
  if (k >= 0) return boxPlace(shown[k].box, w, h, { k: k + 1, n: shown.length });
  const gone = shownDetections(before, then).find((d) => d.id === id) ?? before.raw?.find((d) => d.id === id) ?? before.edits.added.find((d) => d.id === id);
  return gone ? boxPlace(gone.box, w, h) : '';
}

/**
 * One change in a technician's words, without brackets (the report puts the reason in brackets): a yes/no
 * field says which way it went rather than "no → yes", a class says which box, and where the cell is
 * comes last, to find it on the canvas.
 */
function changeWords(c: AuditChange, cls: string | undefined, where: string): string {
  const box = cls ? `${cls} box` : 'box';
  const fromTo = `${c.from ?? 'none'} → ${c.to ?? 'none'}`;
  const words: Record<AuditChange['field'], string> = {
    deleted: c.to === 'yes' ? `${box} deleted` : `deleted ${box} restored`,
    kept: c.to === 'counted' ? `${box} under the threshold kept` : `kept ${box} left out again`,
    verified: c.to === 'yes' ? 'WBC verified' : 'WBC verification taken back',
    class: `box relabelled ${fromTo}`,
    box: `${box} moved`,
    added: `${box} added`,
    type: `WBC type changed ${fromTo}`,
    category: `WBC category changed ${fromTo}`,
    note: 'WBC note changed',
    release: 'release changed',
    image: 'image removed',
    counted: c.to === 'counted' ? 'flagged image accepted' : 'flagged image left out again',
    sample: `sample record changed (${c.cell})`,
  };
  return where ? `${words[c.field]}, ${where}` : words[c.field];
}

/** Why the batch moved from `p` to `s`, in a technician's words (the first change found). */
export function withdrawalReason(s: RevisionInput, p: RevisionInput): string {
  const models = modelsChange(p.models, s.models);
  if (models) return models;
  for (const id of s.order) if (!p.images[id]) return `image added: ${s.images[id].name}`;
  for (const id of p.order) if (!s.images[id]) return `image removed: ${p.images[id].name}`;
  // by how many times each name is listed: a file refused again for another reason is listed twice (the report
  // names both), and read "the batch changed" when only a name never listed before was looked for
  const listed = (l: RevisionInput['refused'], name: string) => l.filter((q) => q.name === name).length;
  for (const r of s.refused) if (listed(s.refused, r.name) > listed(p.refused, r.name)) return `file not counted: ${r.name}`;
  const t = s.postprocess;
  const q = p.postprocess;
  if (t.countRule !== q.countRule) return `count rule changed (${q.countRule} → ${t.countRule})`;
  for (const c of Object.keys(t.scoreThresholds) as (keyof typeof t.scoreThresholds)[]) {
    if (t.scoreThresholds[c] !== q.scoreThresholds[c]) return `${c} threshold changed (${q.scoreThresholds[c]} → ${t.scoreThresholds[c]})`;
  }
  if (t.nmsIou !== q.nmsIou || t.crossClassNms !== q.crossClassNms) return 'NMS setting changed';
  // the target, or the cells the panel's % (and the counts CSV's differential row, short of a released
  // differential) rest on: a change of that alone read "target 100 → 100"
  const basis = (r: RevisionInput['diffRules']) => (r.basis === 'all' ? 'every typed cell' : 'verified cells');
  if (s.diffRules.target !== p.diffRules.target) return `differential rules changed (target ${p.diffRules.target} → ${s.diffRules.target})`;
  if (s.diffRules.basis !== p.diffRules.basis) return `differential rules changed (% on ${basis(p.diffRules)} → ${basis(s.diffRules)})`;
  if (s.reference !== p.reference) return 'reference intervals changed';
  if (s.estimateFactors !== p.estimateFactors) return 'smear estimate factor changed';
  for (const id of s.order) {
    const a = p.images[id];
    const b = s.images[id];
    if (a === b) continue;
    if (inTotals(a) !== inTotals(b)) return `${b.name}: ${inTotals(b) ? 'flagged image accepted' : 'flagged image taken out of the totals'}`;
    if (a.status !== b.status) return `${b.name}: counted again`;
    if (a.reviewed !== b.reviewed) return `${b.name}: ${b.reviewed ? 'marked reviewed' : 'review mark taken back'}`;
    const [fa, fb] = [flagsOf(a), flagsOf(b)];
    const flagWords = (f: FlagCode[]) => (f.length ? f.map((c) => FLAG_SHORT[c]).join(', ') : 'none');
    if (fa.join() !== fb.join()) return `${b.name}: quality flags changed (${flagWords(fa)} → ${flagWords(fb)})`;
    if (JSON.stringify(a.gt ?? null) !== JSON.stringify(b.gt ?? null)) return `${b.name}: ${!a.gt ? 'annotations loaded' : !b.gt ? 'annotations removed' : 'annotations changed'} (the report's agreement with them)`;
    const c = diffEdits(a.edits, b.edits, b.raw, modelTypes(b))[0];
    if (c) {
      const cls = b.raw?.find((d) => d.id === c.cell)?.cls ?? b.edits.added.find((d) => d.id === c.cell)?.cls ?? a.edits.added.find((d) => d.id === c.cell)?.cls;
      return `${b.name}: ${changeWords(c, cls, cellWhere(c.cell, a, b, s.postprocess, p.postprocess))}`;
    }
    const [ea, eb] = [handEdits(a), handEdits(b)];
    if (ea !== eb) return `${b.name}: what the report says was changed by hand changed (${ea || 'nothing'} → ${eb || 'nothing'})`;
    if (a.adapted !== b.adapted || a.wbc !== b.wbc) {
      // the types themselves, or only how sure the classifier is of them (what the unsure marks rest on)
      const types = (im: ImageEntry, pp: PostprocessParams) => (im.status === 'done' ? shownDetections(im, pp).map((d) => d.wbc?.type ?? '').join() : '');
      return types(a, p.postprocess) !== types(b, s.postprocess)
        ? `${b.name}: WBC types changed (classifier or microscope profile)`
        : `${b.name}: WBC type probabilities changed (classifier or microscope profile), which the unsure marks rest on`;
    }
  }
  for (const id of s.order) {
    const [a, b] = [p.images[id], s.images[id]];
    if (a === b || a.status !== 'done' || b.status !== 'done') continue;
    const [was, now] = [specks(a, p.postprocess), specks(b, s.postprocess)];
    if (JSON.stringify(was) !== JSON.stringify(now)) return `${b.name}: boxes left out as specks changed (on the camera or lens ${was[0].length} → ${now[0].length}, unstained ${was[1].length} → ${now[1].length})`;
  }
  const [scaleWas, scaleNow] = [revisionScale(p), revisionScale(s)];
  if (scaleWas !== scaleNow) return `magnification changed (“${scaleWas}” → “${scaleNow}”)`;
  const [was, now] = [revisionAdaptation(p), revisionAdaptation(s)];
  if (was !== now) return `microscope profile changed what the report says of adaptation (“${was || 'nothing'}” → “${now || 'nothing'}”)`;
  return 'the batch changed';
}

/** A withdrawn release whose change has since been undone: the batch is back at the revision released, so
 * the figures are those released, but the release stays withdrawn until someone verifies it again. */
export function backAtWithdrawnRelease(s: Pick<AppState, 'sample'> & RevisionInput): boolean {
  return !!s.sample.withdrawn && !!s.sample.withdrawnRevision && releaseRevision(s) === s.sample.withdrawnRevision;
}

/**
 * Withdraws a release as soon as the batch leaves the revision it was released on. Started once the
 * saved batch and sample record are restored (a half-restored batch is not a change).
 */
export function watchRelease(store: AppStore): () => void {
  return store.subscribe((s, p) => {
    if (!s.sample.verifiedAt) return;
    if (s.images === p.images && s.order === p.order && s.refused === p.refused && s.postprocess === p.postprocess && s.diffRules === p.diffRules && s.reference === p.reference && s.estimateFactors === p.estimateFactors && s.adaptation === p.adaptation && s.fixedScale === p.fixedScale && s.models === p.models) return;
    if (releaseRevision(s) === s.sample.releasedRevision) return;
    s.withdrawRelease(withdrawalReason(s, p));
  });
}
