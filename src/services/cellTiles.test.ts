import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClassifierCard } from '../core/differential/card';
import { cropDraws, cropRect } from '../core/differential/crop';
import type { ImageBox } from '../core/detection/geometry';
import { tileDraws } from './cellTiles';

const rule = parseClassifierCard(JSON.parse(readFileSync(new URL('../../models/smearcount-wbc.json', import.meta.url), 'utf8'))).crop;
const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 }) as ImageBox;

describe("the gallery's tiles are the classifier's crops", () => {
  it('a cell at the image\'s edge: the edge replicated as the card says, not padded grey; the square on the smallest WBC side', () => {
    expect(rule.pad).toBe('edge');
    // a 40-px WBC touching the left and top of a 640x480 field, shown at 264 px (a phone's 88 px at 3x)
    const b = box(0, 0, 40, 40);
    const t = tileDraws(b, rule, 60, 640, 480, 264);
    // what the classifier draws for the same cell (services/decoder, at its own size)
    expect(t).toEqual(cropDraws(cropRect(b, rule.factor, 60), 640, 480, 264, rule.pad));
    // the square is built on the image's smallest WBC side (60 px), as the classifier's is: 84 px, not 56
    const r = cropRect(b, rule.factor, 60);
    expect(r.side).toBeCloseTo(84);
    // no grey shows: the patches cover the whole tile, the part left of the image from its first column
    const area = t.patches.reduce((a, p) => a + p.dw * p.dh, 0);
    expect(area).toBeCloseTo(264 * 264, 6);
    const left = t.patches.find((p) => p.dx === 0 && p.dy > 0 && p.sx === 0 && p.sw === 1);
    expect(left).toBeDefined();
    // one drawImage of the square over a grey fill was what the tile did: grey where the classifier saw the edge
    expect(t.patches.length).toBeGreaterThan(1);
  });
  it('an older card with a grey pad: the tile pads with that grey, as the classifier does', () => {
    const t = tileDraws(box(600, 440, 640, 480), { factor: 1.4, pad: 0.5 }, 0, 640, 480, 128);
    expect(t.fill).toBe(0.5);
    expect(t.patches).toEqual([{ sx: 592, sy: 432, sw: 56, sh: 56, dx: 0, dy: 0, dw: 128, dh: 128 }]);
  });
});
