/**
 * The not-smear colour bars (core/quality/flags SMEAR_COLOURS) against real smears: no image of the sets
 * is past them, read as the app reads a field (the 256-px statistics copy, inside an eyepiece's circle where
 * there is one). All 4,019 images of the six sets were measured when the bars were set (2026-12-06); this
 * reads every fifth of each set (about 800) so it stays a unit test.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCircularField } from '../src/core/quality/field';
import { unlikeStainColours } from '../src/core/quality/flags';
import { pixelStats, shrinkArea, statsSize } from '../src/core/quality/pixels';
import { requireData } from './dataRoot';
import { decodeImage, IMAGE_FILE } from './evaluation/decode';

const files = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : IMAGE_FILE.test(f) ? [join(dir, f)] : []));

const SETS = ['cbc/Training', 'cbc/Testing', 'txl-pbc/bccd', 'txl-pbc/bcd', 'txl-pbc/pbc', 'pbc-wbc'];

describe('colours no stained smear has', () => {
  it('no smear of the six sets reads as one', { timeout: 300_000 }, async () => {
    const past: string[] = [];
    let n = 0;
    for (const set of SETS) {
      const all = files(requireData(set, set));
      for (const f of all.filter((_, i) => i % 5 === 0)) {
        const img = await decodeImage(f);
        const s = statsSize(img.width, img.height);
        const small = { data: shrinkArea(img, s.width, s.height), width: s.width, height: s.height };
        if (unlikeStainColours(pixelStats(small, findCircularField(small)))) past.push(f);
        n++;
      }
    }
    expect(n).toBeGreaterThan(700);
    expect(past).toEqual([]);
  });
});
