import { describe, expect, it } from 'vitest';
import { EMPTY_RECORD, candidates, chooseThreads, parseRecord, recordBatch } from './threadChoice';

describe('thread choice', () => {
  it('compares the default (cores - 1, at most 4) with one other; one thread without isolation or with one core', () => {
    expect(candidates(2, true)).toEqual([1, 2]);
    expect(candidates(8, true)).toEqual([4, 1]);
    expect(candidates(8, false)).toEqual([1]);
    expect(candidates(1, true)).toEqual([1]);
  });
  it('tries each candidate once, then keeps the faster by wall time per image, and retries the slower now and then', () => {
    let r = EMPTY_RECORD;
    expect(chooseThreads(r, 2, true)).toBe(1);
    r = recordBatch(r, 1, 20, 20 * 300);
    expect(chooseThreads(r, 2, true)).toBe(2);
    r = recordBatch(r, 2, 20, 20 * 360);
    expect(chooseThreads(r, 2, true)).toBe(1);
    const picks: number[] = [];
    for (let i = 0; i < 8; i++) {
      const t = chooseThreads(r, 2, true);
      picks.push(t);
      r = recordBatch(r, t, 20, 20 * (t === 1 ? 300 : 360));
    }
    expect(picks.filter((t) => t === 2)).toHaveLength(1);
    // a machine where two threads turn out faster switches to them
    for (let i = 0; i < 20; i++) {
      const t = chooseThreads(r, 2, true);
      r = recordBatch(r, t, 20, 20 * (t === 1 ? 300 : 150));
    }
    expect(chooseThreads(r, 2, true)).toBe(2);
  });
  it('a short batch is not recorded; a damaged record starts again', () => {
    expect(recordBatch(EMPTY_RECORD, 1, 3, 900)).toBe(EMPTY_RECORD);
    expect(parseRecord('{"x":')).toEqual(EMPTY_RECORD);
    expect(parseRecord(null)).toEqual(EMPTY_RECORD);
    const r = recordBatch(EMPTY_RECORD, 2, 10, 1000);
    expect(parseRecord(JSON.stringify(r))).toEqual(r);
  });
});
