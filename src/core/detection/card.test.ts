import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelCardError, parseModelCard } from './card';

const shipped = JSON.parse(readFileSync(new URL('../../../models/smearcount-frcnn.json', import.meta.url), 'utf8'));

describe('parseModelCard', () => {
  it('reads the shipped card', () => {
    const c = parseModelCard(shipped);
    expect(c.file).toBe('smearcount-frcnn.onnx');
    expect(c.classes.map((x) => x.name)).toEqual(['RBC', 'WBC', 'Platelets']);
    expect(c.nativeSize).toEqual({ width: 512, height: 384 });
    expect(c.scale!.referenceRbcPx).toBeGreaterThan(40);
    expect(c.scale!.tolerance).toBeGreaterThan(1);
    expect(c.postprocess.countRule).toBe('all');
    for (const v of Object.values(c.postprocess.scoreThresholds)) expect(v).toBeGreaterThan(0);
    expect(c.postprocess.nmsIou).toBeGreaterThan(0);
  });
  it('refuses cards without a hash or with classes out of order', () => {
    expect(() => parseModelCard({ ...shipped, sha256: 'abc' })).toThrow(ModelCardError);
    expect(() => parseModelCard({ ...shipped, classes: [...shipped.classes].reverse() })).toThrow(/class 1 must be RBC/);
    expect(() => parseModelCard(null)).toThrow(ModelCardError);
    expect(() => parseModelCard({ ...shipped, scale: { ...shipped.scale, tolerance: 0.5 } })).toThrow(/scale settings/);
    // the enlarged pass's calibration: optional, numbers per known class
    expect(parseModelCard({ ...shipped, scale: { ...shipped.scale, enlarged_logit_shift: { RBC: 1.25, WBC: 0 } } }).scale!.enlargedLogitShift).toEqual({ RBC: 1.25, WBC: 0 });
    expect(() => parseModelCard({ ...shipped, scale: { ...shipped.scale, enlarged_logit_shift: { Monocyte: 1 } } })).toThrow(/unknown class/);
    expect(() => parseModelCard({ ...shipped, scale: { ...shipped.scale, enlarged_logit_shift: { RBC: 'a lot' } } })).toThrow(/enlarged_logit_shift/);
    // a card that does not say its native size is refused (there is no safe guess)
    expect(() => parseModelCard({ ...shipped, input: { ...shipped.input, native_size: undefined } })).toThrow(/native_size/);
    // an older card without scale settings still loads: one pass at the plan scale
    expect(parseModelCard({ ...shipped, scale: undefined }).scale).toBeNull();
  });
  it('takes any count rule as the card default, and refuses an unknown one', () => {
    for (const rule of ['all', 'interior', 'half'] as const) {
      expect(parseModelCard({ ...shipped, count_rule: { default: rule } }).postprocess.countRule).toBe(rule);
    }
    expect(parseModelCard({ ...shipped, count_rule: undefined }).postprocess.countRule).toBe('all');
    expect(() => parseModelCard({ ...shipped, count_rule: { default: 'edges' } })).toThrow(/count_rule.default/);
  });
});
