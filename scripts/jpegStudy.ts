/**
 * What JPEG compression costs the counts, and what the blockiness statistic reads at each quality
 * (the `compressed` flag's study, README "Numbers a lab can sign"):
 *
 *   npx tsx scripts/jpegStudy.ts [--step 7] [--json out.json] [--enlarge K] [--qualities 5,10,20,50]
 *
 * Every `step`-th image of the training folders (txl-pbc bccd / bcd / pbc, cbc/Training) is counted as
 * it is and after a JPEG round trip at each quality (the standard tables, as libjpeg and Pillow write);
 * it prints, per blockiness band, the RBC count against the original's, and how many copies of each
 * quality the app's `compressed` flag leaves out. `--enlarge K` enlarges every image K times first (a
 * camera with more pixels), so that the blocks are judged as the app judges a large image's.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { postprocess } from '../src/core/detection/postprocess';
import { smallOf } from '../src/core/quality/pixels';
import { requireData } from './dataRoot';
import { CALIBRATION } from '../src/core/quality/calibration';
import { blockinessBar } from '../src/core/quality/flags';
import { decodeImage, jpegCopy, type Rgba } from './evaluation/decode';
import { Detector } from './evaluation/detector';
import { listFolder } from './evaluation/evaluate';

const { values: o } = parseArgs({ options: { step: { type: 'string', default: '7' }, json: { type: 'string' }, enlarge: { type: 'string', default: '1' }, qualities: { type: 'string' } } });
/** `--enlarge K`: each image is first enlarged K times (bilinear: a camera with more pixels on the same
 * field), and its blocks are judged where the app judges a large image's: a centred 1,024-px window at its
 * own resolution (core/quality/pixels `blockWindow`). */
const ENLARGE = Number(o.enlarge);
const QUALITIES = o.qualities ? o.qualities.split(',').map(Number) : [2, 5, 10, 15, 20, 30, 50, 75];
const BANDS = [0, 2, 3, 4, 5, 6, 7, 8, 10, 15, 30, Infinity];

/** As the app reads it: the whole image up to 1,024 px, a larger one's window (core/quality/pixels `smallOf`). */
const blockiness = (img: Rgba) => smallOf(img).blockiness ?? null;

/** Bilinear enlargement by k (pixel centres aligned). */
function enlarge(img: Rgba, k: number): Rgba {
  if (k === 1) return img;
  const W = Math.round(img.width * k);
  const H = Math.round(img.height * k);
  const out = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, (y + 0.5) / k - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < W; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, (x + 0.5) / k - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const fx = sx - x0;
      for (let c = 0; c < 4; c++) {
        const a = img.data[(y0 * img.width + x0) * 4 + c] * (1 - fx) + img.data[(y0 * img.width + x1) * 4 + c] * fx;
        const b = img.data[(y1 * img.width + x0) * 4 + c] * (1 - fx) + img.data[(y1 * img.width + x1) * 4 + c] * fx;
        out[(y * W + x) * 4 + c] = Math.round(a * (1 - fy) + b * fy);
      }
    }
  }
  return { data: out, width: W, height: H };
}

const det = await Detector.create(undefined, 1);
const rbcOf = async (img: Rgba) => postprocess((await det.detect(img)).raw, det.card.postprocess).filter((d) => d.cls === 'RBC').length;
const rows: { set: string; image: string; side: number; quality: number | null; blockiness: number | null; rbc: number; original: number }[] = [];
for (const [set, what] of [['txl-pbc/bccd', 'txl-pbc'], ['txl-pbc/bcd', 'txl-pbc'], ['txl-pbc/pbc', 'txl-pbc'], ['cbc/Training', 'CBC Training']]) {
  const items = listFolder(requireData(set, what)).filter((_, i) => i % Number(o.step) === 0);
  for (const it of items) {
    const img = enlarge(await decodeImage(it.image), ENLARGE);
    const side = Math.max(img.width, img.height);
    const original = await rbcOf(img);
    rows.push({ set, image: basename(it.image), side, quality: null, blockiness: blockiness(img), rbc: original, original });
    for (const quality of QUALITIES) {
      const copy = await jpegCopy(img, quality);
      rows.push({ set, image: basename(it.image), side, quality, blockiness: blockiness(copy), rbc: await rbcOf(copy), original });
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
// The app's flag on these copies: its calibrated bar, grown with the image's long side (core/quality/flags)
const bar = (r: (typeof rows)[number]) => (CALIBRATION.jpeg ? blockinessBar(CALIBRATION.jpeg.maxBlockiness, r.side) : Infinity);
for (const quality of QUALITIES) {
  const rs = rows.filter((r) => r.quality === quality);
  const ratio = (xs: typeof rs) => (xs.length ? (xs.reduce((a, r) => a + r.rbc, 0) / xs.reduce((a, r) => a + r.original, 0)).toFixed(3) : '-');
  const flagged = rs.filter((r) => (r.blockiness ?? 0) > bar(r));
  const kept = rs.filter((r) => (r.blockiness ?? 0) <= bar(r));
  console.log(`quality ${quality}, the app's bar for each image's long side: ${flagged.length} of ${rs.length} flagged compressed (RBC ${ratio(flagged)} of the originals'), kept ${ratio(kept)}`);
}
if (o.json) writeFileSync(o.json, JSON.stringify(rows));
