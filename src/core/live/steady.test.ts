import { describe, expect, it } from 'vitest';
import { RUN, SteadyReading, type Reading } from './steady';

const reading = (at: number, RBC: number, WBC = 1, Platelets = 2): Reading<number> => ({ at, counts: { RBC, WBC, Platelets }, item: at });

/** The RBC figures shown for previews of `rbc` taken 100 ms apart in one still period begun at 0. */
function shown(rbc: number[], steady = new SteadyReading<number>()): number[] {
  return rbc.map((n, i) => steady.add(reading(100 * (i + 1), n), 0).counts.RBC);
}

describe('steady figures on a still view', () => {
  it("a preview's jitter of a cell or two about the figure shown leaves it shown (measured on the fake camera's grain)", () => {
    // one second of a still field with a sensor's noise, before: each preview's own figure
    expect(shown([21, 20, 22, 21, 22, 21])).toEqual([21, 21, 21, 21, 21, 21]);
    expect(shown([22, 21, 22, 22, 21, 23, 22, 20, 22])).toEqual(Array(9).fill(22));
  });

  it(`a real change in one class shows once ${RUN} previews in a row agree on its direction, with that preview's boxes`, () => {
    const steady = new SteadyReading<number>();
    expect(shown([15, 15, 21, 21, 21, 21], steady)).toEqual([15, 15, 15, 15, 21, 21]);
    // the boxes shown are the preview's whose counts are shown (they agree)
    expect(steady.add(reading(700, 21), 0).item).toBe(500);
    // a WBC coming into focus: the other classes unchanged
    const wbc = new SteadyReading<number>();
    const seq = [1, 1, 2, 2, 2].map((w, i) => wbc.add(reading(100 * (i + 1), 30, w), 0).counts.WBC);
    expect(seq).toEqual([1, 1, 1, 1, 2]);
    // higher, lower, higher: no direction agreed
    expect(shown([20, 22, 18, 22, 18, 22])).toEqual(Array(6).fill(20));
  });

  it('a new still period (the slide moved, a new field) shows its first preview at once, and every preview while moving', () => {
    const steady = new SteadyReading<number>();
    expect(shown([21, 22], steady)).toEqual([21, 21]);
    // the view moved at 250: the new field's first preview (frame at 300) shows
    expect(steady.add(reading(300, 40), 250).counts.RBC).toBe(40);
    // moving: each frame is a still period of its own (stillSince = its time), each preview shown as it comes
    expect([41, 39, 44].map((n, i) => steady.add(reading(400 + 100 * i, n), 400 + 100 * i).counts.RBC)).toEqual([41, 39, 44]);
    // a preview begun while the view moved, ended in the still period: shown at once (the view fades it as stale)
    expect(steady.add(reading(650, 10), 700).counts.RBC).toBe(10);
    expect(steady.add(reading(750, 30), 700).counts.RBC).toBe(30);
  });

  it('after reset (the boxes taken away: dark, a pause, the phone turned) the next preview shows at once', () => {
    const steady = new SteadyReading<number>();
    shown([21, 21], steady);
    steady.reset();
    expect(steady.add(reading(500, 25), 0).counts.RBC).toBe(25);
  });
});
