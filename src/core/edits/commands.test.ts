import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { addBox, deleteBox, EMPTY_HISTORY, moveBox, record, redo, relabelBox, undo } from './commands';
import { applyEdits, applyTypes, isEdited, NO_EDITS } from './edits';
import { applyReview, reclassifyCell, verifyCells } from './gallery';
import { differentialState, DEFAULT_RULES } from '../differential/rules';
import { WBC_TYPES } from '../differential/differential';

const dets: Detection[] = [
  { id: 'm0', cls: 'RBC', score: 0.9, box: { x1: 0, y1: 0, x2: 10, y2: 10 }, origin: 'model' },
  { id: 'm1', cls: 'WBC', score: 0.8, box: { x1: 20, y1: 0, x2: 30, y2: 10 }, origin: 'model' },
];
const size = { width: 100, height: 100 };

describe('edit commands', () => {
  it('delete hides a model box and survives re-filtering', () => {
    const e = deleteBox.perform(NO_EDITS, { id: 'm0' });
    expect(applyEdits(dets, e).map((d) => d.id)).toEqual(['m1']);
    expect(deleteBox.perform(e, { id: 'm0' })).toBe(e);
    expect(isEdited(e)).toBe(true);
  });
  it('relabel and move mark the box manual', () => {
    let e = relabelBox.perform(NO_EDITS, { id: 'm1', cls: 'Platelets' });
    e = moveBox.perform(e, { id: 'm0', box: { x1: 5, y1: 5, x2: -3, y2: 200 }, ...size });
    const out = applyEdits(dets, e);
    expect(out[1]).toMatchObject({ id: 'm1', cls: 'Platelets', origin: 'manual' });
    expect(out[0].box).toEqual({ x1: 0, y1: 5, x2: 5, y2: 100 });
    expect(out[0].origin).toBe('manual');
  });
  it('add creates manual boxes with fresh ids that can be edited and deleted', () => {
    let e = addBox.perform(NO_EDITS, { cls: 'WBC', box: { x1: 50, y1: 50, x2: 40, y2: 40 }, ...size });
    e = addBox.perform(e, { cls: 'RBC', box: { x1: 0, y1: 0, x2: 5, y2: 5 }, ...size });
    expect(e.added.map((d) => d.id)).toEqual(['u0', 'u1']);
    expect(e.added[0].box).toEqual({ x1: 40, y1: 40, x2: 50, y2: 50 });
    e = relabelBox.perform(e, { id: 'u0', cls: 'Platelets' });
    e = deleteBox.perform(e, { id: 'u1' });
    expect(applyEdits(dets, e).map((d) => `${d.id}:${d.cls}:${d.origin}`)).toEqual(['m0:RBC:model', 'm1:WBC:model', 'u0:Platelets:manual']);
  });
  it('never reuses a manual box id, after a delete or an undo', () => {
    // WBC types, hand-set types and acceptances are keyed by id: a redrawn box must not inherit them.
    const box = { x1: 0, y1: 0, x2: 5, y2: 5 };
    let e = addBox.perform(NO_EDITS, { cls: 'WBC', box, ...size });
    e = deleteBox.perform(e, { id: 'u0' });
    e = addBox.perform(e, { cls: 'WBC', box, ...size });
    expect(e.added.map((d) => d.id)).toEqual(['u1']);

    let h = EMPTY_HISTORY;
    const before = NO_EDITS;
    const drawn = addBox.perform(before, { cls: 'WBC', box, ...size });
    h = record(h, before);
    const u = undo(h, drawn)!;
    expect(u.edits.added).toEqual([]);
    const again = addBox.perform(u.edits, { cls: 'WBC', box, ...size });
    expect(again.added.map((d) => d.id)).toEqual(['u1']);
    // redo brings back u0 and still never hands out an id twice
    const r = redo(u.history, again)!;
    expect(r.edits.added.map((d) => d.id)).toEqual(['u0']);
    expect(addBox.perform(r.edits, { cls: 'RBC', box, ...size }).added.map((d) => d.id)).toEqual(['u0', 'u2']);
  });
  it('undo and redo restore whole edit states', () => {
    const e1 = deleteBox.perform(NO_EDITS, { id: 'm0' });
    const h1 = record(EMPTY_HISTORY, NO_EDITS);
    const u = undo(h1, e1)!;
    expect(u.edits).toBe(NO_EDITS);
    const r = redo(u.history, u.edits)!;
    expect(r.edits).toBe(e1);
    expect(undo(EMPTY_HISTORY, NO_EDITS)).toBeNull();
    expect(redo(EMPTY_HISTORY, NO_EDITS)).toBeNull();
    // a new edit clears the redo stack
    expect(record(u.history, u.edits).future).toHaveLength(0);
  });

  it('refuses a box that lies off the image: clipped to it, nothing of it would be left to see or select', () => {
    // a stroke in the canvas's margin, above the image: clipped to a line 0 px tall, it was counted, unseen
    expect(addBox.perform(NO_EDITS, { cls: 'RBC', box: { x1: 20, y1: -40, x2: 50, y2: -5 }, ...size })).toBe(NO_EDITS);
    expect(addBox.perform(NO_EDITS, { cls: 'RBC', box: { x1: 99, y1: 20, x2: 130, y2: 50 }, ...size })).toBe(NO_EDITS);
    // a resize dragged past the image's edge keeps what is left on the image, unless that is a sliver
    expect(moveBox.perform(NO_EDITS, { id: 'm0', box: { x1: -30, y1: 2, x2: -2, y2: 8 }, ...size })).toBe(NO_EDITS);
    const drawn = addBox.perform(NO_EDITS, { cls: 'RBC', box: { x1: 10, y1: 10, x2: 20, y2: 20 }, ...size });
    expect(moveBox.perform(drawn, { id: 'u0', box: { x1: 0, y1: 100, x2: 10, y2: 140 }, ...size })).toBe(drawn);
    // a box of 2 px on a side is the smallest a nudge leaves (core/detection/geometry nudgedBox): kept
    expect(addBox.perform(NO_EDITS, { cls: 'Platelets', box: { x1: 98, y1: 0, x2: 100, y2: 2 }, ...size }).added).toHaveLength(1);
  });
  it('a box dragged past the image edge keeps its size and stops at the edge (keepSize)', () => {
    const e = moveBox.perform(NO_EDITS, { id: 'm0', box: { x1: -25, y1: 95, x2: -5, y2: 125 }, keepSize: true, ...size });
    expect(e.moved.m0).toEqual({ x1: 0, y1: 70, x2: 20, y2: 100 });
    const drawn = addBox.perform(NO_EDITS, { cls: 'RBC', box: { x1: 10, y1: 10, x2: 20, y2: 20 }, ...size });
    expect(moveBox.perform(drawn, { id: 'u0', box: { x1: 95, y1: -50, x2: 105, y2: -40 }, keepSize: true, ...size }).added[0].box).toEqual({ x1: 90, y1: 0, x2: 100, y2: 10 });
  });
  it('an edit that changes nothing is no edit: no step of the history, the model box keeps its score', () => {
    // relabelled to the class it has (the pressed RBC button on an RBC box)
    expect(relabelBox.perform(NO_EDITS, { id: 'm0', cls: 'RBC', modelCls: 'RBC' })).toBe(NO_EDITS);
    // relabelled back to the model's class: the model's box again, not a box set by hand
    const e = relabelBox.perform(NO_EDITS, { id: 'm0', cls: 'WBC', modelCls: 'RBC' });
    const back = relabelBox.perform(e, { id: 'm0', cls: 'RBC', modelCls: 'RBC' });
    expect(back.relabeled).toEqual({});
    expect(applyEdits(dets, back)[0]).toEqual(dets[0]);
    expect(isEdited(back)).toBe(false);
    // a drawn box: to its own class, or one no longer there (taken back by an undo, still selected)
    const drawn = addBox.perform(NO_EDITS, { cls: 'RBC', box: { x1: 10, y1: 10, x2: 20, y2: 20 }, ...size });
    expect(relabelBox.perform(drawn, { id: 'u0', cls: 'RBC' })).toBe(drawn);
    expect(relabelBox.perform(drawn, { id: 'u7', cls: 'WBC' })).toBe(drawn);
    expect(deleteBox.perform(drawn, { id: 'u7' })).toBe(drawn);
    expect(moveBox.perform(drawn, { id: 'u7', box: { x1: 0, y1: 0, x2: 5, y2: 5 }, ...size })).toBe(drawn);
    // moved to where it already is
    expect(moveBox.perform(drawn, { id: 'u0', box: { x1: 10, y1: 10, x2: 20, y2: 20 }, ...size })).toBe(drawn);
    const moved = moveBox.perform(NO_EDITS, { id: 'm1', box: { x1: 22, y1: 0, x2: 32, y2: 10 }, ...size });
    expect(moveBox.perform(moved, { id: 'm1', box: { x1: 22, y1: 0, x2: 32, y2: 10 }, ...size })).toBe(moved);
  });

  it('a box under the threshold relabelled with keep is counted as that class, in one edit', () => {
    const e = relabelBox.perform(NO_EDITS, { id: 'm7', cls: 'WBC', modelCls: 'RBC', keep: true });
    expect(e.kept).toEqual(['m7']);
    expect(e.relabeled).toEqual({ m7: 'WBC' });
    // its own class: counted as it is
    const same = relabelBox.perform(NO_EDITS, { id: 'm7', cls: 'RBC', modelCls: 'RBC', keep: true });
    expect(same).toMatchObject({ kept: ['m7'], relabeled: {} });
  });

  it('a verified WBC relabelled to another class and back is unverified, with the classifier\'s type (audit 2026-12-06, differential)', () => {
    // m1: the model's WBC, typed neutrophil 0.9 by the classifier; the technician typed it monocyte in the gallery
    const probs = { m1: [0.9, 0.04, 0.02, 0.02, 0.01, 0.005, 0.005] };
    const shown = (e: typeof NO_EDITS) => applyReview(applyTypes(applyEdits(dets, e), e.typed, probs, WBC_TYPES), e);
    const typed = reclassifyCell.perform(NO_EDITS, { id: 'm1', to: 'monocyte' });
    expect(shown(typed)[1].wbc).toMatchObject({ type: 'monocyte', verified: true });
    for (const cls of ['RBC', 'Platelets'] as const) {
      const away = relabelBox.perform(typed, { id: 'm1', cls, modelCls: 'WBC' });
      expect(away.verified ?? []).toEqual([]);
      const back = relabelBox.perform(away, { id: 'm1', cls: 'WBC', modelCls: 'WBC' });
      // before: { type: 'monocyte', origin: 'manual', verified: true }, counted in the released differential
      expect(shown(back)[1].wbc).toEqual({ type: 'neutrophil', p: 0.9, origin: 'model' });
      const st = differentialState(shown(back), DEFAULT_RULES, 0.6);
      expect(st).toMatchObject({ verified: 0, unverified: 1, basedOn: 0 });
      expect(isEdited(back)).toBe(false);
    }
    // a smudge put apart with a note, relabelled RBC and back: a WBC to look at again, no category
    const smudge = reclassifyCell.perform(NO_EDITS, { id: 'm1', to: 'smudge', note: 'crushed' });
    const again = relabelBox.perform(relabelBox.perform(smudge, { id: 'm1', cls: 'RBC', modelCls: 'WBC' }), { id: 'm1', cls: 'WBC', modelCls: 'WBC' });
    expect(shown(again)[1].wbc).toEqual({ type: 'neutrophil', p: 0.9, origin: 'model' });
    // a drawn WBC verified with the type the classifier gave it: relabelled and back, it is unverified too
    const drawn = addBox.perform(NO_EDITS, { cls: 'WBC', box: { x1: 50, y1: 50, x2: 60, y2: 60 }, ...size });
    const checked = verifyCells.perform(drawn, { ids: ['u0'], verified: true, types: { u0: 'lymphocyte' } });
    const round = relabelBox.perform(relabelBox.perform(checked, { id: 'u0', cls: 'RBC' }), { id: 'u0', cls: 'WBC' });
    expect(round.verified).toEqual([]);
    expect(round.typed).toEqual({});
    // a relabel that changes nothing leaves the review alone
    expect(relabelBox.perform(typed, { id: 'm1', cls: 'WBC', modelCls: 'WBC' })).toBe(typed);
  });
});
