import { describe, expect, it } from 'vitest';
import { emptyProfile, MAX_PROFILE_CELLS, parseProfile, profileJson } from './profile';

const id = { name: 'wbc', sha256: 'a'.repeat(64), dim: 4 };
const good = () => ({ ...emptyProfile(id, 'half'), fixedScale: 1.5, cells: [{ key: 'img/m0', type: 'neutrophil', e: [0.1, 0.2, 0.3, 0.4], modelRight: false }] });

describe('microscope profile files', () => {
  it('round-trips (embeddings rounded to 5 digits)', () => {
    const p = parseProfile(profileJson({ ...good(), cells: [{ key: 'k', type: 'monocyte', e: [0.123456789, 1, 2, 3] }] } as never), id);
    expect(p.cells[0].e[0]).toBe(0.12346);
    expect(p.fixedScale).toBe(1.5);
    expect(p.countRule).toBe('half');
  });
  it('refuses bad, foreign and oversized files with a reason', () => {
    const t = (x: unknown) => () => parseProfile(typeof x === 'string' ? x : JSON.stringify(x), id);
    expect(t('{')).toThrow(/not JSON/);
    expect(t({ format: 'other' })).toThrow(/not a smearcount microscope profile/);
    expect(t({ ...good(), version: 2 })).toThrow(/version 2/);
    expect(t({ ...good(), classifier: { ...good().classifier, sha256: 'b'.repeat(64) } })).toThrow(/another WBC classifier/);
    expect(t({ ...good(), classifier: { ...good().classifier, embeddingDim: 8 } })).toThrow(/8 values/);
    expect(t({ ...good(), cells: [{ key: 'k', type: 'blast', e: [1, 2, 3, 4] }] })).toThrow(/unknown type blast/);
    expect(t({ ...good(), cells: [{ key: 'k', type: 'neutrophil', e: [1, 2, 3] }] })).toThrow(/4 values/);
    expect(t(`{"format":"smearcount-microscope-profile","cells":[{"e":[1e999]}]}`.replace('"cells"', `"version":1,"classifier":${JSON.stringify(good().classifier)},"cells"`))).toThrow(/type/);
    expect(t({ ...good(), cells: [{ key: 'k', type: 'neutrophil', e: [1, 2, 3, null] }] })).toThrow(/not a finite number/);
    expect(t({ ...good(), fixedScale: -1 })).toThrow(/scale override/);
    expect(t({ ...good(), countRule: 'some' })).toThrow(/count rule/);
    expect(t({ ...good(), cells: Array(MAX_PROFILE_CELLS + 1).fill(good().cells[0]) })).toThrow(/at most/);
    expect(t(' '.repeat(17 * 1024 * 1024))).toThrow(/too large/);
  });
});
