import { describe, expect, it } from 'vitest';
import type { Detection } from '../../core/detection/detection';
import { canvasWords, labelOf, typeLabel } from './labelText';

const wbc = (w: Partial<NonNullable<Detection['wbc']>>): NonNullable<Detection['wbc']> => ({ type: 'neutrophil', p: 0.93, origin: 'model', ...w });
const box = (w?: NonNullable<Detection['wbc']>, origin: Detection['origin'] = 'model'): Detection => ({ id: 'm1', cls: 'WBC', score: 0.971, box: { x1: 0, y1: 0, x2: 10, y2: 10 }, origin, wbc: w });
const code = { neutrophil: 'NEU' };

describe("the canvas's words beside a box, in the browser's locale", () => {
  it("the type label: the classifier's probability with the locale's decimal sign", () => {
    // before: "NEU 0.93" drawn on a German or French lab's canvas, beside "0,93" in the review line
    expect(typeLabel(wbc({}), code, 0.5, 'de-DE')).toBe('NEU 0,93');
    expect(typeLabel(wbc({ p: 0.41 }), code, 0.5, 'fr-FR')).toBe('NEU 0,41 ?');
    expect(typeLabel(wbc({}), code, 0.5, 'en-US')).toBe('NEU 0.93');
    // no figure where none was computed: verified, or set by hand
    expect(typeLabel(wbc({ verified: true }), code, 0.5, 'de-DE')).toBe('NEU ✓');
    expect(typeLabel(wbc({ origin: 'manual', p: 1 }), code, 0.5, 'de-DE')).toBe('NEU ✎');
  });
  it("the tooltip: the box's score and the type text, both with the locale's decimal sign", () => {
    // before: "WBC 0.97 · neutrophil 0.93" in a German lab
    expect(labelOf(box(wbc({})), 'de-DE')).toBe('WBC 0,97 · neutrophil 0,93');
    expect(labelOf(box(wbc({ grey: true })), 'fr-FR')).toBe('WBC 0,97 · neutrophil 0,93, no colour in the image: unsure');
    expect(labelOf(box(undefined, 'manual'), 'de-DE')).toBe('WBC manual');
    // the machine form where no locale is given
    expect(labelOf(box(wbc({})))).toBe('WBC 0.97 · neutrophil 0.93');
  });
  it("the canvas's words for a screen reader: its counts grouped as the counts panel's", () => {
    const dets = [...Array.from({ length: 1363 }, () => ({ cls: 'RBC' as const })), { cls: 'WBC' as const }];
    // before: "1364 boxes shown (1363 RBC, …)" beside the panel's "1.363"
    expect(canvasWords('a.jpg', dets, 1200, 'de-DE')).toBe('Smear image a.jpg: 1.364 boxes shown (1.363 RBC, 1 WBC, 0 Platelets); 1.200 more left out by the count rule');
    expect(canvasWords('a.jpg', dets.slice(-2), 0)).toBe('Smear image a.jpg: 2 boxes shown (1 RBC, 1 WBC, 0 Platelets)');
  });
});
