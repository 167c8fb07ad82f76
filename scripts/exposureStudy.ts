/**
 * A camera that exposes for a white background (the over-exposure flag's study of a clipped background,
 * README "Numbers a lab can sign"):
 *
 *   npx tsx scripts/exposureStudy.ts [--every 5]
 *
 * Every `every`-th image of the three completely labelled training folders (txl-pbc bccd / bcd / pbc) is
 * counted as saved, brightened 1.2× (every channel, clipped at 255: the calibration's copies), and with each
 * channel's gain set so that its p-th percentile lands at 255 (p = 50, 70, 85 %: the background, and with a
 * low p part of the cells, clipped to white, each channel white-balanced apart, as a camera that exposes for
 * the background saves them). Per variant it prints the count accuracy RBC / WBC / platelets against the
 * labels, platelets found / labelled, the share of clipped pixels (`PixelStats.clipped`, which the
 * over-exposure flag reads), the same share in the central half of each red cell's box, and how many images
 * the app's `over-exposed` flag leaves out; then the same by band of the clipped share.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { postprocess } from '../src/core/detection/postprocess';
import type { Detection } from '../src/core/detection/detection';
import { countErrors, type Labeled } from '../src/core/metrics/ap';
import { parseVoc } from '../src/core/formats/voc';
import { pixelStats, quantile as quantileOf, smallOf } from '../src/core/quality/pixels';
import { detectionStats, qualityFlags } from '../src/core/quality/flags';
import { CALIBRATION } from '../src/core/quality/calibration';
import { requireData } from './dataRoot';
import { decodeImage, type Rgba } from './evaluation/decode';
import { Detector } from './evaluation/detector';
import { listFolder } from './evaluation/evaluate';

const { values: o } = parseArgs({ options: { every: { type: 'string', default: '5' } } });
const EVERY = Number(o.every);

const quantile = (a: readonly number[], p: number) => quantileOf(a, p) ?? NaN;

/** Each channel times its gain, clipped at 255. */
function gainCopy(img: Rgba, gains: readonly number[]): Rgba {
  const d = new Uint8Array(img.data.length);
  for (let i = 0; i < d.length; i += 4) {
    for (let c = 0; c < 3; c++) d[i + c] = Math.min(255, Math.round(img.data[i + c] * gains[c]));
    d[i + 3] = 255;
  }
  return { data: d, width: img.width, height: img.height };
}

/** Each channel's gain puts its p-th percentile (every 4th pixel read) at 255. */
function whiteBackground(img: Rgba, p: number): Rgba {
  const gains = [0, 1, 2].map((c) => {
    const v: number[] = [];
    for (let i = c; i < img.data.length; i += 16) v.push(img.data[i]);
    return 255 / Math.max(1, quantile(v, p));
  });
  return gainCopy(img, gains);
}

/** The share of clipped pixels (a channel at 254 or more) in the central half of each shown red cell's box. */
function cellCentresClipped(img: Rgba, dets: readonly Detection[]): number | null {
  let n = 0;
  let clipped = 0;
  for (const d of dets) {
    if (d.cls !== 'RBC') continue;
    const { x1, y1, x2, y2 } = d.box;
    const [w, h] = [x2 - x1, y2 - y1];
    for (let y = Math.max(0, Math.round(y1 + h / 4)); y < Math.min(img.height, Math.round(y2 - h / 4)); y++)
      for (let x = Math.max(0, Math.round(x1 + w / 4)); x < Math.min(img.width, Math.round(x2 - w / 4)); x++) {
        const i = (y * img.width + x) * 4;
        n++;
        if (Math.max(img.data[i], img.data[i + 1], img.data[i + 2]) >= 254) clipped++;
      }
  }
  return n ? clipped / n : null;
}

const VARIANTS: [string, (img: Rgba) => Rgba][] = [
  ['as saved', (img) => img],
  ['every channel x1.2', (img) => gainCopy(img, [1.2, 1.2, 1.2])],
  ['background p85 at 255', (img) => whiteBackground(img, 0.85)],
  ['background p70 at 255', (img) => whiteBackground(img, 0.7)],
  ['background p50 at 255', (img) => whiteBackground(img, 0.5)],
];

interface Row {
  gt: Labeled[];
  dets: Detection[];
  clipped: number;
  centres: number | null;
  flagged: boolean;
}

const det = await Detector.create(undefined, 1);
const rows = new Map<string, Row[]>(VARIANTS.map(([name]) => [name, []]));
const t0 = performance.now();
for (const source of ['bccd', 'bcd', 'pbc']) {
  const items = listFolder(requireData(`txl-pbc/${source}`, 'txl-pbc'));
  for (const [i, it] of items.entries()) {
    if (i % EVERY || !it.xml) continue;
    const img = await decodeImage(it.image);
    const gt = parseVoc(readFileSync(it.xml, 'utf8'), it.xml).objects.map((g) => ({ cls: g.cls, box: g.box }));
    for (const [name, make] of VARIANTS) {
      const copy = make(img);
      const { raw, scale } = await det.detect(copy);
      const dets = postprocess(raw, det.card.postprocess);
      const pixels = pixelStats(smallOf(copy));
      const flags = qualityFlags({ pixels, detections: detectionStats(dets, copy.width, copy.height, scale, det.card.scale) }, CALIBRATION);
      rows.get(name)!.push({ gt, dets, clipped: pixels.clipped ?? 0, centres: cellCentresClipped(copy, dets), flagged: flags.includes('over-exposed') });
    }
  }
  process.stderr.write(`${source} done (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
await det.release();

const plateletsOf = (rs: readonly Row[], key: 'gt' | 'dets') => rs.reduce((a, r) => a + r[key].filter((d) => d.cls === 'Platelets').length, 0);
const line = (rs: readonly Row[]) => {
  const ce = countErrors(rs.map((r) => ({ gt: r.gt, dets: r.dets })));
  return `${rs.length} images  RBC / WBC / PLT ${ce.RBC.accuracy.toFixed(3)} / ${ce.WBC.accuracy.toFixed(3)} / ${ce.Platelets.accuracy.toFixed(3)}  platelets ${plateletsOf(rs, 'dets')} / ${plateletsOf(rs, 'gt')}  over-exposed ${rs.filter((r) => r.flagged).length}`;
};
console.log(`every ${EVERY}th image of txl-pbc bccd / bcd / pbc; the over-exposure bar: clipped share > ${CALIBRATION.exposure?.maxClipped}`);
for (const [name, rs] of rows) {
  const c = rs.map((r) => r.clipped);
  const centres = rs.map((r) => r.centres).filter((v): v is number => v !== null);
  console.log(`${name.padEnd(22)} ${line(rs)}  clipped median ${quantile(c, 0.5).toFixed(3)} [${Math.min(...c).toFixed(3)}-${Math.max(...c).toFixed(3)}]  red cells' centres clipped median ${quantile(centres, 0.5).toFixed(3)}`);
}
console.log('\nby clipped share:');
for (const [name, rs] of rows)
  for (const [lo, hi] of [[0, 0.25], [0.25, 0.4], [0.4, 0.5], [0.5, 0.6], [0.6, 1.01]]) {
    const band = rs.filter((r) => r.clipped >= lo && r.clipped < hi);
    if (band.length) console.log(`  ${name.padEnd(22)} ${lo.toFixed(2)}-${Math.min(1, hi).toFixed(2)}: ${line(band)}`);
  }
