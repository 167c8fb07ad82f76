import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { ADULT_REFERENCE, apartText, beyondTarget, DEFAULT_RULES, differentialState, flagOf, flagsAllowed, modelLean, parseIntervals, parseRules, printedDifferential, reportRows, rulesProgressText, samplingInterval, TOO_FEW_CELLS, wbcBasis, wbcBasisWords } from './rules';
import { differential, type WbcType } from './differential';
import { AppError, errorMessage } from '../errors';

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
    // 'all' is the panel's preliminary view only: the released differential stays on verified cells
    const all = differentialState(dets, { target: 100, basis: 'all' }, 0.6);
    expect(all.basedOn).toBe(3);
    expect(all.released.counts.monocyte).toBe(0);
    expect(all.preliminary.total).toBe(5);
    expect(all.preliminary.counts.monocyte).toBe(1);
    expect(rulesProgressText(s)).toBe('3 WBC verified (target 100)');
    expect(rulesProgressText(all)).toBe('3 WBC verified (target 100)');
    // the rest, once each: the panel said the typed cells three times ("5 WBC classified (target 100)", "3 WBC
    // verified (target 100)", "3 verified · 2 unverified"), the target and the verified cells twice
    expect(apartText(s)).toBe('2 typed, not verified (1 unsure) · 1 waiting for a type · 1 smudge · 1 other');
    expect(apartText(differentialState([wbc('neutrophil', { verified: true })], DEFAULT_RULES, 0.6))).toBe('');
    expect(apartText(differentialState([wbc('neutrophil')], DEFAULT_RULES, 0.6))).toBe('1 typed, not verified');
    // unverified and untyped cells remain and the target is not reached: nothing to release
    expect(s.releasable).toBe(false);
    expect(all.releasable).toBe(false);
    expect(flagsAllowed(s, 'leukopenia')).toBe(false);
  });
  it('released below the target only when every WBC there is is verified; flags then need a reason', () => {
    const few = [wbc('basophil', { verified: true }), ...Array.from({ length: 7 }, () => wbc('neutrophil', { verified: true }))];
    const s = differentialState(few, DEFAULT_RULES, 0.6);
    expect(s).toMatchObject({ releasable: true, reached: false, basedOn: 8 });
    // BAS 12.5% would read H: not without the technician's reason
    expect(flagsAllowed(s, '')).toBe(false);
    expect(flagsAllowed(s, '  ')).toBe(false);
    expect(reportRows(s.released, null, ADULT_REFERENCE, flagsAllowed(s, '')).every((r) => r.flag === '')).toBe(true);
    expect(flagsAllowed(s, 'leukopenia: 8 cells in 40 fields')).toBe(true);
    // with the reason, BAS 12.5% is still 1 cell of 8: its 95% interval (0.3-52.7%) reaches into 0-2%, so no H
    expect(reportRows(s.released, null, ADULT_REFERENCE, true).find((r) => r.type === 'basophil')).toMatchObject({ flag: '', withheld: 'H' });
    // 7 of 8 neutrophils (87.5%, interval 47.3-99.7%) is no H either
    expect(reportRows(s.released, null, ADULT_REFERENCE, true).find((r) => r.type === 'neutrophil')).toMatchObject({ flag: '', withheld: 'H' });
    // one unsure unverified cell more: not releasable (it would never be in the figures unverified)
    const withUnsure = differentialState([...few, wbc('basophil', { p: 0.3 })], DEFAULT_RULES, 0.6);
    expect(withUnsure.releasable).toBe(false);
    expect(withUnsure.released.counts.basophil).toBe(1);
  });
  it('the target: reached at 100, and cells beyond it are said', () => {
    const many = (n: number) => Array.from({ length: n }, () => wbc('neutrophil', { verified: true }));
    const at = differentialState(many(100), { target: 100, basis: 'verified' }, 0.6);
    expect(at).toMatchObject({ reached: true, over: 0 });
    expect(rulesProgressText(at)).toBe('100 WBC verified: target 100 reached');
    // cells past the target are kept apart: not in the percentages
    const past = differentialState([...many(100), wbc('lymphocyte', { verified: true }), wbc('lymphocyte', { verified: true }), wbc('lymphocyte', { verified: true })], { target: 100, basis: 'verified' }, 0.6);
    expect(past).toMatchObject({ basedOn: 100, over: 3, verified: 103, releasable: true });
    expect(past.released.counts.lymphocyte).toBe(0);
    expect(past.released.percent.neutrophil).toBe(100);
    expect(rulesProgressText(past)).toBe('100 WBC verified: target 100 reached, 3 beyond it (kept apart)');
    // the target follows the setting
    const t200 = differentialState(many(150), { target: 200, basis: 'verified' }, 0.6);
    expect(t200).toMatchObject({ reached: false, basedOn: 150, over: 0 });
    expect(rulesProgressText(t200)).toBe('150 WBC verified (target 200)');
    expect(differentialState(many(230), { target: 200, basis: 'verified' }, 0.6)).toMatchObject({ basedOn: 200, over: 30 });
  });
  it('beyondTarget: the verified cells past the target, the ones the figures leave out', () => {
    // batch order: 99 NEU, an unverified LYM, a smudge, an NRBC (no cell towards the target), the 100th NEU,
    // then a verified EOS, an NRBC and a MON past the target
    const dets = [
      ...Array.from({ length: 99 }, () => wbc('neutrophil', { verified: true })),
      wbc('lymphocyte'),
      wbc('neutrophil', { verified: true, category: 'smudge' }),
      wbc('erythroblast', { verified: true }),
      wbc('neutrophil', { verified: true }),
      wbc('eosinophil', { verified: true }),
      { ...wbc('neutrophil'), cls: 'RBC' as const },
      wbc('erythroblast', { verified: true }),
      wbc('monocyte', { verified: true }),
    ];
    const past = beyondTarget(dets, 100);
    expect([...past]).toEqual([103, 105, 106]);
    const s = differentialState(dets, DEFAULT_RULES, 0.6);
    expect(s.over).toBe(past.size);
    // what is left of the verified typed cells is what the figures count, type by type
    const kept = dets.filter((d, i) => d.cls === 'WBC' && d.wbc?.verified && !d.wbc.category && !past.has(i));
    for (const t of ['neutrophil', 'eosinophil', 'monocyte', 'erythroblast'] as const) expect(kept.filter((d) => d.wbc!.type === t).length).toBe(s.released.counts[t]);
    expect(beyondTarget(dets, 200).size).toBe(0);
  });
  it('report rows: % with H/L flags at the printed precision, absolute counts from the analyser WBC', () => {
    const types: WbcType[] = [...Array<WbcType>(85).fill('neutrophil'), ...Array<WbcType>(10).fill('lymphocyte'), ...Array<WbcType>(5).fill('monocyte'), 'erythroblast'];
    // the analyser's count entered as already corrected for NRBC: absolute = % × WBC as entered
    const rows = reportRows(differential(types), 10, ADULT_REFERENCE, true, true);
    const r = Object.fromEntries(rows.map((x) => [x.type, x]));
    // 85 of 100 (95% interval 76.5-91.4%) reaches into 40-80%: no H on that count; 8.5 ×10⁹/L (7.6-9.1) is above 2-7
    expect(r.neutrophil).toMatchObject({ n: 85, percent: 85, absolute: 8.5, flag: '', withheld: 'H', absoluteFlag: 'H', absoluteWithheld: '' });
    // 10 of 100 (4.9-17.6%) is below 20-40% even at its top: L
    expect(r.lymphocyte).toMatchObject({ percent: 10, flag: 'L', withheld: '', absolute: 1, absoluteFlag: '' });
    expect(r.monocyte.flag).toBe('');
    // 0 of 100 eosinophils could be up to 3.6% (0.36 ×10⁹/L): no L on either
    expect(r.eosinophil).toMatchObject({ percent: 0, flag: '', withheld: 'L', absoluteFlag: '', absoluteWithheld: 'L' });
    expect(r.immature_granulocyte.flag).toBe(''); // no interval: no flag
    // 1 erythroblast per 100 WBC: its interval's bottom is above 0 (none expected)
    expect(r.erythroblast).toMatchObject({ percent: 1, flag: 'H', withheld: '' });
    // the NRBC absolute count, of the count entered (already corrected by the analyser)
    expect(r.erythroblast.absolute).toBeCloseTo(0.1, 12);
    expect(reportRows(differential(types), null, ADULT_REFERENCE).every((x) => x.absolute === null && x.absoluteFlag === '')).toBe(true);
    expect(flagOf(39.96, { low: 40, high: 80 })).toBe('L');
    expect(flagOf(null, { low: 40, high: 80 })).toBe('');
  });
  it('absolute counts from the WBC corrected for the NRBC the differential counted (audit 2026-12-06, differential)', () => {
    // 100 WBC typed and 10 erythroblasts: an analyser WBC of 11 counted 110 nucleated cells for every 100 white
    // ones, so the white cells are 11 × 100 / 110 = 10 ×10⁹/L. Before, 60% neutrophils read 6.60 instead of 6.00
    const types: WbcType[] = [...Array<WbcType>(60).fill('neutrophil'), ...Array<WbcType>(30).fill('lymphocyte'), ...Array<WbcType>(10).fill('monocyte'), ...Array<WbcType>(10).fill('erythroblast')];
    const d = differential(types);
    expect(wbcBasis(11, d.nrbcPer100)).toEqual({ analyser: 11, nrbcPer100: 10, used: 10, correction: 'applied' });
    const r = Object.fromEntries(reportRows(d, 11, ADULT_REFERENCE).map((x) => [x.type, x]));
    expect(r.neutrophil.absolute).toBeCloseTo(6, 12);
    expect(r.lymphocyte.absolute).toBeCloseTo(3, 12);
    expect(r.monocyte.absolute).toBeCloseTo(1, 12);
    // NRBC absolute, as an analyser gives it: 10 per 100 of the corrected 10 (= 11 × 10 / 110), corrected once
    expect(r.erythroblast.percent).toBe(10);
    expect(r.erythroblast.absolute).toBeCloseTo(1, 12);
    // the sampling interval of the absolute count is of the corrected count too: 30 of 100 lymphocytes (21.3-39.9%)
    // × 10 lies inside 1-3, where × 11 (2.34-4.39) would have reached over it
    expect(r.lymphocyte).toMatchObject({ absoluteFlag: '', absoluteWithheld: '' });
    // entered as already corrected by the analyser: not corrected again
    expect(wbcBasis(11, 10, true)).toEqual({ analyser: 11, nrbcPer100: 10, used: 11, correction: 'analyser' });
    expect(reportRows(d, 11, ADULT_REFERENCE, true, true).find((x) => x.type === 'neutrophil')!.absolute).toBeCloseTo(6.6, 12);
    // no NRBC counted, or no cell at all: nothing to correct
    expect(wbcBasis(6.4, 0)).toMatchObject({ used: 6.4, correction: 'none' });
    expect(wbcBasis(6.4, null)).toMatchObject({ used: 6.4, correction: 'none' });
    expect(wbcBasis(null, 10)).toBeNull();
    // which count was used, in the report's words
    expect(wbcBasisWords(wbcBasis(11, d.nrbcPer100)!)).toBe('absolute counts ×10⁹/L from the WBC corrected for 10.0 NRBC per 100 WBC: 10.00 ×10⁹/L (analyser WBC 11 ×10⁹/L uncorrected, × 100 / (100 + NRBC))');
    expect(wbcBasisWords(wbcBasis(11, 10, true)!)).toBe('absolute counts ×10⁹/L from the analyser WBC 11 ×10⁹/L, entered as already corrected for NRBC by the analyser (not corrected again)');
    expect(wbcBasisWords(wbcBasis(6.4, 0)!)).toBe('absolute counts ×10⁹/L from the analyser WBC 6.4 ×10⁹/L (no NRBC counted in the differential: no correction)');
    // the printed differential carries the count it used, from the released cells
    // (erythroblasts met before the 100th WBC: those after it are beyond the target, as at the microscope)
    const cells = [...types.slice(100), ...types.slice(0, 100)].map((t) => wbc(t, { verified: true }));
    const p = printedDifferential(differentialState(cells, DEFAULT_RULES, 0.6), 11, ADULT_REFERENCE, '');
    expect(p.wbc).toMatchObject({ used: 10, correction: 'applied' });
    expect(p.rows.find((x) => x.type === 'neutrophil')!.absoluteText).toBe('6.00');
  });
  it('an absolute count of a type seen never prints as 0.00: under 0.005 ×10⁹/L it reads "< 0.01" (report audit, 2026-12-07)', () => {
    // 1 basophil in 100 verified cells at an analyser WBC of 0.4 ×10⁹/L (a leukopenic sample): 0.004 ×10⁹/L, printed
    // "0.00" beside "1.0" %, as if none had been counted
    const cells = [...Array<WbcType>(99).fill('neutrophil'), 'basophil' as WbcType].map((t) => wbc(t, { verified: true }));
    const st = differentialState(cells, DEFAULT_RULES, 0.6);
    const row = (p: ReturnType<typeof printedDifferential>, t: WbcType) => p.rows.find((x) => x.type === t)!;
    const p = printedDifferential(st, 0.4, ADULT_REFERENCE, '');
    expect(row(p, 'basophil')).toMatchObject({ n: 1, percentText: '1.0', absoluteText: '< 0.01' });
    expect(row(p, 'basophil').absolute).toBeCloseTo(0.004, 12);
    // a type not seen stays 0.00, and the others to 0.01 as before
    expect(row(p, 'eosinophil').absoluteText).toBe('0.00');
    expect(row(p, 'neutrophil').absoluteText).toBe('0.40');
    expect(row(printedDifferential(st, 0.4, ADULT_REFERENCE, '', false, 'de-DE'), 'basophil').absoluteText).toBe('< 0,01');
  });
  it('H/L only where the number of cells counted supports it (Rümke’s binomial intervals)', () => {
    const ref = { source: 'test', percent: { neutrophil: { low: 40, high: 80 }, basophil: { low: 0, high: 1 }, eosinophil: { low: 1, high: 6 } }, absolute: { basophil: { low: 0.02, high: 0.1 } } };
    // 0 basophils of 23 cells (the audit's case): the printed 0.00 ×10⁹/L is under 0.02, but 0 of 23 can be up
    // to 14.8% of the WBCs (0.95 ×10⁹/L at WBC 6.4): no L (abs), and no L on % (the interval starts at 0)
    const few = differential([...Array<WbcType>(15).fill('neutrophil'), ...Array<WbcType>(8).fill('lymphocyte')]);
    const bas = reportRows(few, 6.4, ref).find((r) => r.type === 'basophil')!;
    expect(bas.sampling!.high).toBeCloseTo(100 * (1 - 0.025 ** (1 / 23)), 9);
    expect(bas).toMatchObject({ n: 0, percent: 0, absolute: 0, flag: '', absoluteFlag: '', withheld: '', absoluteWithheld: 'L' });
    // 0 of 23 eosinophils against 1-6%: under 1% on its face, but up to 14.8%: withheld
    expect(reportRows(few, 6.4, ref).find((r) => r.type === 'eosinophil')).toMatchObject({ flag: '', withheld: 'L' });
    // 0 neutrophils of 200 cells: at most 1.83%, far under 40%: L
    const none = differential(Array<WbcType>(200).fill('lymphocyte'));
    const neu = reportRows(none, null, ref).find((r) => r.type === 'neutrophil')!;
    expect(neu.sampling!.high).toBeCloseTo(1.83, 2);
    expect(neu).toMatchObject({ flag: 'L', withheld: '' });
    // the boundary: 0 of n is L against a 1% low only once 1 - 0.025^(1/n) < 1%, i.e. n >= 368
    const zeroOf = (n: number) => reportRows(differential(Array<WbcType>(n).fill('lymphocyte')), null, ref).find((r) => r.type === 'eosinophil')!.flag;
    expect(zeroOf(367)).toBe('');
    expect(zeroOf(368)).toBe('L');
    // H needs the interval's bottom above the high: 2 of 23 basophils (8.7%, 1.1-28.0%) is H against 0-1%; 1 of 23 (0.1-21.9%) is not
    const b2 = differential([...Array<WbcType>(21).fill('neutrophil'), 'basophil', 'basophil']);
    expect(reportRows(b2, null, ref).find((r) => r.type === 'basophil')).toMatchObject({ flag: 'H', withheld: '' });
    const b1 = differential([...Array<WbcType>(22).fill('neutrophil'), 'basophil']);
    expect(reportRows(b1, null, ref).find((r) => r.type === 'basophil')).toMatchObject({ flag: '', withheld: 'H' });
    // erythroblasts per 100 WBC: none among 100 nucleated cells is p <= 1 - 0.025^(1/100), 0-3.76 per 100 WBC
    expect(samplingInterval('erythroblast', differential(Array<WbcType>(100).fill('neutrophil')))!.high).toBeCloseTo(100 * (1 / 0.025 ** (1 / 100) - 1), 6);
  });
  it('the printed differential: withheld flags and "no interval set" are said', () => {
    const cells = [...Array.from({ length: 15 }, () => wbc('neutrophil', { verified: true })), ...Array.from({ length: 8 }, () => wbc('lymphocyte', { verified: true }))];
    const st = differentialState(cells, DEFAULT_RULES, 0.6);
    const p = printedDifferential(st, 6.4, ADULT_REFERENCE, 'leukopenia');
    const r = Object.fromEntries(p.rows.map((x) => [x.type, x]));
    expect(p).toMatchObject({ shown: true, flags: true, withheld: true });
    expect(r.basophil).toMatchObject({ flagText: '', withheldText: 'L (abs)', note: TOO_FEW_CELLS });
    expect(r.eosinophil).toMatchObject({ flagText: '', withheldText: 'L', note: TOO_FEW_CELLS });
    expect(r.immature_granulocyte).toMatchObject({ flagText: '', withheldText: '', note: 'no interval set' });
    expect(r.neutrophil).toMatchObject({ flagText: '', note: '' });
    // not released: nothing printed, nothing said
    const un = printedDifferential(differentialState([...cells, wbc('neutrophil')], DEFAULT_RULES, 0.6), 6.4, ADULT_REFERENCE, '');
    expect(un.withheld).toBe(false);
    expect(un.rows.every((x) => x.note === '' && x.flagText === '')).toBe(true);
    // the report's figures in the reader's locale, the exports' with a decimal point (before: "65.2" in a German lab)
    expect([r.neutrophil.percentText, r.neutrophil.absoluteText]).toEqual(['65.2', '4.17']);
    const de = Object.fromEntries(printedDifferential(st, 6.4, ADULT_REFERENCE, 'leukopenia', false, 'de-DE').rows.map((x) => [x.type, x]));
    expect([de.neutrophil.percentText, de.neutrophil.absoluteText, de.monocyte.percentText]).toEqual(['65,2', '4,17', '0,0']);
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

describe("the model's lean", () => {
  const many = (t: WbcType, n: number, extra: Partial<NonNullable<Detection['wbc']>> = {}) => Array.from({ length: n }, () => wbc(t, extra));
  it('a type far outside any differential, among the cells only the model typed, is named', () => {
    // the warm microscope of issue 21: neutrophils and monocytes read as eosinophils
    const s = differentialState([...many('eosinophil', 14), ...many('neutrophil', 5), ...many('lymphocyte', 3)], DEFAULT_RULES, 0.6);
    const lean = modelLean(s.modelOnly, ADULT_REFERENCE)!;
    expect(lean).toMatchObject({ type: 'eosinophil', cells: 14, interval: { low: 1, high: 6 } });
    expect(lean.value).toBeCloseTo((100 * 14) / 22, 9);
    // a soft camera read as erythroblasts (70% of the cells: 233 per 100 WBC), judged per 100 WBC
    const soft = modelLean(differentialState([...many('erythroblast', 21), ...many('neutrophil', 9)], DEFAULT_RULES, 0.6).modelOnly, ADULT_REFERENCE)!;
    expect(soft.type).toBe('erythroblast');
    expect(soft.value).toBeCloseTo(233.3, 1);
  });
  it('a normal differential, a balanced set of seven types, too few cells, or verified cells: nothing', () => {
    const normal = [...many('neutrophil', 60), ...many('lymphocyte', 30), ...many('monocyte', 6), ...many('eosinophil', 3), ...many('basophil', 1)];
    expect(modelLean(differentialState(normal, DEFAULT_RULES, 0.6).modelOnly, ADULT_REFERENCE)).toBeNull();
    // a curated set with every type equally (PBC's): 14% basophils is under max(3 x 2, 2 + 20)
    const types: WbcType[] = ['neutrophil', 'lymphocyte', 'monocyte', 'eosinophil', 'basophil', 'immature_granulocyte', 'erythroblast'];
    expect(modelLean(differentialState(types.flatMap((t) => many(t, 10)), DEFAULT_RULES, 0.6).modelOnly, ADULT_REFERENCE)).toBeNull();
    expect(modelLean(differentialState(many('eosinophil', 19), DEFAULT_RULES, 0.6).modelOnly, ADULT_REFERENCE)).toBeNull();
    // once the technician has verified them, the cells are theirs: not judged
    const checked = differentialState([...many('eosinophil', 14, { verified: true }), ...many('neutrophil', 8)], DEFAULT_RULES, 0.6);
    expect(checked.modelOnly.counts.eosinophil).toBe(0);
    expect(modelLean(checked.modelOnly, ADULT_REFERENCE)).toBeNull();
  });
  it("the lab's own intervals are the measure", () => {
    const dets = [...many('eosinophil', 7), ...many('neutrophil', 23)];
    expect(modelLean(differentialState(dets, DEFAULT_RULES, 0.6).modelOnly, ADULT_REFERENCE)).toBeNull(); // 23.3% < max(18, 26)
    const strict = { ...ADULT_REFERENCE, percent: { ...ADULT_REFERENCE.percent, eosinophil: { low: 0, high: 2 } } };
    expect(modelLean(differentialState(dets, DEFAULT_RULES, 0.6).modelOnly, strict)?.type).toBe('eosinophil');
  });
});

describe('reference interval errors', () => {
  it('are coded AppErrors', () => {
    let err: unknown;
    try {
      parseIntervals({ source: 'x', percent: { neutrophil: { low: 80, high: 40 } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('reference-intervals');
    expect(errorMessage(err)).toBe('Not saved: Percent neutrophil: low and high must be numbers, 0 <= low <= high.');
  });
});
