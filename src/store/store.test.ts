import { describe, expect, it } from 'vitest';
import { keepBox, moveBox, relabelBox } from '../core/edits/commands';
import { reviewStep } from '../core/edits/review';
import type { Detection } from '../core/detection/detection';
import { imageFlags, ruleExcluded, selectAppStatus, selectBatchDifferential, selectDifferentialState, selectExcluded, selectExportImages, selectGalleryCells, selectScaleStale, selectSummary, shownDetections, reviewedDetections, wasEdited, belowThresholdOf, debrisExcluded } from './selectors';
import { reclassifyCell, verifyCells } from '../core/edits/gallery';
import { createAppStore } from './store';

const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const det = (id: string, cls: Detection['cls'], x: number, score = 0.9): Detection => ({ id, cls, score, box: { x1: x, y1: 100, x2: x + 40, y2: 140 }, origin: 'model' });

function withImage() {
  const store = createAppStore(defaults);
  const st = store.getState();
  st.setModel({ status: 'ready' });
  st.addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
  st.updateImage('a', { status: 'done', width: 640, height: 480, raw: [det('m0', 'RBC', 0), det('m1', 'RBC', 100), det('m2', 'WBC', 200), det('m3', 'RBC', 300, 0.2)] });
  return store;
}

describe('batch slice', () => {
  it('adds an image once, selects it, and refuses a duplicate id', () => {
    const store = createAppStore(defaults);
    expect(store.getState().addImage({ id: 'a', name: 'a.jpg', bytes: 1 })).toBe(true);
    expect(store.getState().addImage({ id: 'a', name: 'copy.jpg', bytes: 1 })).toBe(false);
    expect(store.getState().order).toEqual(['a']);
    expect(store.getState().currentId).toBe('a');
    expect(store.getState().images.a.status).toBe('queued');
  });
  it('an image not counted yet cannot be marked reviewed: nobody has seen its boxes (R pressed on a queued image)', () => {
    const store = withImage();
    const st = store.getState();
    st.addImage({ id: 'q', name: 'q.jpg', bytes: 10 });
    st.setReviewed('q', true);
    expect(store.getState().images.q.reviewed).toBe(false);
    st.updateImage('q', { status: 'error', error: 'could not be decoded' });
    st.setReviewed('q', true);
    expect(store.getState().images.q.reviewed).toBe(false);
    st.setReviewed('a', true);
    expect(store.getState().images.a.reviewed).toBe(true);
    st.setReviewed('a', false);
    expect(store.getState().images.a.reviewed).toBe(false);
  });
  it('edits with undo and redo, and the summary follows', () => {
    const store = withImage();
    // m3 scores under the RBC threshold
    expect(selectSummary(store.getState()).totals).toEqual({ RBC: 2, WBC: 1, Platelets: 0 });
    store.getState().edit('a', relabelBox, { id: 'm0', cls: 'Platelets' });
    expect(selectSummary(store.getState()).totals).toEqual({ RBC: 1, WBC: 1, Platelets: 1 });
    store.getState().undo();
    expect(selectSummary(store.getState()).totals).toEqual({ RBC: 2, WBC: 1, Platelets: 0 });
    store.getState().redo();
    expect(selectSummary(store.getState()).totals.Platelets).toBe(1);
  });
  it('selectRelative stops at either end of the batch (no wrap); removeImage moves the selection', () => {
    const store = withImage();
    store.getState().addImage({ id: 'b', name: 'b.jpg', bytes: 1 });
    store.getState().selectRelative(1);
    expect(store.getState().currentId).toBe('b');
    store.getState().selectRelative(1);
    expect(store.getState().currentId).toBe('b');
    store.getState().selectRelative(-5);
    expect(store.getState().currentId).toBe('a');
    store.getState().selectRelative(1);
    store.getState().removeImage('b');
    expect(store.getState().order).toEqual(['a']);
    expect(store.getState().currentId).toBe('a');
  });
});

describe('quality flags', () => {
  const quality = (flags: ('not-smear' | 'unfamiliar-colour' | 'out-of-focus')[]) => ({
    flags,
    pixels: { sharpness: 1, colour: [0, 0, 0, 0] as [number, number, number, number], brightness: 128, width: 256, height: 192 },
    detections: { rbc: 0, wbc: 1, platelets: 0, rbcScore: null, cellScale: null, rbcSizeCv: null },
  });
  it('a not-smear image stays out of the totals and the differential until accepted; accepting is undone by one call', () => {
    const store = withImage();
    const st = store.getState();
    st.addImage({ id: 'g', name: 'gradient.png', bytes: 10 });
    const wbc = { ...det('w', 'WBC', 300), score: 0.95 };
    st.updateImage('g', { status: 'done', width: 640, height: 480, raw: [wbc], wbc: { w: [0.1, 0.1, 0.1, 0.6, 0.1, 0, 0] }, quality: quality(['not-smear']) });
    expect(selectSummary(store.getState())).toMatchObject({ images: 1, totals: { RBC: 2, WBC: 1, Platelets: 0 } });
    expect(selectBatchDifferential(store.getState()).diff.classified).toBe(0);
    expect(selectExcluded(store.getState())).toBe(1);
    expect(imageFlags(store.getState().images.g, store.getState().postprocess)).toEqual(['not-smear']);
    expect(selectExportImages(store.getState())[1]).toMatchObject({ flags: ['not-smear'], inTotals: false });
    // nor in the gallery or the released differential: verify its WBC, and it still counts nowhere
    expect(selectGalleryCells(store.getState()).map((c) => c.imageId)).not.toContain('g');
    st.edit('g', verifyCells, { ids: ['w'], verified: true, types: { w: 'eosinophil' } });
    expect(selectDifferentialState(store.getState()).verified).toBe(0);
    st.acceptFlags('g', true);
    // the audit trail says so: the image was taken into the totals by a person
    expect(store.getState().audit.at(-1)).toMatchObject({ image: 'gradient.png', field: 'counted', from: 'left out', to: 'counted' });
    expect(selectGalleryCells(store.getState()).map((c) => c.key)).toContain('g/w');
    expect(selectDifferentialState(store.getState())).toMatchObject({ verified: 1, basedOn: 1 });
    expect(selectSummary(store.getState())).toMatchObject({ images: 2, totals: { RBC: 2, WBC: 2, Platelets: 0 } });
    expect(selectBatchDifferential(store.getState()).diff.counts.eosinophil).toBe(1);
    expect(selectExcluded(store.getState())).toBe(0);
    st.acceptFlags('g', false);
    expect(selectSummary(store.getState()).images).toBe(1);
  });
  it('advisory flags do not exclude; wbc-type-unsure follows the shown types', () => {
    const store = withImage();
    store.getState().updateImage('a', { quality: quality(['unfamiliar-colour']), wbc: { m2: [0.5, 0.3, 0.2, 0, 0, 0, 0] } });
    expect(selectSummary(store.getState()).images).toBe(1);
    expect(imageFlags(store.getState().images.a, store.getState().postprocess)).toEqual(['unfamiliar-colour', 'wbc-type-unsure']);
  });
  it("the exports' unsure-type flag uses the classifier card's bar, as the screen does", () => {
    const store = withImage();
    store.getState().updateImage('a', { wbc: { m2: [0.5, 0.3, 0.2, 0, 0, 0, 0] } });
    // p 0.5: unsure at the default bar (0.6) and at a card's 0.55, sure at a card's 0.45
    expect(selectExportImages(store.getState())[0].flags).toContain('wbc-type-unsure');
    expect(selectExportImages(store.getState(), 0.55)[0].flags).toContain('wbc-type-unsure');
    expect(selectExportImages(store.getState(), 0.45)[0].flags).not.toContain('wbc-type-unsure');
  });
});

describe('grey specks in a stained field (quality.debris)', () => {
  const pixels = { sharpness: 1, colour: [0, 0, 0, 0] as [number, number, number, number], brightness: 200, width: 256, height: 192 };
  const detections = { rbc: 1, wbc: 0, platelets: 1, rbcScore: null, cellScale: null, rbcSizeCv: null };
  function withSpecks() {
    const store = createAppStore(defaults);
    const st = store.getState();
    st.setModel({ status: 'ready' });
    st.addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    st.updateImage('a', {
      status: 'done',
      width: 640,
      height: 480,
      raw: [det('m0', 'RBC', 0), det('m1', 'Platelets', 100), det('m2', 'Platelets', 200, 0.8), det('m3', 'Platelets', 300, 0.3)],
      quality: { flags: [], pixels, detections, debris: ['m2', 'm3'] },
    });
    return store;
  }
  it('are counted nowhere, listed apart, and never offered for review below the threshold', () => {
    const store = withSpecks();
    const s = store.getState();
    expect(selectSummary(s).totals).toEqual({ RBC: 1, WBC: 0, Platelets: 1 });
    expect(shownDetections(s.images.a, s.postprocess).map((d) => d.id)).toEqual(['m0', 'm1']);
    expect(debrisExcluded(s.images.a, s.postprocess).map((d) => d.id)).toEqual(['m2']);
    store.getState().setReviewBand(0.25);
    const t = store.getState();
    expect(belowThresholdOf(t.images.a, t.postprocess, t.reviewBand)).toEqual([]);
  });
  it('a speck whose box a person edits is theirs: counted again', () => {
    const store = withSpecks();
    store.getState().edit('a', moveBox, { id: 'm2', box: { x1: 202, y1: 100, x2: 242, y2: 140 }, width: 640, height: 480 });
    const s = store.getState();
    expect(selectSummary(s).totals.Platelets).toBe(2);
    expect(debrisExcluded(s.images.a, s.postprocess)).toEqual([]);
  });
});

describe('review below the threshold', () => {
  it('U reaches a box under the threshold; accepting it counts it whatever the threshold, and undo takes it back', () => {
    const store = withImage();
    // m3 (RBC, 0.2) is under the 0.5 threshold; with a band of 0.35 it is in reach
    store.getState().setReviewBand(0.35);
    const s = store.getState();
    const im = s.images.a;
    const below = belowThresholdOf(im, s.postprocess, s.reviewBand);
    expect(below.map((d) => d.id)).toEqual(['m3']);
    const step = reviewStep(shownDetections(im, s.postprocess), s.postprocess, null, s.order, 'a', () => true, { band: s.reviewBand, below });
    expect(step).toEqual({ kind: 'select', detectionId: 'm3' });
    s.edit('a', keepBox, { id: 'm3' });
    expect(selectSummary(store.getState()).totals.RBC).toBe(3);
    expect(belowThresholdOf(store.getState().images.a, s.postprocess, s.reviewBand)).toEqual([]);
    expect(store.getState().audit.at(-1)).toMatchObject({ action: 'keep', field: 'kept', cell: 'm3' });
    store.getState().setThreshold('RBC', 0.7);
    expect(shownDetections(store.getState().images.a, store.getState().postprocess).map((d) => d.id)).toContain('m3');
    store.getState().undo();
    expect(selectSummary(store.getState()).totals.RBC).toBe(2);
  });
});

describe('one history', () => {
  it('undo takes back the last edit of the batch, whether made on the canvas or in the gallery, in order; a gallery step over two images is one step', () => {
    const store = withImage();
    const st = store.getState();
    st.addImage({ id: 'b', name: 'b.jpg', bytes: 10 });
    st.updateImage('b', { status: 'done', width: 640, height: 480, raw: [det('m2', 'WBC', 200)], wbc: { m2: [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01] } });
    st.updateImage('a', { wbc: { m2: [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01] } });
    // the gallery verifies a group on both images (one step), then the canvas deletes a box on image a
    st.editMany('verify', new Map([['a', (e) => verifyCells.perform(e, { ids: ['m2'], verified: true })], ['b', (e) => verifyCells.perform(e, { ids: ['m2'], verified: true })]]));
    st.edit('a', relabelBox, { id: 'm0', cls: 'Platelets' });
    st.select('b');
    // Ctrl+Z in the gallery (or on image b) takes back the canvas edit first: the last one made
    expect(store.getState().undo()).toBe(true);
    expect(store.getState().images.a.edits.relabeled).toEqual({});
    expect(store.getState().images.a.edits.verified).toEqual(['m2']);
    expect(store.getState().currentId).toBe('a'); // shown where it happened
    // then the group verification, on both images at once
    store.getState().undo();
    expect(store.getState().images.a.edits.verified ?? []).toEqual([]);
    expect(store.getState().images.b.edits.verified ?? []).toEqual([]);
    expect(store.getState().undo()).toBe(false);
    store.getState().redo();
    expect(store.getState().images.b.edits.verified).toEqual(['m2']);
    expect(store.getState().audit.at(-1)).toMatchObject({ action: 'redo', field: 'verified' });
    // an image removed leaves the history without it
    store.getState().removeImage('b');
    expect(store.getState().undoLog.future.flat()).not.toContain('b');
  });
});

describe('Remove image and undo', () => {
  it('Ctrl+Z after Remove image puts the image back where it was, with its counts, edits and own history; redo takes it out again', () => {
    const store = withImage();
    const st = store.getState();
    st.addImage({ id: 'b', name: 'b.jpg', bytes: 10 });
    st.updateImage('b', { status: 'done', width: 640, height: 480, raw: [det('m0', 'WBC', 0)] });
    st.edit('a', relabelBox, { id: 'm0', cls: 'Platelets' });
    const edited = store.getState().images.a;
    const totals = selectSummary(store.getState()).totals;
    store.getState().discardImage('a');
    expect(store.getState().order).toEqual(['b']);
    expect(store.getState().audit.at(-1)).toMatchObject({ action: 'remove-image', image: 'a.jpg', to: 'removed' });
    // before: the removal was no step, and the image's own steps left with it: nothing to undo (or an earlier edit of
    // another image taken back instead)
    expect(store.getState().undo()).toBe(true);
    let s = store.getState();
    expect(s.order).toEqual(['a', 'b']);
    expect(s.images.a).toEqual(edited);
    expect(s.currentId).toBe('a');
    expect(selectSummary(s).totals).toEqual(totals);
    expect(s.audit.at(-1)).toMatchObject({ action: 'undo', image: 'a.jpg', field: 'image', from: 'removed' });
    // the edit made before the removal is the next step back, on the image now back
    store.getState().undo();
    expect(store.getState().images.a.edits.relabeled).toEqual({});
    store.getState().redo();
    store.getState().redo();
    s = store.getState();
    expect(s.order).toEqual(['b']);
    expect(s.audit.at(-1)).toMatchObject({ action: 'redo', image: 'a.jpg', field: 'image', to: 'removed' });
    expect(store.getState().undo()).toBe(true);
    expect(store.getState().images.a.edits.relabeled).toEqual({ m0: 'Platelets' });
  });
  it('an image live mode replaced by a sharper view is no step of the history (the view replaced it, not the technician)', () => {
    const store = withImage();
    store.getState().discardImage('a', 'replaced by a sharper view of the same field');
    expect(store.getState().undo()).toBe(false);
    expect(store.getState().order).toEqual([]);
  });
  it('a removal that leaves the history (200 steps later) lets the image go for good', () => {
    const store = withImage();
    store.getState().addImage({ id: 'b', name: 'b.jpg', bytes: 10 });
    store.getState().updateImage('b', { status: 'done', width: 640, height: 480, raw: [det('m0', 'WBC', 0)] });
    store.getState().discardImage('a');
    expect(Object.keys(store.getState().removedImages)).toEqual(['a']);
    for (let i = 0; i < 200; i++) store.getState().edit('b', relabelBox, { id: 'm0', cls: i % 2 ? 'RBC' : 'Platelets' });
    expect(store.getState().removedImages).toEqual({});
    while (store.getState().undo());
    expect(store.getState().order).toEqual(['b']);
    store.getState().discardImage('b');
    store.getState().clearBatch();
    expect(store.getState().removedImages).toEqual({});
  });
});

describe('a chain of edits (the keyboard nudges one box)', () => {
  const at = (x: number) => ({ id: 'm0', box: { x1: x, y1: 100, x2: x + 40, y2: 140 }, width: 640, height: 480 });
  it('is one step of the history and one audit line from where it started, until another edit ends it', () => {
    const store = withImage();
    const st = store.getState();
    const audit0 = st.audit.length;
    for (const x of [3, 6, 9]) store.getState().edit('a', moveBox, at(x), 'nudge:m0');
    let s = store.getState();
    expect(s.images.a.edits.moved).toEqual({ m0: at(9).box });
    expect(s.undoLog.past).toHaveLength(1);
    expect(s.audit).toHaveLength(audit0 + 1);
    expect(s.audit.at(-1)).toMatchObject({ action: 'move', cell: 'm0' });
    expect(JSON.stringify(s.audit.at(-1))).toContain('9');
    // another box's nudges, or any other edit, start a new step
    store.getState().edit('a', relabelBox, { id: 'm1', cls: 'Platelets' });
    store.getState().edit('a', moveBox, at(12), 'nudge:m0');
    s = store.getState();
    expect(s.undoLog.past).toHaveLength(3);
    // one undo takes back the whole second chain, the next the relabel, the next all three nudges
    s.undo();
    expect(store.getState().images.a.edits.moved).toEqual({ m0: at(9).box });
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().images.a.edits.moved ?? {}).toEqual({});
  });
  it('an undo ends the chain: the next nudge is a step of its own', () => {
    const store = withImage();
    store.getState().edit('a', moveBox, at(3), 'nudge:m0');
    store.getState().edit('a', moveBox, at(6), 'nudge:m0');
    store.getState().undo();
    expect(store.getState().images.a.edits.moved ?? {}).toEqual({});
    store.getState().edit('a', moveBox, at(9), 'nudge:m0');
    expect(store.getState().undoLog.past).toHaveLength(1);
    store.getState().undo();
    expect(store.getState().images.a.edits.moved ?? {}).toEqual({});
  });
});

describe('edited', () => {
  it('verifying a WBC (which locks its shown type) is review, not an edit; a changed type or box is', () => {
    const store = withImage();
    store.getState().updateImage('a', { wbc: { m2: [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01] } });
    store.getState().edit('a', verifyCells, { ids: ['m2'], verified: true, types: { m2: 'neutrophil' } });
    expect(store.getState().images.a.edits.typed).toEqual({ m2: 'neutrophil' });
    expect(wasEdited(store.getState().images.a)).toBe(false);
    expect(selectExportImages(store.getState())[0].edited).toBe(false);
    store.getState().edit('a', reclassifyCell, { id: 'm2', to: 'monocyte' });
    expect(wasEdited(store.getState().images.a)).toBe(true);
    store.getState().undo();
    store.getState().edit('a', relabelBox, { id: 'm0', cls: 'Platelets' });
    expect(wasEdited(store.getState().images.a)).toBe(true);
  });
});

describe('batch differential', () => {
  it('counts unsure types by the threshold it is given, also when the batch has not changed', () => {
    const store = withImage();
    // m2 is the WBC; the classifier gave it p = 0.7 for its most likely type
    store.getState().updateImage('a', { wbc: { m2: [0.7, 0.1, 0.1, 0.05, 0.05, 0, 0] } });
    expect(selectBatchDifferential(store.getState(), 0.6).unsure).toBe(0);
    expect(selectBatchDifferential(store.getState(), 0.8).unsure).toBe(1);
    expect(selectBatchDifferential(store.getState(), 0.6).unsure).toBe(0);
  });
});

describe('settings slice', () => {
  it('thresholds re-filter without touching the raw detections', () => {
    const store = withImage();
    const raw = store.getState().images.a.raw;
    store.getState().setThreshold('RBC', 0.1);
    expect(selectSummary(store.getState()).totals.RBC).toBe(3);
    expect(store.getState().images.a.raw).toBe(raw);
    store.getState().resetPostprocess();
    expect(store.getState().postprocess).toBe(store.getState().defaults);
  });
  it("Model defaults restores the model's thresholds and NMS, not the lab's count rule (the microscope profile's)", () => {
    const store = withImage();
    store.getState().setCountRule('top-left');
    store.getState().setThreshold('RBC', 0.1);
    store.getState().setNmsIou(0.7);
    store.getState().resetPostprocess();
    expect(store.getState().postprocess).toEqual({ ...defaults, countRule: 'top-left' });
  });
  it('the count rule applies to counts and exports, and is recorded in them', () => {
    const store = withImage();
    store.getState().setCountRule('interior');
    expect(selectSummary(store.getState()).totals.RBC).toBe(1); // m0 starts at x=0: cut by the border
    const ex = selectExportImages(store.getState());
    expect(ex[0].countRule).toBe('interior');
    expect(ex[0].detections.map((d) => d.id)).toEqual(['m1', 'm2']);
  });
  it('a verified cell the count rule leaves out is still a verified cell (what the microscope profile learns from)', () => {
    const store = withImage();
    store.getState().updateImage('a', { raw: [...store.getState().images.a.raw!, det('m4', 'WBC', 0)], wbc: { m4: [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01] } });
    store.getState().edit('a', verifyCells, { ids: ['m4'], verified: true, types: { m4: 'neutrophil' } });
    store.getState().setCountRule('interior');
    const st = store.getState();
    expect(shownDetections(st.images.a, st.postprocess).map((d) => d.id)).not.toContain('m4'); // cut by the border: not counted
    const m4 = reviewedDetections(st.images.a, st.postprocess).find((d) => d.id === 'm4');
    expect(m4?.wbc).toMatchObject({ type: 'neutrophil', verified: true });
  });
  it('a fixed magnification must be a positive number', () => {
    const store = createAppStore(defaults);
    store.getState().setFixedScale(2);
    expect(store.getState().fixedScale).toBe(2);
    store.getState().setFixedScale(-1);
    expect(store.getState().fixedScale).toBeNull();
    store.getState().setFixedScale(Number.NaN);
    expect(store.getState().fixedScale).toBeNull();
  });
});

describe('persist slice and status', () => {
  it('is not Ready while a write is pending, and is once the write failed (the failure is shown instead)', () => {
    const store = withImage();
    expect(selectAppStatus(store.getState())).toBe('ready');
    store.getState().setSave({ pending: true });
    expect(selectAppStatus(store.getState())).toBe('busy');
    store.getState().setSave({ pending: false, error: 'quota', unsaved: ['a.jpg'] });
    expect(selectAppStatus(store.getState())).toBe('ready');
    expect(store.getState().save.unsaved).toEqual(['a.jpg']);
  });
});

describe('notices', () => {
  it('one channel: the same notice twice is one with a count; dismiss one or all', () => {
    const store = createAppStore(defaults);
    const st = store.getState();
    st.addFileError('a.jpg', 'Not an image.');
    st.addFileError('a.jpg', 'Not an image.');
    st.notify({ kind: 'warning', source: 'engine', subject: '', message: 'Multi-threaded WASM failed to start; running on one thread.' });
    expect(store.getState().notices.map((n) => [n.source, n.count])).toEqual([
      ['file', 2],
      ['engine', 1],
    ]);
    store.getState().dismissNotice(store.getState().notices[0].key);
    expect(store.getState().notices).toHaveLength(1);
    store.getState().dismissNotices();
    expect(store.getState().notices).toHaveLength(0);
  });
});

describe('count rule on the canvas and Count again', () => {
  it('boxes a rule leaves out are listed apart (drawn dimmed), not lost', () => {
    const store = withImage();
    const st = store.getState();
    // m4 is cut by the right edge, m5 by the top one.
    const right = { ...det('m4', 'RBC', 600), box: { x1: 600, y1: 100, x2: 640, y2: 140 } };
    const top = { ...det('m5', 'RBC', 400), box: { x1: 400, y1: 0, x2: 440, y2: 30 } };
    st.updateImage('a', { raw: [...st.images.a.raw!, right, top] });
    st.setCountRule('top-left');
    const im = store.getState().images.a;
    expect(ruleExcluded(im, store.getState().postprocess).map((d) => d.id)).toEqual(['m4']);
    expect(shownDetections(im, store.getState().postprocess).map((d) => d.id)).toContain('m5');
    st.setCountRule('interior');
    // m0 (x = 0) is cut by the left edge: counted by the two-edge rule, left out by 'interior'.
    expect(ruleExcluded(store.getState().images.a, store.getState().postprocess).map((d) => d.id).sort()).toEqual(['m0', 'm4', 'm5']);
    st.setCountRule('all');
    expect(ruleExcluded(store.getState().images.a, store.getState().postprocess)).toEqual([]);
  });

  it('lists images counted at another magnification than the setting, and requeues them afresh', () => {
    const store = withImage();
    const st = store.getState();
    st.updateImage('a', { scale: { used: 0.8, relative: 1, estimated: 1, passes: 1, fixed: false }, reviewed: true });
    st.edit('a', relabelBox, { id: 'm0', cls: 'WBC' });
    expect(selectScaleStale(store.getState())).toEqual([]);
    st.setFixedScale(2);
    expect(selectScaleStale(store.getState())).toEqual(['a']);
    st.updateImage('a', { scale: { used: 1.6, relative: 2, estimated: null, passes: 1, fixed: true, requested: 2 } });
    expect(selectScaleStale(store.getState())).toEqual([]);
    // Clamped to the model's range: what was asked for counts, not what ran.
    st.updateImage('a', { scale: { used: 1.2, relative: 1.5, estimated: null, passes: 1, fixed: true, requested: 2 } });
    expect(selectScaleStale(store.getState())).toEqual([]);
    st.setFixedScale(null);
    expect(selectScaleStale(store.getState())).toEqual(['a']);
    st.requeue(['a']);
    const im = store.getState().images.a;
    expect(im).toMatchObject({ status: 'queued', reviewed: false, name: 'a.jpg' });
    expect(im.raw).toBeUndefined();
    expect(im.edits.relabeled).toEqual({});
    expect(im.history.past).toEqual([]);
  });
});

describe('settings changed while the saved batch is restored', () => {
  it('are made again over what the restore brought, in the order set; a restore run as fromStorage is not the user’s', () => {
    const s = createAppStore(defaults);
    s.getState().holdSettings();
    s.getState().setThreshold('Platelets', 0.8);
    s.getState().setCountRule('interior');
    s.getState().setFixedScale(2);
    s.getState().setThreshold('Platelets', 0.7);
    s.getState().setLabName('Ward 3');
    // the restore: the saved batch's thresholds, the sample's lab name, the microscope profile's scale
    s.setState({ postprocess: { ...defaults, scoreThresholds: { ...defaults.scoreThresholds, Platelets: 0.3 } }, labName: 'Saved lab' });
    s.getState().fromStorage(() => s.getState().setFixedScale(null));
    s.getState().reapplySettings(true);
    expect(s.getState().postprocess.scoreThresholds.Platelets).toBe(0.7);
    expect(s.getState().postprocess.countRule).toBe('interior');
    expect(s.getState().fixedScale).toBe(2);
    expect(s.getState().labName).toBe('Ward 3');
    // once the restore is over, a setting is just set
    s.setState({ labName: 'Other' });
    s.getState().reapplySettings(true);
    expect(s.getState().labName).toBe('Other');
  });
  it('the review band and the classes shown, saved with the batch since: set during the restore, they win over the saved ones', () => {
    const s = createAppStore(defaults);
    s.getState().holdSettings();
    s.getState().setReviewBand(0.3);
    s.getState().toggleVisible('RBC');
    // the restore brings the saved batch's: RBC shown, Platelets hidden, a band of 0.1
    s.setState({ reviewBand: 0.1, visible: { RBC: true, WBC: true, Platelets: false } });
    s.getState().reapplySettings(true);
    expect(s.getState().reviewBand).toBe(0.3);
    // the class the technician hid stays hidden; the one the batch brought hidden stays so
    expect(s.getState().visible).toEqual({ RBC: false, WBC: true, Platelets: false });
  });
});
