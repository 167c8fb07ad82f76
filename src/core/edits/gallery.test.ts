import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { diffEdits } from './audit';
import { NO_EDITS, applyTypes } from './edits';
import { applyReview, bulkVerifiable, reclassifyCell, setCellNote, verifyCells } from './gallery';
import { typeCode, typeText, typeUnsure, WBC_TYPES } from '../differential/differential';

const det = (id: string): Detection => ({ id, cls: 'WBC', score: 0.9, box: { x1: 0, y1: 0, x2: 10, y2: 10 } as Detection['box'], origin: 'model' });
const probs = { m0: [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01], m1: [0.1, 0.8, 0.02, 0.02, 0.02, 0.02, 0.02] };
const shown = (e = NO_EDITS) => applyReview(applyTypes([det('m0'), det('m1')], e.typed, probs, WBC_TYPES), e);

describe('gallery edits', () => {
  it('moving a cell sets its type (or category with a note) and marks it verified; moving back clears the category', () => {
    let e = reclassifyCell.perform(NO_EDITS, { id: 'm0', to: 'monocyte' });
    expect(shown(e)[0].wbc).toMatchObject({ type: 'monocyte', origin: 'manual', verified: true });
    e = reclassifyCell.perform(e, { id: 'm0', to: 'smudge', note: 'ruptured' });
    expect(shown(e)[0].wbc).toMatchObject({ category: 'smudge', note: 'ruptured', verified: true });
    e = setCellNote.perform(e, { id: 'm0', note: 'basket cell' });
    expect(shown(e)[0].wbc?.note).toBe('basket cell');
    expect(setCellNote.perform(e, { id: 'm1', note: 'x' })).toBe(e); // not in a category: nothing
    e = reclassifyCell.perform(e, { id: 'm0', to: 'lymphocyte' });
    expect(shown(e)[0].wbc).toMatchObject({ type: 'lymphocyte', verified: true });
    expect(shown(e)[0].wbc?.category).toBeUndefined();
  });
  it('moving a verified cell where it already is is no change (the same object): no empty undo step, nothing for Ctrl+Z to take back', () => {
    const e = reclassifyCell.perform(NO_EDITS, { id: 'm0', to: 'monocyte' });
    expect(reclassifyCell.perform(e, { id: 'm0', to: 'monocyte' })).toBe(e);
    const s = reclassifyCell.perform(e, { id: 'm0', to: 'smudge', note: 'ruptured' });
    expect(reclassifyCell.perform(s, { id: 'm0', to: 'smudge' })).toBe(s);
    expect(reclassifyCell.perform(s, { id: 'm0', to: 'smudge', note: 'ruptured' })).toBe(s);
    expect(reclassifyCell.perform(s, { id: 'm0', to: 'smudge', note: 'basket' }).excluded?.m0.note).toBe('basket');
    // a cell of that type not yet verified, or only the model's type: moving it there verifies it, a change
    const off = verifyCells.perform(e, { ids: ['m0'], verified: false });
    expect(shown(reclassifyCell.perform(off, { id: 'm0', to: 'monocyte' }))[0].wbc?.verified).toBe(true);
    expect(shown(reclassifyCell.perform(NO_EDITS, { id: 'm0', to: 'neutrophil' }))[0].wbc).toMatchObject({ type: 'neutrophil', origin: 'manual', verified: true });
  });
  it('verifying keeps the shown type; un-verifying leaves the type; no change is the same object', () => {
    const e = verifyCells.perform(NO_EDITS, { ids: ['m0', 'm1'], verified: true, types: { m0: 'neutrophil', m1: 'lymphocyte' } });
    expect(e.typed).toEqual({ m0: 'neutrophil', m1: 'lymphocyte' });
    expect(shown(e).map((d) => !!d.wbc?.verified)).toEqual([true, true]);
    expect(verifyCells.perform(e, { ids: ['m0'], verified: true, types: { m0: 'neutrophil' } })).toBe(e);
    const off = verifyCells.perform(e, { ids: ['m1'], verified: false });
    expect(shown(off).map((d) => !!d.wbc?.verified)).toEqual([true, false]);
    expect(shown(NO_EDITS)).toHaveLength(2);
  });
  it('a verification taken back lets go of the type it locked: the model\'s again, unsure where it was (audit 2026-12-06, differential)', () => {
    // m0: a neutrophil at 0.5, under the card's 0.6: unsure, verified one by one, not by "Verify all"
    const unsure = { ...probs, m0: [0.5, 0.3, 0.1, 0.05, 0.03, 0.01, 0.01] };
    const view = (e = NO_EDITS) => applyReview(applyTypes([det('m0'), det('m1')], e.typed, unsure, WBC_TYPES), e);
    const model = { m0: 'neutrophil', m1: 'lymphocyte' } as const;
    const before = view()[0];
    expect(typeUnsure(before.wbc!, 0.6)).toBe(true);
    const on = verifyCells.perform(NO_EDITS, { ids: ['m0'], verified: true, types: { m0: 'neutrophil' } });
    const off = verifyCells.perform(on, { ids: ['m0'], verified: false, modelTypes: model });
    // before: { type: 'neutrophil', p: 1, origin: 'manual', verified: false }: no longer unsure, so "Verify all"
    // took it with its group, and the boxes CSV said the type was set by hand
    expect(view(off)[0]).toEqual(before);
    expect(typeUnsure(view(off)[0].wbc!, 0.6)).toBe(true);
    expect(bulkVerifiable(view(off)[0], 0.6)).toBe(false);
    expect(off.typed).toEqual({});
    // a type the technician chose (a monocyte, not the model's neutrophil) stays theirs, unverified
    const moved = reclassifyCell.perform(NO_EDITS, { id: 'm0', to: 'monocyte' });
    const back = verifyCells.perform(moved, { ids: ['m0'], verified: false, modelTypes: model });
    expect(view(back)[0].wbc).toMatchObject({ type: 'monocyte', origin: 'manual' });
    expect(view(back)[0].wbc?.verified).toBeFalsy();
  });
  it('the audit trail says what changed, from what to what', () => {
    const a = reclassifyCell.perform(NO_EDITS, { id: 'm0', to: 'monocyte' });
    expect(diffEdits(NO_EDITS, a)).toEqual([
      { cell: 'm0', field: 'type', from: null, to: 'monocyte' },
      { cell: 'm0', field: 'verified', from: 'no', to: 'yes' },
    ]);
    const b = reclassifyCell.perform(a, { id: 'm0', to: 'other', note: 'blast?' });
    expect(diffEdits(a, b)).toEqual([
      { cell: 'm0', field: 'category', from: null, to: 'other' },
      { cell: 'm0', field: 'note', from: null, to: 'blast?' },
    ]);
    const c = { ...b, deleted: ['m1'], relabeled: { m2: 'RBC' as const } };
    expect(diffEdits(b, c)).toEqual([
      { cell: 'm1', field: 'deleted', from: 'no', to: 'yes' },
      { cell: 'm2', field: 'class', from: null, to: 'RBC' },
    ]);
    expect(diffEdits(c, c)).toEqual([]);
    // with the model's cells, a first relabel or move says what the model had, and undoing it says so too
    const model = [{ id: 'm2', cls: 'Platelets', box: { x1: 10, y1: 20, x2: 30.4, y2: 40 } }];
    expect(diffEdits(b, c, model)[1]).toEqual({ cell: 'm2', field: 'class', from: 'Platelets', to: 'RBC' });
    expect(diffEdits(c, b, model)[1]).toEqual({ cell: 'm2', field: 'class', from: 'RBC', to: 'Platelets' });
    const moved = { ...b, moved: { m2: { x1: 12, y1: 20, x2: 32, y2: 40 } } };
    // to 0.01 px, as the exports carry boxes: a move of a fraction of a pixel is a change too
    expect(diffEdits(b, moved, model)).toEqual([{ cell: 'm2', field: 'box', from: '10,20,30.4,40', to: '12,20,32,40' }]);
    expect(diffEdits(moved, { ...b, moved: { m2: { x1: 12.3, y1: 20, x2: 32.3, y2: 40 } } }, model)).toEqual([{ cell: 'm2', field: 'box', from: '12,20,32,40', to: '12.3,20,32.3,40' }]);
  });
});

describe('a cell moved to smudge / other, as the canvas and the review line name it', () => {
  const code = { neutrophil: 'NEU', monocyte: 'MON' };
  it('says its category, as the gallery and the differential count it, not the type it had (a smudge read "NEU ✓" on the canvas)', () => {
    const e = reclassifyCell.perform(NO_EDITS, { id: 'm0', to: 'smudge', note: 'ruptured' });
    const w = shown(e)[0].wbc!;
    expect(typeCode(w, code)).toBe('SMU');
    expect(typeText(w)).toBe('smudge / damaged (ruptured)');
    const o = shown(reclassifyCell.perform(NO_EDITS, { id: 'm0', to: 'other' }))[0].wbc!;
    expect(typeCode(o, code)).toBe('OTH');
    expect(typeText(o)).toBe('other / unidentified');
    const t = shown(reclassifyCell.perform(e, { id: 'm0', to: 'monocyte' }))[0].wbc!;
    expect(typeCode(t, code)).toBe('MON');
    expect(typeText(t)).toBe('monocyte (set by hand)');
  });
});

describe('bulk verification', () => {
  const cell = (wbc: NonNullable<Detection['wbc']>): Detection => ({ id: 'm0', cls: 'WBC', score: 0.9, box: { x1: 0, y1: 0, x2: 1, y2: 1 } as Detection['box'], origin: 'model', wbc });
  it('"Verify all" never verifies an unsure cell (a model type under the confidence threshold)', () => {
    expect(bulkVerifiable(cell({ type: 'basophil', p: 0.4, origin: 'model' }), 0.6)).toBe(false);
    expect(bulkVerifiable(cell({ type: 'basophil', p: 0.8, origin: 'model' }), 0.6)).toBe(true);
    // a type set by hand was looked at
    expect(bulkVerifiable(cell({ type: 'basophil', p: 1, origin: 'manual' }), 0.6)).toBe(true);
    expect(bulkVerifiable(cell({ type: 'basophil', p: 0.8, origin: 'model', verified: true }), 0.6)).toBe(false);
  });
});

describe('a WBC box too small to be a white cell (a platelet relabelled WBC)', () => {
  const box = (x: number, s: number) => ({ x1: x, y1: 0, x2: x + s, y2: s }) as Detection['box'];
  const rbcs: Detection[] = [0, 50, 100, 150].map((x, i) => ({ id: `r${i}`, cls: 'RBC', score: 0.9, box: box(x, 40), origin: 'model' }));
  const wbc = (id: string, s: number): Detection => ({ id, cls: 'WBC', score: 0.9, box: box(300, s), origin: 'manual' });
  const typed = (dets: Detection[]) => applyTypes(dets, undefined, { small: probs.m0, big: probs.m0, lobe: probs.m0 }, WBC_TYPES);
  it('keeps the model type and its probability but is unsure however confident; a cell the size of a lobe is not', () => {
    const out = typed([...rbcs, wbc('small', 16), wbc('lobe', 30), wbc('big', 70)]);
    const w = Object.fromEntries(out.filter((d) => d.cls === 'WBC').map((d) => [d.id, d.wbc!]));
    expect(w.small).toMatchObject({ type: 'neutrophil', p: 0.9, small: true });
    expect(w.lobe.small).toBeUndefined();
    expect(w.big.small).toBeUndefined();
    expect(typeUnsure(w.small, 0.6)).toBe(true);
    expect(typeUnsure(w.big, 0.6)).toBe(false);
    // "Verify all" leaves it to be verified on its own, like any unsure type
    expect(bulkVerifiable(out.find((d) => d.id === 'small')!, 0.6)).toBe(false);
  });
  it('says nothing where the image has too few RBCs to measure, and a type set by hand is never unsure', () => {
    expect(typed([rbcs[0], wbc('small', 16)])[1].wbc!.small).toBeUndefined();
    const byHand = applyTypes([...rbcs, wbc('small', 16)], { small: 'lymphocyte' }, { small: probs.m0 }, WBC_TYPES).at(-1)!.wbc!;
    expect(byHand).toMatchObject({ origin: 'manual', p: 1 });
    expect(typeUnsure(byHand, 0.6)).toBe(false);
  });
});

describe('WBCs of an image without colour (a monochrome camera)', () => {
  const box = { x1: 0, y1: 0, x2: 70, y2: 70 } as Detection['box'];
  const wbc = (id: string): Detection => ({ id, cls: 'WBC', score: 0.9, box, origin: 'model' });
  it('keep the model type and its probability but are unsure however confident, and say why; a type set by hand is not', () => {
    const [model, manual] = applyTypes([wbc('a'), wbc('b')], { b: 'monocyte' }, { a: probs.m0, b: probs.m0 }, WBC_TYPES, { grey: true });
    expect(model.wbc).toMatchObject({ type: 'neutrophil', p: 0.9, grey: true });
    expect(typeUnsure(model.wbc!, 0.6)).toBe(true);
    expect(typeText(model.wbc!)).toBe('neutrophil 0.90, no colour in the image: unsure');
    expect(bulkVerifiable(model, 0.6)).toBe(false);
    expect(manual.wbc).toMatchObject({ type: 'monocyte', origin: 'manual' });
    expect(typeUnsure(manual.wbc!, 0.6)).toBe(false);
    expect(typeText(manual.wbc!)).toBe('monocyte (set by hand)');
    // in colour, the same cell is sure
    expect(typeUnsure(applyTypes([wbc('a')], undefined, { a: probs.m0 }, WBC_TYPES)[0].wbc!, 0.6)).toBe(false);
  });
});
