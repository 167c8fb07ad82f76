import { describe, expect, it } from 'vitest';
import { AppError, errorMessage } from '../errors';
import { cellKey, emptyProfile, MAX_PROFILE_CELLS, parseProfile, profileJson, storedSettings } from './profile';

const id = { name: 'wbc', sha256: 'a'.repeat(64), dim: 4 };
const good = () => ({ ...emptyProfile(id, 'half'), fixedScale: 1.5, cells: [{ key: 'img/m0', type: 'neutrophil', e: [0.1, 0.2, 0.3, 0.4], modelRight: false }] });

describe('microscope profile files', () => {
  it('round-trips (embeddings rounded to 5 digits)', () => {
    const p = parseProfile(profileJson({ ...good(), cells: [{ key: 'k', type: 'monocyte', e: [0.123456789, 1, 2, 3] }] } as never), id);
    expect(p.cells[0].e[0]).toBe(0.12346);
    expect(p.fixedScale).toBe(1.5);
    expect(p.countRule).toBe('half');
  });
  it('keeps every count rule the settings offer, the two-edge rule too', () => {
    for (const rule of ['all', 'half', 'top-left', 'interior'] as const) {
      expect(parseProfile(profileJson({ ...good(), countRule: rule } as never), id).countRule).toBe(rule);
    }
  });
  it('keeps every magnification the settings offer, from 2× smaller to 2× larger cells', () => {
    for (const s of [null, 0.5, 0.625, 0.8, 1, 1.25, 1.6, 2, 1.5]) expect(parseProfile(profileJson({ ...good(), fixedScale: s } as never), id).fixedScale).toBe(s);
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
    // a zoom the settings cannot offer (cells 15× smaller; 1/20 of their size) is no microscope's
    for (const s of [0, 15, 0.06, 2.5, 0.4, 'abc', '1.5', true]) expect(t({ ...good(), fixedScale: s }), String(s)).toThrow(/scale override/);
    expect(t({ ...good(), cells: Array(MAX_PROFILE_CELLS + 1).fill(good().cells[0]) })).toThrow(/at most/);
    expect(t(' '.repeat(17 * 1024 * 1024))).toThrow(/too large/);
  });
});

describe('a stored profile\'s settings', () => {
  it('are applied where this app sets such values, and said where not', () => {
    expect(storedSettings({ fixedScale: 1.6, countRule: 'top-left' })).toEqual({ fixedScale: 1.6, countRule: 'top-left', refused: [] });
    expect(storedSettings({ fixedScale: null, countRule: 'all' })).toEqual({ fixedScale: null, countRule: 'all', refused: [] });
    const odd = storedSettings({ fixedScale: 15, countRule: 'corners' });
    expect(odd).toMatchObject({ fixedScale: null, countRule: null });
    expect(odd.refused.join('; ')).toMatch(/scale override 15 .*estimated per image; unknown count rule corners/);
    expect(storedSettings({ fixedScale: -1, countRule: undefined }).refused).toHaveLength(2);
  });
});

describe('what the profile keeps', () => {
  it('embeddings, types and the agreement bit only: no image hash, file name or cell id, in the file or after import', () => {
    const p = { ...good(), cells: [{ key: '9f86d081884c7d65/m12', type: 'neutrophil' as const, e: [0.1, 0.2, 0.3, 0.4], modelRight: true }] };
    const text = profileJson(p as never);
    expect(text).not.toContain('9f86d081884c7d65');
    expect(text).not.toContain('m12');
    expect(JSON.parse(text).cells[0]).toEqual({ type: 'neutrophil', e: [0.1, 0.2, 0.3, 0.4], modelRight: true });
    // a file from an older version with ids in it: they are dropped on import
    const old = JSON.stringify({ ...good(), cells: [{ key: 'abcdef0123/m7', type: 'monocyte', e: [1, 2, 3, 4] }] });
    const back = parseProfile(old, id);
    expect(back.cells[0].key).toBe(cellKey([1, 2, 3, 4]));
    expect(JSON.stringify(back)).not.toContain('abcdef0123');
    // the key is the embedding's: the same cell gives the same key before and after a round trip
    expect(parseProfile(profileJson(p as never), id).cells[0].key).toBe(cellKey([0.1, 0.2, 0.3, 0.4]));
    expect(cellKey([0.1, 0.2, 0.3, 0.4])).not.toBe(cellKey([0.1, 0.2, 0.3, 0.41]));
  });
});

describe('errors', () => {
  it('a bad profile is a coded AppError with the sentence the page shows', () => {
    let err: unknown;
    try {
      parseProfile('hello', id);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('profile');
    expect(errorMessage(err)).toBe('Not imported, nothing changed: the file is not JSON.');
  });
});
