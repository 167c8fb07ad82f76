import { describe, expect, it } from 'vitest';
import type { CellClass } from '../detection/classes';
import { seededRandom } from '../adapt/adapt';
import { opticsArtefacts, poissonTail, type FieldCells } from './optics';

// the seeded generator the adaptation CLI and tests use: every run draws the same fields
const rng = seededRandom;

function cell(id: string, cls: CellClass, cx: number, cy: number, d: number) {
  return { id, cls, box: { x1: cx - d / 2, y1: cy - d / 2, x2: cx + d / 2, y2: cy + d / 2 } };
}

/** A random field of a 640x480 camera: RBCs, a platelet or two, sometimes a WBC. */
function field(r: () => number, n: number, rbc = 25): FieldCells {
  const cells = [];
  for (let i = 0; i < rbc; i++) cells.push(cell(`f${n}r${i}`, 'RBC', r() * 640, r() * 480, 60 + r() * 30));
  const p = 1 + Math.floor(r() * 2);
  for (let i = 0; i < p; i++) cells.push(cell(`f${n}p${i}`, 'Platelets', r() * 640, r() * 480, 14 + r() * 8));
  if (r() < 0.5) cells.push(cell(`f${n}w`, 'WBC', 100 + r() * 440, 100 + r() * 280, 110 + r() * 30));
  return { width: 640, height: 480, cells };
}

describe('opticsArtefacts', () => {
  it('finds a speck at one position in several fields, and nothing else', () => {
    const r = rng(1);
    const fields = Array.from({ length: 20 }, (_, i) => field(r, i));
    const withSpeck = [2, 5, 6, 11, 14, 17];
    for (const i of withSpeck) {
      // the detector's box on the same dust moves by a pixel or two and changes size a little
      fields[i] = { ...fields[i], cells: [...fields[i].cells, cell(`f${i}dust`, 'Platelets', 552 + (r() - 0.5) * 3, 76 + (r() - 0.5) * 3, 16 + r() * 2)] };
    }
    const out = opticsArtefacts(fields);
    out.forEach((ids, i) => expect(ids).toEqual(withSpeck.includes(i) ? [`f${i}dust`] : []));
  });

  it("an analyser's single-cell images centre every WBC at one pixel: those are cells, not dust", () => {
    const r = rng(8);
    const fields = Array.from({ length: 30 }, (_, i) => {
      const f = field(r, i);
      return { ...f, cells: [...f.cells.filter((c) => c.cls !== 'WBC'), cell(`f${i}w`, 'WBC', 320 + (r() - 0.5) * 4, 240 + (r() - 0.5) * 4, 130 + r() * 6)] };
    });
    expect(opticsArtefacts(fields).flat()).toEqual([]);
  });

  it('dust on analyser crops: few cells, a centred WBC, two specks in every field; the specks go, the WBC stays', () => {
    const r = rng(9);
    const fields = Array.from({ length: 25 }, (_, i) => ({
      width: 360,
      height: 363,
      cells: [
        cell(`f${i}w`, 'WBC' as const, 180 + (r() - 0.5) * 4, 181 + (r() - 0.5) * 4, 150),
        cell(`f${i}r0`, 'RBC' as const, 60 + r() * 240, 40 + r() * 40, 95),
        cell(`f${i}d0`, 'Platelets' as const, 256 + (r() - 0.5) * 2, 83 + (r() - 0.5) * 2, 28),
        cell(`f${i}d1`, 'Platelets' as const, 97 + (r() - 0.5) * 2, 225 + (r() - 0.5) * 2, 24),
      ],
    }));
    expect(opticsArtefacts(fields).map((ids) => [...ids].sort())).toEqual(fields.map((_, i) => [`f${i}d0`, `f${i}d1`]));
  });

  it('two fields are not enough: a coincidence in two is chance, not the optics', () => {
    const r = rng(2);
    const fields = Array.from({ length: 10 }, (_, i) => field(r, i));
    for (const i of [3, 7]) fields[i] = { ...fields[i], cells: [...fields[i].cells, cell(`f${i}dust`, 'Platelets', 300, 200, 15)] };
    expect(opticsArtefacts(fields).flat()).toEqual([]);
  });

  it.each([3, 7, 11])('never flags cells of crowded random fields, even in a large batch (seed %i)', (seed) => {
    const r = rng(seed);
    const fields = Array.from({ length: 120 }, (_, i) => field(r, i, 45));
    expect(opticsArtefacts(fields).flat()).toEqual([]);
  });

  it('the same photo several times is one view: its cells are no artefacts', () => {
    const r = rng(4);
    const one = field(r, 0);
    const copies = Array.from({ length: 5 }, (_, i) => ({ ...one, cells: one.cells.map((c) => ({ ...c, id: `${c.id}c${i}` })) }));
    const others = Array.from({ length: 6 }, (_, i) => field(r, i + 1));
    expect(opticsArtefacts([...copies, ...others]).flat()).toEqual([]);
  });

  it('compares only fields of one camera (the same pixel size)', () => {
    const r = rng(5);
    const fields = Array.from({ length: 6 }, (_, i) => field(r, i));
    fields.forEach((f, i) => {
      fields[i] = { ...f, width: i < 3 ? 640 : 800, cells: [...f.cells, cell(`f${i}dust`, 'Platelets', 400, 100, 15)] };
    });
    // three of each size: each camera's three show the speck
    expect(opticsArtefacts(fields).map((x) => x.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(opticsArtefacts(fields.slice(1, 5)).flat()).toEqual([]);
  });

  it('a speck of another size at the same place is another object', () => {
    const r = rng(6);
    const fields = Array.from({ length: 8 }, (_, i) => field(r, i));
    const sizes = [10, 20, 40, 80];
    sizes.forEach((d, j) => (fields[j] = { ...fields[j], cells: [...fields[j].cells, cell(`f${j}dust`, 'Platelets', 500, 300, d)] }));
    expect(opticsArtefacts(fields).flat()).toEqual([]);
  });
});

describe('poissonTail', () => {
  it('matches the closed forms', () => {
    expect(poissonTail(0, 2)).toBe(1);
    expect(poissonTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(poissonTail(2, 0.5)).toBeCloseTo(1 - Math.exp(-0.5) * 1.5, 12);
    expect(poissonTail(3, 0)).toBe(0);
  });
});
