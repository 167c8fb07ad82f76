/**
 * What JPEG compression costs the counts, and what the blockiness statistic reads at each quality
 * (the `compressed` flag's study, README "Numbers a lab can sign"):
 *
 *   npx tsx scripts/jpegStudy.ts [--step 7] [--json out.json]
 *
 * Every `step`-th image of the training folders (txl-pbc bccd / bcd / pbc, cbc/Training) is counted as
 * it is and after a JPEG round trip at each quality (the standard tables, as libjpeg and Pillow write);
 * it prints, per blockiness band, the RBC count against the original's.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { postprocess } from '../src/core/detection/postprocess';
import { blockiness } from '../src/core/quality/pixels';
import { requireData } from './dataRoot';
import { decodeImage, jpegCopy, type Rgba } from './evaluation/decode';
import { Detector } from './evaluation/detector';
import { listFolder } from './evaluation/evaluate';

const { values: o } = parseArgs({ options: { step: { type: 'string', default: '7' }, json: { type: 'string' } } });
const QUALITIES = [2, 5, 10, 15, 20, 30, 50, 75];
const BANDS = [0, 2, 3, 4, 5, 6, 7, 8, 10, 15, 30, Infinity];

const det = await Detector.create(undefined, 1);
const rbcOf = async (img: Rgba) => postprocess((await det.detect(img)).raw, det.card.postprocess).filter((d) => d.cls === 'RBC').length;
const rows: { set: string; image: string; quality: number | null; blockiness: number | null; rbc: number; original: number }[] = [];
for (const [set, what] of [['txl-pbc/bccd', 'txl-pbc'], ['txl-pbc/bcd', 'txl-pbc'], ['txl-pbc/pbc', 'txl-pbc'], ['cbc/Training', 'CBC Training']]) {
  const items = listFolder(requireData(set, what)).filter((_, i) => i % Number(o.step) === 0);
  for (const it of items) {
    const img = await decodeImage(it.image);
    const original = await rbcOf(img);
    rows.push({ set, image: basename(it.image), quality: null, blockiness: blockiness(img), rbc: original, original });
    for (const quality of QUALITIES) {
      const copy = await jpegCopy(img, quality);
      rows.push({ set, image: basename(it.image), quality, blockiness: blockiness(copy), rbc: await rbcOf(copy), original });
    }
  }
  process.stderr.write(`${set}: ${items.length} images\n`);
}
await det.release();
const originals = rows.filter((r) => r.quality === null).map((r) => r.blockiness ?? 0);
console.log(`${originals.length} images as saved: blockiness ${Math.min(...originals).toFixed(2)}–${Math.max(...originals).toFixed(2)}`);
for (let k = 0; k + 1 < BANDS.length; k++) {
  const rs = rows.filter((r) => r.quality !== null && (r.blockiness ?? Infinity) >= BANDS[k] && (r.blockiness ?? Infinity) < BANDS[k + 1]);
  if (!rs.length) continue;
  const ratio = rs.reduce((a, r) => a + r.rbc, 0) / rs.reduce((a, r) => a + r.original, 0);
  console.log(`blockiness ${BANDS[k]}–${BANDS[k + 1]}: ${rs.length} copies, RBC ${ratio.toFixed(3)} of the originals' count`);
}
for (const quality of QUALITIES) {
  const rs = rows.filter((r) => r.quality === quality);
  const b = rs.map((r) => r.blockiness ?? Infinity).sort((x, y) => x - y);
  console.log(`quality ${quality}: median blockiness ${b[b.length >> 1].toFixed(2)}, RBC ${(rs.reduce((a, r) => a + r.rbc, 0) / rs.reduce((a, r) => a + r.original, 0)).toFixed(3)} of the originals' count`);
}
if (o.json) writeFileSync(o.json, JSON.stringify(rows));
