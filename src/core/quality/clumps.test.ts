import { describe, expect, it } from 'vitest';
import type { Detection } from '../detection/detection';
import { CLUMP_GAP, plateletClumps } from './clumps';
import { allFlags } from './flags';

const box = (id: string, cls: Detection['cls'], x: number, y: number, s: number): Detection => ({
  id,
  cls,
  score: 0.9,
  origin: 'model',
  box: { x1: x, y1: y, x2: x + s, y2: y + s },
});

/** A field of 12 red cells 80 px across, in a row, far from the platelets. */
const rbcs = Array.from({ length: 12 }, (_, i) => box(`r${i}`, 'RBC', (i % 6) * 100, i < 6 ? 300 : 400, 80));

describe('platelet clumps', () => {
  it('finds platelets that touch one another as one clump, and nothing among scattered ones', () => {
    // four 16-px platelets overlapping or within a few pixels of each other (80 px cells: the reach is 24 px)
    const heap = [box('p1', 'Platelets', 100, 100, 16), box('p2', 'Platelets', 110, 104, 16), box('p3', 'Platelets', 130, 100, 16), box('p4', 'Platelets', 120, 118, 16)];
    const scattered = [box('p5', 'Platelets', 400, 40, 16), box('p6', 'Platelets', 500, 150, 16), box('p7', 'Platelets', 20, 220, 16)];
    expect(plateletClumps([...rbcs, ...heap, ...scattered])).toEqual([['p1', 'p2', 'p3', 'p4']]);
    expect(plateletClumps([...rbcs, ...scattered])).toEqual([]);
    // a pair is two platelets side by side, not a clump
    expect(plateletClumps([...rbcs, ...heap.slice(0, 2), ...scattered])).toEqual([]);
    // the reach is a share of the red cells' size: the same heap spread 1.5x its reach apart is no clump
    const apart = [0, 1, 2].map((i) => box(`q${i}`, 'Platelets', 100 + i * (16 + 1.5 * CLUMP_GAP * 80), 100, 16));
    expect(plateletClumps([...rbcs, ...apart])).toEqual([]);
    const near = [0, 1, 2].map((i) => box(`q${i}`, 'Platelets', 100 + i * (16 + 0.5 * CLUMP_GAP * 80), 100, 16));
    expect(plateletClumps([...rbcs, ...near])).toEqual([['q0', 'q1', 'q2']]);
  });
  it('judges nothing without red cells to measure the field by', () => {
    const heap = [box('p1', 'Platelets', 100, 100, 16), box('p2', 'Platelets', 110, 104, 16), box('p3', 'Platelets', 130, 100, 16)];
    expect(plateletClumps([...rbcs.slice(0, 2), ...heap])).toEqual([]);
  });
  it('is an advisory flag of the image, from the shown boxes (so an edit that parts the heap clears it)', () => {
    const heap = [box('p1', 'Platelets', 100, 100, 16), box('p2', 'Platelets', 110, 104, 16), box('p3', 'Platelets', 130, 100, 16)];
    expect(allFlags([], [...rbcs, ...heap])).toEqual(['platelet-clumps']);
    expect(allFlags([], [...rbcs, ...heap.slice(0, 2)])).toEqual([]);
    // RBC and WBC boxes that touch are no clump of platelets
    expect(allFlags([], [...rbcs, box('w1', 'WBC', 100, 100, 16), box('w2', 'WBC', 110, 104, 16), box('w3', 'WBC', 130, 100, 16)])).toEqual([]);
  });
});
