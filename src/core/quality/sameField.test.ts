import { describe, expect, it } from 'vitest';
import type { CellClass } from '../detection/classes';
import type { FieldCells } from './optics';
import { sameFields } from './sameField';

/** A seeded field of `n` cells (RBC-sized, a few WBCs and platelets) on a 640x480 frame. */
function field(seed: number, n = 30): FieldCells {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const cells = Array.from({ length: n }, (_, i) => {
    const cls: CellClass = i % 15 === 0 ? 'WBC' : i % 7 === 0 ? 'Platelets' : 'RBC';
    const size = cls === 'WBC' ? 90 : cls === 'Platelets' ? 18 : 45;
    const x = rnd() * (640 - size);
    const y = rnd() * (480 - size);
    return { id: `c${i}`, cls, box: { x1: x, y1: y, x2: x + size, y2: y + size } };
  });
  return { width: 640, height: 480, cells };
}

/** The same field at another resolution, each box a little off (a detector on a resampled picture). */
function scaled(f: FieldCells, k: number, jitter = 0.04): FieldCells {
  return {
    width: Math.round(f.width * k),
    height: Math.round(f.height * k),
    cells: f.cells.map((c, i) => {
      const d = (i % 3) - 1;
      const w = c.box.x2 - c.box.x1;
      return { ...c, box: { x1: (c.box.x1 + d * jitter * w) * k, y1: c.box.y1 * k, x2: (c.box.x2 + d * jitter * w) * k, y2: c.box.y2 * k } };
    }),
  };
}

describe('the same field twice, at any size', () => {
  it('finds a field enlarged 12.5 times (an 8000x6000 copy of a 640x480 field) and one shrunk by half', () => {
    const a = field(1);
    expect(sameFields([a, field(2), scaled(a, 12.5)])).toEqual([[0, 2]]);
    expect(sameFields([scaled(a, 0.5), field(3), a])).toEqual([[0, 2]]);
  });
  it('holds when a few cells are found in one copy only (a detector at another resolution)', () => {
    const a = field(4, 40);
    const b = scaled(a, 2);
    const fewer = { ...b, cells: b.cells.slice(0, 35) };
    expect(sameFields([a, fewer])).toEqual([[0, 1]]);
  });
  it('does not join different fields, neighbours that overlap by half, crops, or near-empty fields', () => {
    const a = field(5);
    // the slide moved by half a field: half of the cells are new
    const moved: FieldCells = {
      ...a,
      cells: [...a.cells.filter((c) => c.box.x1 >= 320).map((c) => ({ ...c, box: { ...c.box, x1: c.box.x1 - 320, x2: c.box.x2 - 320 } })), ...field(6).cells.filter((c) => c.box.x1 >= 320)],
    };
    expect(sameFields([a, field(7), moved])).toEqual([]);
    // a crop of the field has another aspect ratio: another picture
    expect(sameFields([a, { ...scaled(a, 1), width: 640, height: 400 }])).toEqual([]);
    // too few cells to tell
    const few = field(8, 5);
    expect(sameFields([few, scaled(few, 3)])).toEqual([]);
  });
});
