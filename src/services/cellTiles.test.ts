import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClassifierCard } from '../core/differential/card';
import { cropDraws, cropRect } from '../core/differential/crop';
import type { ImageBox } from '../core/detection/geometry';
import { tileDraws } from './cellTiles';

const rule = parseClassifierCard(JSON.parse(readFileSync(new URL('../../models/smearcount-wbc.json', import.meta.url), 'utf8'))).crop;
const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 }) as ImageBox;

describe("the gallery's tiles are the classifier's crops", () => {
  it("a cell at the image's edge: where the classifier's crop has it, as large; the outside of the image neutral, not the edge's stripes", () => {
    expect(rule.pad).toBe('edge');
    // a 40-px WBC touching the left and top of a 640x480 field, shown at 264 px (a phone's 88 px at 3x)
    const b = box(0, 0, 40, 40);
    const t = tileDraws(b, rule, 60, 640, 480, 264);
    // the square is built on the image's smallest WBC side (60 px), as the classifier's is: 84 px, not 56
    const r = cropRect(b, rule.factor, 60);
    expect(r.side).toBeCloseTo(84);
    // what the classifier draws for the same cell (services/decoder, at the tile's size): the image's part of it
    // drawn at the same place and scale, and the edge's first row and column stretched over the rest
    const model = cropDraws(r, 640, 480, 264, rule.pad);
    const inside = model.patches.filter((p) => p.sw > 1 && p.sh > 1);
    expect(inside).toHaveLength(1);
    expect(model.patches.length).toBeGreaterThan(1);
    // the tile draws that part only: no one-pixel row or column stretched into stripes; the rest is OUTSIDE
    expect(t.patches).toEqual(inside);
    expect(t.outside).toBe(true);
    // the field's corner 22 image px into the square, drawn 69 px into the tile
    expect(inside[0]).toMatchObject({ sx: 0, sy: 0 });
    for (const v of [inside[0].sw, inside[0].sh]) expect(v).toBeCloseTo(62, 6);
    for (const v of [inside[0].dx, inside[0].dy]) expect(v).toBeCloseTo((22 / 84) * 264, 6);
  });
  it("a cell inside the field: the tile is the classifier's crop, nothing outside", () => {
    const b = box(300, 200, 350, 250);
    const t = tileDraws(b, rule, 60, 640, 480, 128);
    expect(t.patches).toEqual(cropDraws(cropRect(b, rule.factor, 60), 640, 480, 128, rule.pad).patches);
    expect(t.outside).toBe(false);
  });
  it('an older card with a grey pad: the same square, its outside neutral too', () => {
    const t = tileDraws(box(600, 440, 640, 480), { factor: 1.4, pad: 0.5 }, 0, 640, 480, 128);
    expect(t.outside).toBe(true);
    expect(t.patches).toEqual([{ sx: 592, sy: 432, sw: 48, sh: 48, dx: 0, dy: 0, dw: (48 * 128) / 56, dh: (48 * 128) / 56 }]);
  });
});
