import { describe, expect, it } from 'vitest';
import { batchEstimate, countCells, countsSentence, formatRatio, leukocyteCounts, perFieldText, PLATELET_CLUMP_CHECK, summarize } from './counts';

describe('counts', () => {
  it('tallies per class', () => {
    expect(countCells([{ cls: 'RBC' }, { cls: 'RBC' }, { cls: 'Platelets' }])).toEqual({ RBC: 2, WBC: 0, Platelets: 1 });
  });
  it('summarises a batch with means and ratios', () => {
    const s = summarize([
      { RBC: 10, WBC: 1, Platelets: 2 },
      { RBC: 30, WBC: 1, Platelets: 0 },
    ]);
    expect(s.totals).toEqual({ RBC: 40, WBC: 2, Platelets: 2 });
    expect(s.meanPerImage).toEqual({ RBC: 20, WBC: 1, Platelets: 1 });
    expect(s.wbcPerRbc).toBeCloseTo(0.05);
    expect(formatRatio(s.wbcPerRbc)).toBe('1 : 20.0');
    // in the reader's locale: a decimal comma in a German lab, grouped thousands
    expect(formatRatio(s.wbcPerRbc, 'de-DE')).toBe('1 : 20,0');
    expect(formatRatio(1 / 1500, 'de-DE')).toBe('1 : 1.500,0');
  });
  it('has no ratio without RBCs', () => {
    const s = summarize([]);
    expect(s.wbcPerRbc).toBeNull();
    expect(formatRatio(null)).toBe('–');
    expect(formatRatio(0)).toBe('none'); // no WBC among the RBCs: not "one per 0"
  });
});

describe('perFieldText', () => {
  it('gives a mean per field to 0.1, and a nonzero one never as zero (report audit: 1 NRBC in 30 fields printed "0.0")', () => {
    expect(perFieldText(0)).toBe('0.0');
    expect(perFieldText(2 / 3)).toBe('0.7');
    expect(perFieldText(12.34)).toBe('12.3');
    // under 0.05: as many decimals as its first significant digit needs, up to three
    expect(perFieldText(1 / 30)).toBe('0.03');
    expect(perFieldText(1 / 300)).toBe('0.003');
    expect(perFieldText(0.049)).toBe('0.05');
    expect(perFieldText(1 / 3000)).toBe('< 0.001');
    // as the reader's country writes it, as the rest of the report
    expect(perFieldText(1 / 30, 'de-DE')).toBe('0,03');
    expect(perFieldText(1 / 3000, 'de-DE')).toBe('< 0,001');
    expect(perFieldText(1234.56, 'de-DE')).toBe('1.234,6');
  });
});

describe('leukocyteCounts', () => {
  it('leaves the WBC boxes typed NRBC out of WBC and counts them apart; smudge or other set aside stay WBC boxes', () => {
    const w = (type: string, category?: string) => ({ cls: 'WBC' as const, wbc: { type, ...(category ? { category } : {}) } });
    const dets = [{ cls: 'RBC' as const }, w('neutrophil'), w('erythroblast'), w('erythroblast'), w('erythroblast', 'smudge'), { cls: 'WBC' as const }, { cls: 'Platelets' as const }];
    expect(leukocyteCounts(dets)).toEqual({ counts: { RBC: 1, WBC: 3, Platelets: 1 }, nrbc: 2 });
  });
});

describe('countsSentence', () => {
  it('says platelet for one and platelets otherwise; RBC and WBC stay abbreviations', () => {
    expect(countsSentence({ RBC: 26, WBC: 1, Platelets: 1 })).toBe('26 RBC, 1 WBC, 1 platelet');
    expect(countsSentence({ RBC: 1, WBC: 0, Platelets: 0 })).toBe('1 RBC, 0 WBC, 0 platelets');
    expect(countsSentence({ RBC: 3, WBC: 2, Platelets: 14 })).toBe('3 RBC, 2 WBC, 14 platelets');
  });
  it('a platelet estimate below 150 ×10⁹/L says to check for clumps first, and one with clumps is a minimum', () => {
    const low = summarize([{ RBC: 30, WBC: 1, Platelets: 2 }, { RBC: 30, WBC: 1, Platelets: 3 }, { RBC: 30, WBC: 0, Platelets: 2 }]);
    expect(batchEstimate(low, 'Platelets', 20000).caution).toBe(PLATELET_CLUMP_CHECK);
    expect(batchEstimate(low, 'Platelets', 20000).value).toBe('≈ 47 ×10⁹/L');
    expect(batchEstimate(low, 'Platelets', 20000, 1).value).toBe('≥ 47 ×10⁹/L');
    expect(batchEstimate(low, 'Platelets', 20000, 1).basis).toBe('7 in 3 fields; a minimum: platelet clumps in 1 field');
    const normal = summarize([{ RBC: 30, WBC: 1, Platelets: 12 }, { RBC: 30, WBC: 1, Platelets: 14 }]);
    expect(batchEstimate(normal, 'Platelets', 20000).caution).toBeNull();
    // WBCs have no such check, and clumps are no reason to doubt them
    expect(batchEstimate(low, 'WBC', 2000, 1).caution).toBeNull();
    expect(batchEstimate(low, 'WBC', 2000, 1).value.startsWith('≈')).toBe(true);
  });
});
