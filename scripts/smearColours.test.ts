/**
 * The not-smear colour bars (core/quality/flags SMEAR_COLOURS) against real smears: no image of the sets
 * is past them, read as the app reads a field (the 256-px statistics copy, inside an eyepiece's circle where
 * there is one). All 4,019 images of the six sets were measured when the bars were set (2026-12-06); this
 * reads every fifth of each set (about 800) so it stays a unit test, every tenth also under five colour casts (the
 * sets' tenth read from the full images under the same casts: none flagged, least dark-hue difference 0.004, 2026-12-06).
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

/** Colour casts: the three of the flags' calibration (affine, not only a gain per channel), a hazy lamp, a green tint. */
const CASTS: Record<string, (r: number, g: number, b: number) => number[]> = {
  'pale-blue': (r, g, b) => [r * 0.72 + 40, g * 0.85 + 35, b * 0.95 + 30],
  grey: (r, g, b) => [0.8 * (0.299 * r + 0.587 * g + 0.114 * b) + 0.2 * r, 0.8 * (0.299 * r + 0.587 * g + 0.114 * b) + 0.2 * g, 0.8 * (0.299 * r + 0.587 * g + 0.114 * b) + 0.2 * b],
  yellow: (r, g, b) => [r, g * 0.95, b * 0.7],
  haze: (r, g, b) => [r * 0.6 + 90, g * 0.6 + 100, b * 0.6 + 80],
  'green-tint': (r, g, b) => [r * 0.8 + 10, g + 20, b * 0.85],
};

const SETS = ['cbc/Training', 'cbc/Testing', 'txl-pbc/bccd', 'txl-pbc/bcd', 'txl-pbc/pbc', 'pbc-wbc'];

describe('colours no stained smear has', () => {
  it('no smear of the six sets reads as one, nor under a colour cast', { timeout: 300_000 }, async () => {
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
        // and under the casts the flags were calibrated on (scripts/calibrateFlags.ts), a lamp's haze and a green tint
        if (n % 2) continue; // every tenth image of a set
        for (const [cast, fn] of Object.entries(CASTS)) {
          const c = { data: new Uint8ClampedArray(small.data.length), width: small.width, height: small.height };
          for (let i = 0; i < c.data.length; i += 4) c.data.set([...fn(small.data[i], small.data[i + 1], small.data[i + 2]), 255], i);
          if (unlikeStainColours(pixelStats(c, findCircularField(c)))) past.push(`${f} (${cast})`);
        }
      }
    }
    expect(n).toBeGreaterThan(700);
    expect(past).toEqual([]);
  });
});
