/**
 * `npm run eval` reports each image's quality flags, also for a folder without annotations, and the
 * counts over all images and over the unflagged ones. Pictures made here; the real shipped model runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateFolder } from './evaluation/evaluate';
import { formatFlags } from './evaluation/report';
import { drawnSmear, gaussianBlur, nonSmearPictures, toPng } from './nonSmear';

describe('eval: quality flags', () => {
  it('flags non-smear pictures in a folder without annotations and sums the unflagged ones apart', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smearcount-flags-'));
    const pics = [...nonSmearPictures().filter((p) => ['checkerboard', 'text-page'].includes(p.name)), gaussianBlur(drawnSmear(4), 12, 'blurred-smear')];
    for (const p of pics) writeFileSync(join(dir, `${p.name}.png`), toPng(p));
    const r = await evaluateFolder(dir);
    expect(r.annotated).toBe(0);
    expect(r.perImage.map((p) => p.image)).toEqual(['blurred-smear.png', 'checkerboard.png', 'text-page.png']);
    const by = Object.fromEntries(r.perImage.map((p) => [p.image, p.flags]));
    expect(by['checkerboard.png']).toContain('not-smear');
    expect(by['text-page.png']).toContain('not-smear');
    expect(by['blurred-smear.png']).toContain('out-of-focus');
    expect(r.flags).toMatchObject({ flagged: 3, excluded: 3, wbcRule: true });
    expect(r.flags.byCode['not-smear']).toBe(2);
    expect(r.summary.unflagged).toMatchObject({ images: 0, totals: { RBC: 0, WBC: 0, Platelets: 0 } });
    expect(r.summary.all.totals.RBC).toBe(r.perImage.reduce((a, p) => a + p.RBC, 0));
    expect(formatFlags(r)).toMatch(/^flags: 3 of 3 images flagged/);
  });
});
