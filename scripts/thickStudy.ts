/**
 * Thick-area study (2026-12-06): can the app tell a thick part of a smear, where red cells lie in stacks, from
 * a monolayer, by the stain's area against the cells the detector counted? It runs the shipped detector over
 * the training folders (four fifths "validation", the fifth held out by group as in calibrateFlags.ts), CBC
 * Testing, and two synthetic thick sets built from CBC Testing: two fields multiplied pixelwise (the cells of
 * both lie on top of each other, as light through two layers) and a field multiplied by itself shifted by a
 * third to a half of a cell. It keeps the shown detections and each image's small copy under --out (never in
 * the repo), then prints each statistic's spread per set against validation's 99.8th percentile.
 *
 *   npx tsx scripts/thickStudy.ts [--out /tmp/smearcount-thick] [--fresh]     (about 3 min fresh, 15 s cached)
 *
 * The statistics (on the stats-size copy; OD = ln(white / green), white = the image's 99th percentile of green):
 * - areaRatio: the stained area (OD > 0.15) over one typical RBC's area (π/4 × the median interior RBC box),
 *   against the RBCs plus the WBCs' areas in RBCs that were counted: how many cells the stain holds per counted one;
 * - stained: the stained share of the field; odMean: its mean OD; overlap: 1 − the boxes' union over their sum;
 * - doubled: the share of the interior RBCs' pixels (WBC boxes left out) darker than 1.7× their median OD.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { postprocess } from '../src/core/detection/postprocess';
import { smallOf } from '../src/core/quality/pixels';
import { requireData } from './dataRoot';
import { decodeImage, type Rgba } from './evaluation/decode';
import { Detector } from './evaluation/detector';
import { listFolder } from './evaluation/evaluate';

const { values: o } = parseArgs({ options: { out: { type: 'string', default: '/tmp/smearcount-thick' }, fresh: { type: 'boolean' } } });
const OUT = o.out!;
const RECS = join(OUT, 'recs.jsonl');

interface Box { x1: number; y1: number; x2: number; y2: number }
interface Rec { key: string; set: string; source: string; name: string; width: number; height: number; small: { w: number; h: number; scale: number; file: string }; shown: { cls: string; score: number; box: Box }[] }

/** a × b / 255 per channel, b read at (x + dx, y + dy) (clamped to its edge): light through both layers. */
export function multiply(a: Rgba, b: Rgba, dx = 0, dy = 0): Rgba {
  const d = new Uint8Array(a.width * a.height * 4);
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 4;
      const j = (Math.min(b.height - 1, Math.max(0, y + dy)) * b.width + Math.min(b.width - 1, Math.max(0, x + dx))) * 4;
      for (let c = 0; c < 3; c++) d[i + c] = Math.round((a.data[i + c] * b.data[j + c]) / 255);
      d[i + 3] = 255;
    }
  return { data: d, width: a.width, height: a.height };
}

async function collect() {
  if (o.fresh) rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'px'), { recursive: true });
  const done = new Set(existsSync(RECS) ? readFileSync(RECS, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Rec).key) : []);
  const det = await Detector.create(undefined, 2);
  let k = done.size;
  const run = async (set: string, source: string, name: string, img: () => Promise<Rgba>) => {
    const key = `${set}/${source}/${name}`;
    if (done.has(key)) return;
    const im = await img();
    const { raw } = await det.detect(im);
    const shown = postprocess(raw, det.card.postprocess).map((d) => ({ cls: d.cls, score: Math.round(d.score * 1000) / 1000, box: d.box }));
    const small = smallOf(im);
    const file = `${k++}.rgba`;
    writeFileSync(join(OUT, 'px', file), small.data);
    appendFileSync(RECS, JSON.stringify({ key, set, source, name, width: im.width, height: im.height, small: { w: small.width, h: small.height, scale: small.scale, file }, shown } satisfies Rec) + '\n');
  };
  const cbcTest = listFolder(requireData('cbc/Testing', 'CBC Testing'));
  const imgs: Rgba[] = [];
  for (const it of cbcTest) imgs.push(await decodeImage(it.image));
  for (let i = 0; i < 20; i++) {
    const j = (i + 30) % cbcTest.length;
    await run('thick-product', 'cbc', `${basename(cbcTest[i].image)}x${basename(cbcTest[j].image)}`, async () => multiply(imgs[i], imgs[j]));
  }
  for (let i = 20; i < 40; i++) {
    const off = i % 2 ? 20 : 35; // CBC Testing's RBCs are about 75 px across
    await run('thick-shift', 'cbc', `${basename(cbcTest[i].image)}+${off}`, async () => multiply(imgs[i], imgs[i], off, Math.round(off * 0.6)));
  }
  for (const [i, it] of cbcTest.entries()) await run('cbc-testing', 'cbc', basename(it.image), async () => imgs[i]);
  const sources = [
    ['bccd', requireData('txl-pbc/bccd', 'txl-pbc')],
    ['bcd', requireData('txl-pbc/bcd', 'txl-pbc')],
    ['pbc', requireData('txl-pbc/pbc', 'txl-pbc')],
    ['cbc-training', requireData('cbc/Training', 'CBC Training')],
  ] as const;
  for (const [source, dir] of sources) {
    for (const it of listFolder(dir)) await run('training', source, basename(it.image), () => decodeImage(it.image));
    process.stderr.write(`${source} done\n`);
  }
  await det.release();
}

/** The held-out fifth of the training folders, by group (calibrateFlags.ts's split). */
function heldOutSplit(): (r: Rec) => boolean {
  const copies = new Map<string, string>();
  for (const line of readFileSync(join(requireData('txl-pbc', 'txl-pbc'), 'cbc-training-copies.csv'), 'utf8').split(/\r?\n/).slice(1)) {
    const [s, f, c] = line.split(',');
    if (f && c) copies.set(`${s}/${f}`, c);
  }
  const fnv1a = (s: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    return h;
  };
  return (r) => fnv1a(r.source === 'cbc-training' ? r.name : (copies.get(`${r.source}/${r.name}`) ?? `${r.source}/${r.name}`)) % 5 === 0;
}

const q = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(p * (s.length - 1))))];
};
const STAINED_OD = 0.15;

function features(r: Rec) {
  const d = new Uint8Array(readFileSync(join(OUT, 'px', r.small.file)));
  const { w, h, scale } = r.small;
  const n = w * h;
  const green = Array.from({ length: n }, (_, p) => d[p * 4 + 1]);
  const white = q(green, 0.99);
  const od = green.map((g) => Math.max(0, Math.log(white / Math.max(1, g))));
  const stained = od.filter((v) => v > STAINED_OD).length;
  const rbc = r.shown.filter((x) => x.cls === 'RBC');
  const wbc = r.shown.filter((x) => x.cls === 'WBC');
  const interior = rbc.filter((x) => x.box.x1 > 3 && x.box.y1 > 3 && x.box.x2 < r.width - 3 && x.box.y2 < r.height - 3);
  const area = (b: Box) => (Math.PI / 4) * (b.x2 - b.x1) * (b.y2 - b.y1);
  const typical = q((interior.length >= 3 ? interior : rbc).map((x) => area(x.box)), 0.5);
  const counted = rbc.length + wbc.reduce((a, x) => a + area(x.box) / typical, 0);
  const cells = stained / (scale * scale) / typical;
  // boxes' union against their sum
  const cover = new Uint8Array(n);
  let sum = 0;
  const pixelsOf = (b: Box, visit: (p: number) => void) => {
    for (let y = Math.max(0, Math.floor(b.y1 * scale)); y < Math.min(h, Math.ceil(b.y2 * scale)); y++) for (let x = Math.max(0, Math.floor(b.x1 * scale)); x < Math.min(w, Math.ceil(b.x2 * scale)); x++) visit(y * w + x);
  };
  for (const x of [...rbc, ...wbc]) pixelsOf(x.box, (p) => (cover[p] = 1, sum++));
  const union = cover.reduce((a, v) => a + v, 0);
  // the interior RBCs' pixels, WBC boxes left out
  const inWbc = new Uint8Array(n);
  for (const x of wbc) pixelsOf(x.box, (p) => (inWbc[p] = 1));
  const inRbc: number[] = [];
  for (const x of interior) {
    const b = x.box;
    const [cx, cy, rx, ry] = [((b.x1 + b.x2) / 2) * scale, ((b.y1 + b.y2) / 2) * scale, ((b.x2 - b.x1) / 2) * scale * 0.9, ((b.y2 - b.y1) / 2) * scale * 0.9];
    pixelsOf(b, (p) => {
      const dx = ((p % w) + 0.5 - cx) / rx;
      const dy = (Math.floor(p / w) + 0.5 - cy) / ry;
      if (dx * dx + dy * dy <= 1 && !inWbc[p]) inRbc.push(od[p]);
    });
  }
  const m = inRbc.length > 200 ? q(inRbc, 0.5) : NaN;
  return {
    areaRatio: cells / Math.max(counted, 1),
    stained: stained / n,
    odMean: od.reduce((a, v) => a + v, 0) / n,
    overlap: 1 - union / Math.max(1, sum),
    doubled: inRbc.length > 200 ? inRbc.filter((v) => v > 1.7 * m).length / inRbc.length : NaN,
  };
}

if (o.fresh || !existsSync(RECS)) await collect();
const recs: Rec[] = readFileSync(RECS, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const held = heldOutSplit();
for (const r of recs) if (r.set === 'training') r.set = held(r) ? 'held-out' : 'validation';
const rows = recs.map((r) => ({ set: r.set === 'validation' || r.set === 'held-out' ? `${r.set}/${r.source}` : r.set, r, f: features(r) }));
const sets = [...new Set(rows.map((x) => x.set))];
for (const stat of ['areaRatio', 'stained', 'odMean', 'overlap', 'doubled'] as const) {
  const val = rows.filter((x) => x.r.set === 'validation').map((x) => x.f[stat]).filter(Number.isFinite);
  const bar = q(val, 0.998);
  console.log(`\n== ${stat}: validation 99.8th percentile ${bar.toFixed(3)}, max ${Math.max(...val).toFixed(3)}`);
  for (const s of sets) {
    const xs = rows.filter((x) => x.set === s).map((x) => x.f[stat]).filter(Number.isFinite);
    console.log(`  ${s.padEnd(24)} ${String(xs.length).padStart(4)}  min ${q(xs, 0).toFixed(2)}  median ${q(xs, 0.5).toFixed(2)}  p95 ${q(xs, 0.95).toFixed(2)}  max ${q(xs, 1).toFixed(2)}  above the bar ${xs.filter((x) => x > bar).length}`);
  }
}
// the detector's count on the thick sets against their fields' complete labels (cbc-complete)
const truth = (name: string) => {
  const xml = readFileSync(join(requireData('cbc-complete/Testing', 'CBC Testing complete labels'), 'Annotations', name.replace(/\.[^.]+$/, '.xml')), 'utf8');
  const names = [...xml.matchAll(/<name>(.*?)<\/name>/g)].map((m) => m[1]);
  return (c: string) => names.filter((x) => x === c).length;
};
for (const s of ['thick-product', 'thick-shift', 'cbc-testing']) {
  const rs = recs.filter((r) => r.set === s);
  const fields = (r: Rec) => (s === 'thick-product' ? r.name.split('x') : s === 'thick-shift' ? [r.name.split('+')[0], r.name.split('+')[0]] : [r.name]);
  const line = ['RBC', 'WBC', 'Platelets'].map((c) => {
    const t = rs.reduce((a, r) => a + fields(r).reduce((b, f) => b + truth(f)(c), 0), 0);
    const found = rs.reduce((a, r) => a + r.shown.filter((x) => x.cls === c).length, 0);
    return `${c} ${found}/${t} = ${(found / t).toFixed(2)}`;
  });
  console.log(`${s}: counted / labelled ${line.join(', ')}`);
}
