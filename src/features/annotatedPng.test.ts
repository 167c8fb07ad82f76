import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection/detection';
import { pngLabel } from './annotatedPng';

const d = (cls: Detection['cls'], wbc?: Detection['wbc']): Detection => ({ id: 'm0', cls, score: 0.9, box: { x1: 0, y1: 0, x2: 10, y2: 10 }, origin: 'model', wbc });
const codes = { neutrophil: 'NEU', eosinophil: 'EOS' };

describe('the annotated PNG label', () => {
  it('names the class, platelets as PLT', () => {
    expect(pngLabel(d('RBC'), codes)).toBe('RBC');
    expect(pngLabel(d('Platelets'), codes)).toBe('PLT');
    expect(pngLabel(d('WBC'), codes)).toBe('WBC');
  });
  it("gives a WBC its type's code, ticked once a person set or verified it", () => {
    expect(pngLabel(d('WBC', { type: 'neutrophil', p: 0.9, origin: 'model' }), codes)).toBe('WBC NEU');
    expect(pngLabel(d('WBC', { type: 'eosinophil', p: 1, origin: 'manual' }), codes)).toBe('WBC EOS ✎');
    expect(pngLabel(d('WBC', { type: 'neutrophil', p: 0.9, origin: 'model', verified: true }), codes)).toBe('WBC NEU ✓');
  });
  it('names a manual category (smudge, other) rather than the type under it', () => {
    expect(pngLabel(d('WBC', { type: 'neutrophil', p: 0.9, origin: 'model', category: 'smudge', verified: true }), codes)).toBe('WBC SMU ✓');
  });
});
