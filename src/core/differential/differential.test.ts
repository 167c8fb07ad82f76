import { describe, expect, it } from 'vitest';
import { cropRect, normaliseCrop, softmax } from './crop';
import { differential, IN_DIFFERENTIAL, typeText, WBC_TYPES, wbcTypeOf, type WbcType } from './differential';

describe('crop rule', () => {
  it('is a square centred on the box, factor x its longer side (may reach past the image)', () => {
    expect(cropRect({ x1: 100, y1: 50, x2: 200, y2: 110 }, 1.4)).toEqual({ x: 80, y: 10, side: 140 });
    expect(cropRect({ x1: 0, y1: 0, x2: 40, y2: 80 }, 1.5)).toEqual({ x: -40, y: -20, side: 120 });
  });
  it('normalises each channel by its percentile and clips: a per-cell white balance', () => {
    const size = 4;
    const rgba = new Uint8ClampedArray(size * size * 4);
    for (let i = 0; i < size * size; i++) {
      // background (bright, bluish cast) except one dark "nucleus" pixel
      const dark = i === 5;
      rgba.set(dark ? [60, 30, 90, 255] : [200, 210, 240, 255], 4 * i);
    }
    const x = normaliseCrop(rgba, { factor: 1.4, size, pad: 0.5, percentile: 0.95, clip: 1.5 });
    expect(x).toHaveLength(3 * size * size);
    // the background becomes white (1, 1, 1) whatever the cast; the nucleus keeps its ratios to it
    for (const c of [0, 1, 2]) expect(x[c * 16]).toBeCloseTo(1);
    expect(x[0 * 16 + 5]).toBeCloseTo(60 / 200);
    expect(x[1 * 16 + 5]).toBeCloseTo(30 / 210);
    expect(x[2 * 16 + 5]).toBeCloseTo(90 / 240);
    expect(() => normaliseCrop(new Uint8ClampedArray(3), { factor: 1, size, pad: 0.5, percentile: 0.95, clip: 1.5 })).toThrow(RangeError);
  });
  it('softmax sums to one and keeps the order', () => {
    const p = softmax([1, 3, 2]);
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1);
    expect(p[1]).toBeGreaterThan(p[2]);
    expect(p[2]).toBeGreaterThan(p[0]);
  });
});

describe('differential arithmetic', () => {
  const many = (t: WbcType, n: number) => Array<WbcType>(n).fill(t);
  it('percent over the six types inside the 100%; erythroblasts per 100 WBC outside it', () => {
    const d = differential([...many('neutrophil', 60), ...many('lymphocyte', 30), ...many('monocyte', 6), ...many('eosinophil', 3), ...many('basophil', 1), ...many('erythroblast', 5)]);
    expect(d.total).toBe(100);
    expect(d.classified).toBe(105);
    expect(d.percent.neutrophil).toBe(60);
    expect(d.percent.erythroblast).toBe(0);
    expect(d.nrbcPer100).toBe(5);
    expect(IN_DIFFERENTIAL.reduce((s, t) => s + d.percent[t], 0)).toBeCloseTo(100);
  });
  it('fractions and the empty case', () => {
    const d = differential(['neutrophil', 'neutrophil', 'immature_granulocyte', 'erythroblast']);
    expect(d.percent.neutrophil).toBeCloseTo(66.667, 2);
    expect(d.percent.immature_granulocyte).toBeCloseTo(33.333, 2);
    expect(d.nrbcPer100).toBeCloseTo(33.333, 2);
    const e = differential([]);
    expect(e.total).toBe(0);
    expect(e.nrbcPer100).toBeNull();
    expect(Object.values(e.percent).every((v) => v === 0)).toBe(true);
  });
  it('clinical order: neutrophils, lymphocytes, monocytes, eosinophils, basophils, then immature granulocytes', () => {
    expect(IN_DIFFERENTIAL).toEqual(['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte']);
    expect(WBC_TYPES.at(-1)).toBe('erythroblast');
  });
});

describe('classification metrics', () => {
  it('accuracy, balanced accuracy over the types present, recall and the confusion matrix', async () => {
    const { classificationMetrics } = await import('./crop');
    const m = classificationMetrics([0, 0, 0, 1, 2], [0, 0, 1, 1, 0], ['a', 'b', 'c', 'd']);
    expect(m.accuracy).toBeCloseTo(3 / 5);
    expect(m.perClass.a.recall).toBeCloseTo(2 / 3);
    expect(m.perClass.d).toEqual({ recall: null, support: 0 });
    expect(m.balancedAccuracy).toBeCloseTo((2 / 3 + 1 + 0) / 3);
    expect(m.confusion[0]).toEqual([2, 1, 0, 0]);
  });
});

describe('crop normalisation', () => {
  const rule = { factor: 1.4, size: 2, pad: 0.5, percentile: 0.95, clip: 1.5 };
  it('divides each channel by its percentile value and clips', async () => {
    const { normaliseChw } = await import('./crop');
    const chw = Float32Array.from([0.2, 0.8, 0.8, 0.8, 0.1, 0.5, 0.5, 0.5, 0.3, 0.9, 0.9, 0.9]);
    expect(Array.from(normaliseChw(chw, rule)).map((v) => +v.toFixed(3))).toEqual([0.25, 1, 1, 1, 0.2, 1, 1, 1, 0.333, 1, 1, 1]);
  });
  it('the byte path (the app: canvas RGBA) gives what the float path (the eval CLI) gives on the same pixels', async () => {
    const { normaliseChw, normaliseCrop } = await import('./crop');
    const size = 8;
    const n = size * size;
    const rgba = new Uint8Array(4 * n);
    for (let i = 0; i < n; i++) rgba.set([(i * 37) % 256, (i * 11 + 40) % 256, (i * 3) % 50, 255], 4 * i);
    const chw = new Float32Array(3 * n);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) chw[c * n + i] = rgba[4 * i + c] / 255;
    const r = { ...rule, size };
    const bytes = normaliseCrop(rgba, r);
    expect(Array.from(bytes)).toEqual(Array.from(normaliseChw(chw, r)));
    // and it is not trivially so: the channels differ and the dark one is floored, not divided by ~0
    expect(new Set(Array.from(bytes)).size).toBeGreaterThan(20);
    expect(Math.max(...bytes.subarray(2 * n))).toBeLessThan(1.5);
  });
});

describe('wbcTypeOf', () => {
  it("reads other datasets' folder and label names: Raabin's, PBC's, abbreviations and plurals", () => {
    const cases: [string, WbcType | null][] = [
      ['Neutrophil', 'neutrophil'], ['neutrophils', 'neutrophil'], ['NEU', 'neutrophil'], ['band', 'neutrophil'], ['Segmented neutrophil', 'neutrophil'],
      ['Lymphocyte', 'lymphocyte'], ['lymphs', 'lymphocyte'], ['Monocytes', 'monocyte'], ['EOS', 'eosinophil'], ['Eosinophil', 'eosinophil'],
      ['basophil', 'basophil'], ['BASO', 'basophil'], ['ig', 'immature_granulocyte'], ['immature granulocytes', 'immature_granulocyte'],
      ['erythroblast', 'erythroblast'], ['NRBC', 'erythroblast'],
      ['platelet', null], ['smudge', null], ['', null], ['Neutrophil-ish', null],
    ];
    for (const [name, type] of cases) expect(wbcTypeOf(name), name).toBe(type);
    for (const t of WBC_TYPES) expect(wbcTypeOf(t)).toBe(t);
  });
});

describe('the type text', () => {
  it("gives the model's probability with the decimal sign of `locale` (the review line, the tooltip), a decimal point without one", () => {
    // before: "neutrophil 0.93" in a German or French lab, beside the counts' "22,7"
    expect(typeText({ type: 'neutrophil', origin: 'model', p: 0.93 }, 'de-DE')).toBe('neutrophil 0,93');
    expect(typeText({ type: 'immature_granulocyte', origin: 'model', p: 0.5, small: true }, 'fr-FR')).toBe('immature granulocyte 0,50, box too small for a WBC: unsure');
    expect(typeText({ type: 'neutrophil', origin: 'model', p: 0.93 }, 'en-US')).toBe('neutrophil 0.93');
    expect(typeText({ type: 'neutrophil', origin: 'model', p: 0.93 })).toBe('neutrophil 0.93');
  });
});
