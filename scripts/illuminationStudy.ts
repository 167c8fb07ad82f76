/**
 * Uneven-light study (2026-12-07): how even is the light of the fields the models were trained on, and of
 * synthetic vignetting and off-centre lamps? For every image of the given folders (default: the training
 * folders of the three complete-label sources and CBC Training, and CBC Testing, reported apart) it fits the
 * light's surface as the detector's worker does (src/core/quality/illumination.ts: the image at the model's
 * input size, an eyepiece disc left out) and prints, per folder, the spread of the surface's darkest over
 * brightest level, how many images the detector's input evens out (under EVEN_OUT_BAR), and on the statistics'
 * copy (core/quality/pixels toSmall), which the flag reads, how many are flagged `uneven-light` (under UNEVEN_BAR,
 * which no field of the training microscopes is).
 *
 *   npx tsx scripts/illuminationStudy.ts [DIR ...] [--list]      (about 1 min for the defaults)
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { planInput } from '../src/core/detection/preprocess';
import { resizeToCHW } from '../src/core/detection/resize';
import { findCircularField, scaleCircle } from '../src/core/quality/field';
import { EVEN_OUT_BAR, fitIllumination, greyOfChw, UNEVEN_BAR } from '../src/core/quality/illumination';
import { smallOf } from '../src/core/quality/pixels';
import { requireData } from './dataRoot';
import { decodeImage } from './evaluation/decode';
import { loadCard } from './evaluation/detector';
import { listFolder } from './evaluation/evaluate';

const { values: o, positionals } = parseArgs({ options: { list: { type: 'boolean' } }, allowPositionals: true });

const q = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(p * (s.length - 1))))];
};

async function main() {
  const native = loadCard().nativeSize;
  const dirs = positionals.length
    ? positionals.map((d) => [basename(d.replace(/\/+$/, '')), d] as const)
    : ([
        ['bccd', requireData('txl-pbc/bccd', 'txl-pbc')],
        ['bcd', requireData('txl-pbc/bcd', 'txl-pbc')],
        ['pbc', requireData('txl-pbc/pbc', 'txl-pbc')],
        ['cbc-training', requireData('cbc/Training', 'CBC Training')],
        ['cbc-testing', requireData('cbc/Testing', 'CBC Testing')],
      ] as const);
  console.log(`darkest / brightest level of the light's surface, per folder: evened out under ${EVEN_OUT_BAR} (the detector's input), flagged under ${UNEVEN_BAR} (the statistics' copy)`);
  console.log(`${'folder'.padEnd(28)} ${'n'.padStart(5)} ${'min'.padStart(6)} ${'p1'.padStart(6)} ${'p5'.padStart(6)} ${'median'.padStart(6)} ${'evened'.padStart(6)} | stats copy: ${'min'.padStart(6)} ${'max'.padStart(6)} ${'flagged'.padStart(7)}`);
  for (const [name, dir] of dirs) {
    const ratios: number[] = [];
    const smalls: number[] = [];
    const under: string[] = [];
    for (const it of listFolder(dir)) {
      const im = await decodeImage(it.image);
      const size = planInput(im.width, im.height, native);
      const chw = resizeToCHW(im.data, im.width, im.height, size.width, size.height);
      const f = findCircularField(im);
      const ill = fitIllumination(greyOfChw(chw, size.width, size.height), size.width, size.height, f && scaleCircle(f, size.width / im.width));
      const r = ill ? ill.ratio : 1;
      ratios.push(r);
      smalls.push(smallOf(im).light ?? 1);
      if (r < EVEN_OUT_BAR) under.push(`${basename(it.image)} ${r.toFixed(3)}`);
      if (o.list) console.log(`  ${basename(it.image)} ${r.toFixed(3)}`);
    }
    const f3 = (x: number) => x.toFixed(3).padStart(6);
    console.log(`${name.padEnd(28)} ${String(ratios.length).padStart(5)} ${f3(Math.min(...ratios))} ${f3(q(ratios, 0.01))} ${f3(q(ratios, 0.05))} ${f3(q(ratios, 0.5))} ${String(under.length).padStart(6)} | ${f3(Math.min(...smalls))} ${f3(Math.max(...smalls))} ${String(smalls.filter((x) => x < UNEVEN_BAR).length).padStart(7)}`);
    if (under.length && under.length <= 10) for (const u of under) console.log(`    evened out: ${u}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
