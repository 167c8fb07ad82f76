import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { addBox, deleteBox, keepBox, moveBox, relabelBox } from './commands';
import { NO_EDITS, type Edits } from './edits';
import { reclassifyCell, verifyCells } from './gallery';
import { addSummaries, editWords, NO_EDIT_SUMMARY, summarizeEdits } from './summary';

const det = (id: string, cls: Detection['cls'], x: number): Detection => ({ id, cls, score: 0.9, box: { x1: x, y1: 10, x2: x + 30, y2: 40 }, origin: 'model' });
const model = [det('m0', 'RBC', 0), det('m1', 'RBC', 50), det('m2', 'WBC', 100), det('m3', 'WBC', 150), det('m4', 'Platelets', 200)];
const modelType = (id: string) => (id === 'm2' || id === 'm3' ? 'neutrophil' : undefined);
const size = { width: 640, height: 480 };

describe('edit summary', () => {
  it('counts what the edits change against the model, net of what was undone or deleted again', () => {
    let e: Edits = NO_EDITS;
    e = deleteBox.perform(e, { id: 'm0' });
    e = relabelBox.perform(e, { id: 'm1', cls: 'Platelets' });
    e = moveBox.perform(e, { id: 'm4', box: { x1: 200, y1: 12, x2: 232, y2: 42 }, ...size });
    e = addBox.perform(e, { cls: 'RBC', box: { x1: 300, y1: 10, x2: 330, y2: 40 }, ...size });
    // drawn, then deleted again: nothing was added
    e = addBox.perform(e, { cls: 'RBC', box: { x1: 400, y1: 10, x2: 430, y2: 40 }, ...size });
    e = deleteBox.perform(e, { id: e.added[1].id });
    e = reclassifyCell.perform(e, { id: 'm2', to: 'lymphocyte' });
    e = reclassifyCell.perform(e, { id: 'm3', to: 'other', note: 'blast?' });
    e = keepBox.perform(e, { id: 'm9' });
    const s = summarizeEdits(e, model, modelType);
    expect(s).toEqual({ added: 1, deleted: 1, relabelled: 1, moved: 1, kept: 1, reclassified: 1, setApart: 1 });
    expect(editWords(s)).toBe('1 box added, 1 deleted, 1 relabelled, 1 moved, 1 under the threshold kept; 1 WBC reclassified, 1 WBC set apart (smudge / other)');
  });
  it('verifying keeps the type the cell showed: no reclassification; a relabelled then deleted box is only deleted', () => {
    let e = verifyCells.perform(NO_EDITS, { ids: ['m2', 'm3'], verified: true, types: { m2: 'neutrophil', m3: 'neutrophil' } });
    expect(summarizeEdits(e, model, modelType)).toEqual(NO_EDIT_SUMMARY);
    expect(editWords(summarizeEdits(e, model, modelType))).toBe('');
    e = relabelBox.perform(e, { id: 'm0', cls: 'WBC' });
    e = deleteBox.perform(e, { id: 'm0' });
    e = reclassifyCell.perform(e, { id: 'm3', to: 'monocyte' });
    const s = summarizeEdits(e, model, modelType);
    expect(s).toMatchObject({ deleted: 1, relabelled: 0, reclassified: 1 });
    expect(editWords(addSummaries([s, s]))).toBe('2 boxes deleted; 2 WBCs reclassified');
  });
});
