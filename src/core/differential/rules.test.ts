import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { ADULT_REFERENCE, DEFAULT_RULES, differentialState, flagOf, parseIntervals, parseRules, reportRows, rulesProgressText } from './rules';
import { differential, type WbcType } from './differential';

let k = 0;
const wbc = (type: WbcType, extra: Partial<NonNullable<Detection['wbc']>> = {}): Detection => ({
  id: `m${k++}`,
  cls: 'WBC',
  score: 0.9,
  box: { x1: 0, y1: 0, x2: 10, y2: 10 } as Detection['box'],
  origin: 'model',
  wbc: { type, p: 0.9, origin: 'model', ...extra },
});

describe('differential rules', () => {
  it('released on verified cells; unverified, unsure, smudge and other kept apart', () => {
    const dets = [
      wbc('neutrophil', { verified: true }),
      wbc('neutrophil', { verified: true }),
      wbc('lymphocyte', { verified: true }),
      wbc('lymphocyte'),
      wbc('monocyte', { p: 0.3 }),
      wbc('neutrophil', { verified: true, category: 'smudge' }),
      wbc('neutrophil', { category: 'other' }),
      { ...wbc('neutrophil'), wbc: undefined },
      { ...wbc('neutrophil'), cls: 'RBC' as const },
    ];
    const s = differentialState(dets, { target: 100, basis: 'verified' }, 0.6);
    expect(s).toMatchObject({ verified: 3, unverified: 2, unsure: 1, smudge: 1, other: 1, untyped: 1, typed: 5, basedOn: 3, reached: false, over: 0 });
    expect(s.released.percent.neutrophil).toBeCloseTo(200 / 3);
    const all = differentialState(dets, { target: 100, basis: 'all' }, 0.6);
    expect(all.basedOn).toBe(5);
    expect(all.released.counts.monocyte).toBe(1);
    expect(rulesProgressText(s)).toBe('3 of 100 verified WBC');
    expect(rulesProgressText(all)).toBe('5 of 100 WBC');
  });
  it('the target: reached at 100, and cells beyond it are said', () => {
    const many = (n: number) => Array.from({ length: n }, () => wbc('neutrophil', { verified: true }));
    const at = differentialState(many(100), { target: 100, basis: 'verified' }, 0.6);
    expect(at).toMatchObject({ reached: true, over: 0 });
    expect(rulesProgressText(at)).toBe('100 of 100 verified WBC: target reached');
    const past = differentialState(many(103), { target: 100, basis: 'verified' }, 0.6);
    expect(rulesProgressText(past)).toBe('103 of 100 verified WBC: target reached, 3 beyond it');
    expect(differentialState(many(150), { target: 200, basis: 'verified' }, 0.6).reached).toBe(false);
  });
  it('report rows: % with H/L flags at the printed precision, absolute counts from the analyser WBC', () => {
    const types: WbcType[] = [...Array<WbcType>(85).fill('neutrophil'), ...Array<WbcType>(10).fill('lymphocyte'), ...Array<WbcType>(5).fill('monocyte'), 'erythroblast'];
    const rows = reportRows(differential(types), 10, ADULT_REFERENCE);
    const r = Object.fromEntries(rows.map((x) => [x.type, x]));
    expect(r.neutrophil).toMatchObject({ n: 85, percent: 85, absolute: 8.5, flag: 'H', absoluteFlag: 'H' });
    expect(r.lymphocyte).toMatchObject({ percent: 10, flag: 'L', absolute: 1, absoluteFlag: '' });
    expect(r.monocyte.flag).toBe('');
    expect(r.eosinophil).toMatchObject({ percent: 0, flag: 'L', absoluteFlag: 'L' });
    expect(r.immature_granulocyte.flag).toBe(''); // no interval: no flag
    expect(r.erythroblast).toMatchObject({ percent: 1, absolute: null, flag: 'H' });
    expect(reportRows(differential(types), null, ADULT_REFERENCE).every((x) => x.absolute === null && x.absoluteFlag === '')).toBe(true);
    expect(flagOf(39.96, { low: 40, high: 80 })).toBe('L');
    expect(flagOf(null, { low: 40, high: 80 })).toBe('');
  });
  it('configurable intervals are checked and keep a source', () => {
    expect(parseIntervals({ source: 'Lab X 2026', percent: { neutrophil: { low: 45, high: 75 } } }).percent.neutrophil).toEqual({ low: 45, high: 75 });
    expect(() => parseIntervals({ percent: {} })).toThrow(/source/);
    expect(() => parseIntervals({ source: 'x', percent: { neutrophil: { low: 80, high: 40 } } })).toThrow(/low <= high/);
    expect(() => parseIntervals({ source: 'x', absolute: { blast: { low: 0, high: 1 } } })).toThrow(/unknown type/);
    expect(parseIntervals(JSON.parse(JSON.stringify(ADULT_REFERENCE)))).toEqual(ADULT_REFERENCE); // survives storage
  });
  it('stored rules are checked field by field', () => {
    expect(parseRules({ target: 200, basis: 'all' })).toEqual({ target: 200, basis: 'all' });
    expect(parseRules({ target: 150, basis: 'all' })).toEqual({ target: DEFAULT_RULES.target, basis: 'all' });
    expect(parseRules(null)).toEqual(DEFAULT_RULES);
  });
});
