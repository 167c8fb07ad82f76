import { describe, expect, it } from 'vitest';
import { undoText } from './undoText';

describe('undoText', () => {
  it('says what an undo or a redo changed, from its audit lines', () => {
    // the undo of a deletion writes deleted yes -> no: the edit it took back is the deletion
    expect(undoText('undo', 'a.jpg', [{ cell: 'm0', field: 'deleted', from: 'yes', to: 'no' }])).toBe('Undone on a.jpg: box deleted.');
    expect(undoText('redo', 'a.jpg', [{ cell: 'm0', field: 'deleted', from: 'no', to: 'yes' }])).toBe('Redone on a.jpg: box deleted.');
    expect(undoText('undo', 'a.jpg', [{ cell: 'm1', field: 'box', from: '1,2,3,4', to: '0,2,2,4' }])).toBe('Undone on a.jpg: box moved.');
    expect(undoText('undo', 'a.jpg', [{ cell: 'u0', field: 'added', from: 'RBC 1,2,3,4', to: null }])).toBe('Undone on a.jpg: box drawn.');
    expect(undoText('undo', 'a.jpg', [{ cell: 'm0', field: 'class', from: 'WBC', to: 'RBC' }])).toBe('Undone on a.jpg: class RBC → WBC.');
    expect(
      undoText('undo', 'b.jpg', [
        { cell: 'm2', field: 'type', from: 'monocyte', to: 'neutrophil' },
        { cell: 'm2', field: 'verified', from: 'yes', to: 'no' },
      ]),
    ).toBe('Undone on b.jpg: type neutrophil → monocyte, verified.');
  });
  it('says an image removed and put back (Remove image, then Ctrl+Z)', () => {
    // before: "Undone on live-0001.jpg." alone
    expect(undoText('undo', 'live-0001.jpg', [{ cell: '', field: 'image', from: 'removed', to: 'RBC 212, WBC 3, PLT 14' }])).toBe('Undone on live-0001.jpg: image removed.');
    expect(undoText('redo', 'live-0001.jpg', [{ cell: '', field: 'image', from: 'RBC 212, WBC 3, PLT 14', to: 'removed' }])).toBe('Redone on live-0001.jpg: image removed.');
  });
  it('names at most three changes, and a step with none it can name', () => {
    const many = ['m0', 'm1', 'm2', 'm3', 'm4'].map((cell, i) => ({ cell, field: 'class' as const, from: ['WBC', 'Platelets', 'x', 'WBC', 'y'][i], to: 'RBC' }));
    expect(undoText('redo', 'a.jpg', many)).toBe('Redone on a.jpg: class WBC → RBC, class Platelets → RBC, class x → RBC and 1 more.');
    expect(undoText('undo', 'a.jpg', [])).toBe('Undone on a.jpg.');
  });
});
