import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection/detection';
import { drawOutlines, MAX_CANVAS_PIXELS, pngLabel, pngScale, scaledNote, wrapText } from './annotatedPng';
import { pngFooter, type ExportImage, type ExportRelease } from '../core/formats/exports';

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

describe("the annotated PNG's outlines", () => {
  /** A 2D context that records the path calls drawOutlines makes. */
  function recorder() {
    const calls: unknown[][] = [];
    const ctx = {
      strokeStyle: '' as string | CanvasGradient | CanvasPattern,
      beginPath: () => calls.push(['beginPath']),
      rect: (...a: number[]) => calls.push(['rect', ...a]),
      roundRect: (...a: unknown[]) => calls.push(['roundRect', ...a]),
      stroke: () => calls.push(['stroke', ctx.strokeStyle]),
      setLineDash: (a: number[]) => calls.push(['dash', ...a]),
    };
    return { ctx, calls };
  }
  const color = { RBC: '#e5484d', WBC: '#3e63dd', Platelets: '#f5a623' };
  const at = (cls: Detection['cls'], x1: number, y1: number, x2: number, y2: number, origin: Detection['origin'] = 'model'): Detection => ({ id: cls, cls, score: 0.9, box: { x1, y1, x2, y2 }, origin });

  it('draws a platelet round and a red or white cell square, each in its colour, as on the canvas', () => {
    const { ctx, calls } = recorder();
    drawOutlines(ctx, [at('RBC', 10, 10, 50, 46), at('Platelets', 100, 100, 120, 116), at('WBC', 200, 200, 260, 262)], color, 2);
    expect(calls).toEqual([
      ['dash'], ['beginPath'], ['rect', 10, 10, 40, 36], ['stroke', '#e5484d'],
      ['dash'], ['beginPath'], ['roundRect', 100, 100, 20, 16, 8], ['stroke', '#f5a623'],
      ['dash'], ['beginPath'], ['rect', 200, 200, 60, 62], ['stroke', '#3e63dd'],
    ]);
  });
  it('dashes a box set by hand, and keeps its shape', () => {
    const { ctx, calls } = recorder();
    drawOutlines(ctx, [at('Platelets', 0, 0, 30, 30, 'manual')], color, 3);
    expect(calls).toEqual([['dash', 9, 6], ['beginPath'], ['roundRect', 0, 0, 30, 30, 15], ['stroke', '#f5a623']]);
  });
});

describe("the annotated PNG's footer", () => {
  // 1 unit a character: a 20-unit line holds 20 characters
  const measure = (s: string) => s.length;
  it('breaks between words, every word kept, no line wider than the image unless one word is', () => {
    const text = 'Sample S-9 · a.jpg: RBC 1, WBC 2, PLT 0 · Released · verified by AB at 2026-12-06T10:00:00+01:00';
    const lines = wrapText(text, 20, measure);
    expect(lines.join(' ')).toBe(text);
    for (const l of lines) expect(l.length <= 20 || !l.includes(' ')).toBe(true);
    expect(wrapText('short', 20, measure)).toEqual(['short']);
    expect(wrapText('a 2026-12-06T10:00:00+01:00 b', 10, measure)).toEqual(['a', '2026-12-06T10:00:00+01:00', 'b']);
    expect(wrapText('', 10, measure)).toEqual([]);
  });
  it('never breaks at a no-break space, and keeps it: a French count stays whole on its line', () => {
    // before: split at the U+202F of "1 363" and joined again with a plain space, or broken over two lines
    expect(wrapText('RBC 1\u202f363, WBC 12', 9, measure)).toEqual(['RBC', '1\u202f363,', 'WBC 12']);
    expect(wrapText('a\u00a0b c', 3, measure)).toEqual(['a\u00a0b', 'c']);
  });
  it('gives the counts as the browser\'s country groups them (the picture is read by people); without a locale, as the CSV row', () => {
    const det = (cls: 'RBC' | 'WBC' | 'Platelets', i: number): Detection => ({ id: `${cls}${i}`, cls, score: 0.9, box: { x1: 0, y1: 0, x2: 5, y2: 5 }, origin: 'model' });
    const dets = [...Array.from({ length: 1363 }, (_, i) => det('RBC', i)), det('WBC', 0), det('Platelets', 0)];
    const im: ExportImage = { name: 'a.jpg', width: 10, height: 10, detections: dets, reviewed: false, edited: false, countRule: 'all' };
    const rel: ExportRelease = { state: 'preliminary', verifiedBy: '', releasedAt: '', revision: '', withdrawn: '' };
    // before: "RBC 1363" under a German or French browser, beside the counts panel's "1.363"
    expect(pngFooter(im, 'a.jpg', 'S-9', rel, 'de-DE')).toContain(': RBC 1.363, WBC 1, PLT 1 ·');
    expect(pngFooter(im, 'a.jpg', 'S-9', rel, 'fr-FR')).toContain(': RBC 1\u202f363, WBC 1, PLT 1 ·');
    expect(pngFooter(im, 'a.jpg', 'S-9', rel)).toContain(': RBC 1363, WBC 1, PLT 1 ·');
  });
  it('says the smaller size in the browser\'s decimal sign on the picture, with a decimal point in the PNG\'s text chunk', () => {
    // before: "70.7%" and "16.8 megapixels" drawn on a German lab's picture
    expect(scaledNote(0.7071, 'de-DE')).toBe("Drawn at 70,7% of the image's size (a browser draws at most 16,8 megapixels); the box coordinates in the other exports are the image's own.");
    expect(scaledNote(0.5, 'fr-FR')).toContain('Drawn at 50% ');
    expect(scaledNote(0.7071)).toContain('Drawn at 70.7% ');
  });
});

describe("the annotated PNG's size: never past what a browser's canvas holds", () => {
  const band = (width: number) => Math.round(width / 20); // a footer band that grows with the width, as the labels' font does
  it('draws a microscope camera\'s field, or a phone\'s 12 MP photo, at its own size', () => {
    expect(pngScale(640, 480, band)).toBe(1);
    expect(pngScale(4032, 3024, band)).toBe(1);
  });
  it('draws a 24 or 48 MP photo as large as fits, band included', () => {
    for (const [w, h] of [[5712, 4284], [8064, 6048], [20000, 100]]) {
      const k = pngScale(w, h, band);
      const W = Math.floor(w * k);
      const area = W * (Math.floor(h * k) + band(W));
      expect(area).toBeLessThanOrEqual(MAX_CANVAS_PIXELS);
      expect(area).toBeGreaterThan(MAX_CANVAS_PIXELS * 0.99);
    }
  });
  it('says at what size', () => {
    expect(scaledNote(0.7071)).toBe("Drawn at 70.7% of the image's size (a browser draws at most 16.8 megapixels); the box coordinates in the other exports are the image's own.");
  });
});
