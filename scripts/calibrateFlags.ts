/**
 * Chooses the quality flags' thresholds and the WBC rule on the training folders' images and measures
 * them. Re-run it whenever the detector changes (the detection-based rules depend on it):
 *
 *   npx tsx scripts/calibrateFlags.ts [--model m.onnx] [--cache f.json] [--write]
 *
 * 1. collect: runs the app's detector path (src/core scale logic, card thresholds) over
 *    - validation: txl-pbc bccd / bcd / pbc and cbc/Training (the only data any threshold is chosen on),
 *    - CBC Testing (measured, never chosen on), blurred and colour-cast copies of validation images,
 *      and the procedural non-smear pictures (scripts/nonSmear.ts),
 *    and keeps per image the pixel statistics, the raw detections and the WBC rule's evidence
 *    (cached in models/runs/quality-features.json; --fresh recomputes).
 * 2. choose: thresholds from the other four fifths ("validation") only (see `choose` for each rule's reasoning).
 * 3. measure: false flags on the held-out fifth of the training folders (by group: a CBC Training
 *    image and its copies together; never chosen on) and on CBC Testing, flags on the blurred copies and
 *    non-smear pictures, and WBC precision / recall with and without the rule.
 * --write stores the chosen thresholds in src/core/quality/calibration.ts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { postprocess } from '../src/core/detection/postprocess';
import type { Detection } from '../src/core/detection/detection';
import { iou } from '../src/core/detection/geometry';
import { precisionRecall, countErrors, type Labeled } from '../src/core/metrics/ap';
import { parseVoc } from '../src/core/formats/voc';
import { pixelStats, smallOf, type PixelStats } from '../src/core/quality/pixels';
import { colourDistance, detectionStats, qualityFlags, type ColourModel, type DetectionStats, type FlagCode, type QualityCalibration } from '../src/core/quality/flags';
import { rbcReference, wbcEvidence, type WbcRuleParams } from '../src/core/quality/wbcRule';
import { plateletClumps } from '../src/core/quality/clumps';
import { REPO_ROOT, requireData } from './dataRoot';
import { decodeImage, jpegCopy, monochromeCopy, type Rgba } from './evaluation/decode';
import { Detector } from './evaluation/detector';
import { listFolder } from './evaluation/evaluate';
import { gaussianBlur, nonSmearPictures, type Picture } from './nonSmear';

const { values: o } = parseArgs({
  options: {
    model: { type: 'string' },
    cache: { type: 'string', default: join(REPO_ROOT, 'models', 'runs', 'quality-features.json') },
    fresh: { type: 'boolean' },
    write: { type: 'boolean' },
    threads: { type: 'string', default: '1' },
  },
});

/** JPEG qualities of the recompressed copies the compression flag is measured on. */
const JPEG_QUALITIES = [5, 10, 20, 50];

/** Brightness factors of the darkened copies the under-exposure flag is chosen on: every pixel value
 * times f, rounded to 8 bits, as a camera saves a field lit too little or exposed too short. */
export const DARK_FACTORS = [0.5, 0.3, 0.2, 0.13, 0.08, 0.05, 0.03];

/** Exposure factors of the brightened copies the over-exposure flag is chosen on: every pixel value times f,
 * clipped at 255, as a camera saves a field lit too strongly or exposed too long. */
export const BRIGHT_FACTORS = [1.1, 1.2, 1.27, 1.35, 1.42, 1.5, 1.7];

/** Dim fields with a camera's gain: [brightness factor, Gaussian grain σ in the dimmed grey levels]. Each has
 * the grain, beside its cells, of a field at full brightness with σ 10 (×0.3, σ 3) or 13 (×0.15, σ 2), which
 * the grain bar flags there; measured 2026-12-06, they lost as many cells. */
export const DIM_NOISY: readonly (readonly [number, number])[] = [
  [0.3, 3],
  [0.15, 2],
];

/** Reference quantiles for the WBC rule's evidence, tried in `choose`. */
const REF_QUANTILES = [0.02, 0.05, 0.1];
const RULE_BASE: Omit<WbcRuleParams, 'maxSizeRatio' | 'minNucleusFraction'> = { rbcMinScore: 0.5, minRbcs: 3, minRbcPx: 12, refQuantile: 0.05 };

interface Rec {
  set: string;
  source: string;
  name: string;
  width: number;
  height: number;
  pixels: PixelStats;
  det: DetectionStats;
  passes: number;
  /** raw model output (image px), unfiltered */
  raw: Detection[];
  /** per raw WBC id: [sizeRatio, nucleusFraction per REF_QUANTILES] */
  evidence: Record<string, number[]>;
  gt?: Labeled[];
}


async function measure(det: Detector, img: Rgba, meta: { set: string; source: string; name: string }, gt?: Labeled[]): Promise<Rec> {
  const { raw, scale } = await det.detect(img);
  const small = smallOf(img);
  const post = postprocess(raw, det.card.postprocess);
  const evidence: Record<string, number[]> = {};
  const refs = REF_QUANTILES.map((q) => rbcReference(small, raw, { ...RULE_BASE, refQuantile: q, maxSizeRatio: 0, minNucleusFraction: 0 }));
  for (const d of raw) {
    if (d.cls !== 'WBC' || d.score < 0.2) continue;
    const ev = refs.map((r) => (r ? wbcEvidence(small, d.box, r) : null));
    if (ev[0]) evidence[d.id] = [ev[0].sizeRatio, ...ev.map((e) => e!.nucleusFraction)];
  }
  return {
    ...meta,
    width: img.width,
    height: img.height,
    pixels: pixelStats(small),
    det: detectionStats(post, img.width, img.height, scale, det.card.scale),
    passes: scale.passes,
    raw: raw.filter((d) => d.score >= 0.2).map((d) => ({ ...d, score: Math.round(d.score * 1e4) / 1e4 })),
    evidence,
    gt,
  };
}

const pic = (p: Picture): Rgba => ({ data: p.data, width: p.width, height: p.height });
const asPicture = (img: Rgba, name: string): Picture => ({ name, width: img.width, height: img.height, data: new Uint8Array(img.data) });

function colourCast(img: Rgba, kind: 'pale-blue' | 'grey' | 'yellow'): Rgba {
  const d = new Uint8Array(img.data.length);
  for (let i = 0; i < d.length; i += 4) {
    let [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
    if (kind === 'pale-blue') [r, g, b] = [r * 0.72 + 40, g * 0.85 + 35, b * 0.95 + 30];
    else if (kind === 'grey') {
      const y = 0.299 * r + 0.587 * g + 0.114 * b;
      [r, g, b] = [y * 0.8 + r * 0.2, y * 0.8 + g * 0.2, y * 0.8 + b * 0.2];
    } else {
      g *= 0.95;
      b *= 0.7;
    }
    d[i] = Math.min(255, r);
    d[i + 1] = Math.min(255, g);
    d[i + 2] = Math.min(255, b);
    d[i + 3] = 255;
  }
  return { data: d, width: img.width, height: img.height };
}

/** Every pixel value times f (clipped at 255), plus (sigma > 0) Gaussian grain of that σ, the same on the three channels as a
 * sensor's luminance noise, seeded by the image's name so that a rerun makes the same copy. */
function exposedCopy(img: Rgba, f: number, sigma = 0, seed = 'x'): Rgba {
  let state = fnv1a(seed) || 1;
  const rnd = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const d = new Uint8Array(img.data.length);
  for (let i = 0; i < d.length; i += 4) {
    const n = sigma ? sigma * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd()) : 0;
    for (let c = 0; c < 3; c++) d[i + c] = Math.max(0, Math.min(255, Math.round(img.data[i + c] * f + n)));
    d[i + 3] = 255;
  }
  return { data: d, width: img.width, height: img.height };
}

/** The images the synthetic copies are made of: every 25th validation image of the three complete sources. */
const COPY_EVERY = 25;

function sourceList(): { set: string; source: string; dir: string; images?: string; complete: boolean }[] {
  return [
    { set: 'validation', source: 'bccd', dir: requireData('txl-pbc/bccd', 'txl-pbc'), complete: true },
    { set: 'validation', source: 'bcd', dir: requireData('txl-pbc/bcd', 'txl-pbc'), complete: true },
    { set: 'validation', source: 'pbc', dir: requireData('txl-pbc/pbc', 'txl-pbc'), complete: true },
    { set: 'validation', source: 'cbc-training', dir: requireData('cbc/Training', 'CBC Training'), complete: false },
    { set: 'cbc-testing', source: 'cbc', dir: requireData('cbc-complete/Testing', 'CBC Testing complete labels'), images: join(requireData('cbc/Testing', 'CBC Testing'), 'Images'), complete: true },
  ];
}

const labelsOf = (xml: string | undefined): Labeled[] | undefined => (xml ? parseVoc(readFileSync(xml, 'utf8'), xml).objects.map((g) => ({ cls: g.cls, box: g.box })) : undefined);

/** The darkened copies (DARK_FACTORS) of the images the other copies are made of. */
async function darkCopies(det: Detector, img: Rgba, meta: { source: string; name: string }, gt: Labeled[] | undefined): Promise<Rec[]> {
  const out: Rec[] = [];
  for (const f of DARK_FACTORS) out.push(await measure(det, exposedCopy(img, f), { ...meta, set: `dark-${f}` }, gt));
  return out;
}

/** The brightened copies (BRIGHT_FACTORS) of the same images. */
async function brightCopies(det: Detector, img: Rgba, meta: { source: string; name: string }, gt: Labeled[] | undefined): Promise<Rec[]> {
  const out: Rec[] = [];
  for (const f of BRIGHT_FACTORS) out.push(await measure(det, exposedCopy(img, f), { ...meta, set: `bright-${f}` }, gt));
  return out;
}

/** The dim, grainy copies (DIM_NOISY) of the same images. */
async function dimNoisyCopies(det: Detector, img: Rgba, meta: { source: string; name: string }, gt: Labeled[] | undefined): Promise<Rec[]> {
  const out: Rec[] = [];
  for (const [f, sigma] of DIM_NOISY) out.push(await measure(det, exposedCopy(img, f, sigma, meta.name), { ...meta, set: `dim-${f}-noise-${sigma}` }, gt));
  return out;
}

/** Measures the synthetic sets a cache made before them lacks (the darkened copies, the dim grainy ones),
 * without recollecting the rest. */
async function extend(recs: Rec[]): Promise<boolean> {
  const families = [
    { prefix: 'dark-', make: darkCopies },
    { prefix: 'dim-', make: dimNoisyCopies },
    { prefix: 'bright-', make: brightCopies },
  ].filter((x) => !recs.some((r) => r.set.startsWith(x.prefix)));
  if (!families.length) return false;
  const det = await Detector.create(o.model, Number(o.threads));
  for (const s of sourceList()) {
    if (s.set !== 'validation' || !s.complete) continue;
    for (const [i, it] of listFolder(s.dir, s.images).entries()) {
      if (i % COPY_EVERY) continue;
      const img = await decodeImage(it.image);
      for (const x of families) recs.push(...(await x.make(det, img, { source: s.source, name: basename(it.image) }, labelsOf(it.xml))));
    }
    process.stderr.write(`${families.map((x) => x.prefix).join(', ')} copies of ${s.source} done\n`);
  }
  await det.release();
  return true;
}

async function collect(): Promise<Rec[]> {
  const det = await Detector.create(o.model, Number(o.threads));
  const recs: Rec[] = [];
  const sources = sourceList();
  const t0 = performance.now();
  for (const s of sources) {
    const items = listFolder(s.dir, s.images);
    for (const [i, it] of items.entries()) {
      const img = await decodeImage(it.image);
      const gt = labelsOf(it.xml);
      const meta = { set: s.set, source: s.source, name: basename(it.image) };
      recs.push(await measure(det, img, meta, s.complete ? gt : gt?.filter((g) => g.cls === 'WBC')));
      // every 25th validation image of the three complete sources: blurred and colour-cast copies
      if (s.set === 'validation' && s.complete && i % COPY_EVERY === 0) {
        const rbc = gt?.filter((g) => g.cls === 'RBC').map((g) => Math.sqrt((g.box.x2 - g.box.x1) * (g.box.y2 - g.box.y1))).sort((a, b) => a - b);
        const size = rbc?.length ? rbc[rbc.length >> 1] : img.width / 10;
        for (const k of [0.05, 0.1, 0.2]) {
          const sigma = Math.max(0.5, k * size);
          recs.push(await measure(det, pic(gaussianBlur(asPicture(img, meta.name), sigma)), { set: `blur-${k}`, source: s.source, name: meta.name }));
        }
        for (const kind of ['pale-blue', 'grey', 'yellow'] as const) {
          recs.push(await measure(det, colourCast(img, kind), { set: `cast-${kind}`, source: s.source, name: meta.name }, gt));
        }
        // a monochrome camera, and the JPEG qualities of a careless export or a messaging app
        recs.push(await measure(det, monochromeCopy(img), { set: 'monochrome', source: s.source, name: meta.name }, gt));
        for (const quality of JPEG_QUALITIES) recs.push(await measure(det, await jpegCopy(img, quality), { set: `jpeg-q${quality}`, source: s.source, name: meta.name }, gt));
        recs.push(...(await darkCopies(det, img, meta, gt)), ...(await dimNoisyCopies(det, img, meta, gt)), ...(await brightCopies(det, img, meta, gt)));
      }
      if ((i + 1) % 50 === 0) process.stderr.write(`${s.source} ${i + 1}/${items.length} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
  }
  for (const p of nonSmearPictures()) recs.push(await measure(det, pic(p), { set: 'non-smear', source: 'procedural', name: p.name }));
  await det.release();
  return recs;
}

// ---------------------------------------------------------------------------------------------------

function colourModel(name: string, xs: number[][]): ColourModel {
  const k = xs[0].length;
  const mean = Array.from({ length: k }, (_, i) => xs.reduce((a, x) => a + x[i], 0) / xs.length);
  const cov = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => xs.reduce((a, x) => a + (x[i] - mean[i]) * (x[j] - mean[j]), 0) / (xs.length - 1)));
  // ridge: a microscope's colours vary more between labs and days than within one folder
  for (let i = 0; i < k; i++) cov[i][i] += 1e-3;
  return { name, mean: mean.map(r6), invCov: invert(cov).map((row) => row.map(r6)) };
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const v = a[c][c];
    for (let j = 0; j < 2 * n; j++) a[c][j] /= v;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((row) => row.slice(n));
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(p * (s.length - 1))))];
};

/** The microscope an image comes from: cbc Training and txl-pbc/bccd are one (BCCD). */
const microscope = (r: Rec) => (r.source === 'cbc-training' || r.source === 'bccd' || r.source === 'cbc' ? 'bccd' : r.source);

function choose(recs: Rec[], params: Parameters<typeof postprocess>[1]): QualityCalibration {
  const val = recs.filter((r) => r.set === 'validation');
  // Colour: one Gaussian per training microscope, fitted on the even-numbered validation images; the
  // threshold is the 99.5th percentile of the odd-numbered ones' distance, x1.25 margin, so a new
  // image is flagged only when it is further from every microscope than nearly any training image.
  const groups = new Map<string, Rec[]>();
  val.forEach((r, i) => {
    if (i % 2) return;
    const m = microscope(r);
    groups.set(m, [...(groups.get(m) ?? []), r]);
  });
  const models = [...groups].map(([name, rs]) => colourModel(name, rs.map((r) => r.pixels.colour)));
  const held = val.filter((_, i) => i % 2).map((r) => colourDistance(r.pixels.colour, models));
  const maxDistance = Math.round(q(held, 0.995) * 1.25 * 100) / 100;
  // Stain strength: half the 0.2th percentile of the validation images' darkest-fifth chroma.
  const minStainChroma = Math.round(q(val.map((r) => Math.hypot(r.pixels.colour[2], r.pixels.colour[3])), 0.002) * 0.5 * 1000) / 1000;
  // Focus: below the 0.5th percentile of validation sharpness, x0.8 margin.
  const minSharpness = Math.round(q(val.map((r) => r.pixels.sharpness), 0.005) * 0.8 * 1000) / 1000;
  // the same rule for the sharpness read through the grain (PixelStats.edges, 2026-12-07)
  const minEdges = Math.round(q(val.map((r) => r.pixels.edges ?? Infinity), 0.005) * 0.8 * 1000) / 1000;
  // A smear: at least a few RBCs, whose median score is not low, and whose sizes vary as real cells do.
  // No stain at all (a grey picture): a quarter of the least-stained validation image's chroma.
  const smearChroma = Math.round(Math.min(...val.map((r) => Math.hypot(r.pixels.colour[2], r.pixels.colour[3]))) * 0.25 * 1000) / 1000;
  const minRbc = Math.max(1, Math.floor(q(val.map((r) => r.det.rbc), 0.002) / 2));
  const minRbcScore = Math.round(q(val.map((r) => r.det.rbcScore ?? 0), 0.002) * 0.8 * 100) / 100;
  const cvs = val.map((r) => r.det.rbcSizeCv).filter((x): x is number => x !== null);
  const minRbcSizeCv = Math.round(q(cvs, 0.002) * 0.5 * 1000) / 1000;
  // A grid: cells lined up on both axes. 1.5x the 99.8th percentile of validation's share, between 0.5
  // and 0.9 (a smear's cells line up by chance; a checkerboard's all do).
  const aligned = val.map((r) => r.det.rbcAligned).filter((x): x is number => x != null);
  const maxRbcAligned = Math.round(Math.min(0.9, Math.max(0.5, q(aligned, 0.998) * 1.5)) * 100) / 100;
  console.log(`rbcAligned on validation: ${aligned.length} images with >= 8 interior RBCs, max ${Math.max(...aligned).toFixed(3)}, 99.8th percentile ${q(aligned, 0.998).toFixed(3)}`);
  // Grain: 1.5x the 99.8th percentile of validation's median |Laplacian| (a smear's background is flat;
  // a dim field at a high camera gain is not).
  const noises = val.map((r) => r.pixels.noise).filter((x): x is number => x != null);
  const maxNoise = Math.round(q(noises, 0.998) * 1.5 * 100) / 100;
  console.log(`noise on validation: ${noises.length} images, max ${Math.max(...noises).toFixed(2)}, 99.8th percentile ${q(noises, 0.998).toFixed(2)} grey levels`);
  // JPEG blocks: 1.5x the 99.8th percentile of validation's blockiness, the images as their cameras saved
  // them (bcd's are the blockiest). `scripts/jpegStudy` measured where recompression starts to cost cells.
  const blocks = val.map((r) => r.pixels.blockiness).filter((x): x is number => x != null);
  const maxBlockiness = Math.round(q(blocks, 0.998) * 1.5 * 10) / 10;
  console.log(`blockiness on validation: ${blocks.length} images, max ${Math.max(...blocks).toFixed(2)}, 99.8th percentile ${q(blocks, 0.998).toFixed(2)}`);
  // Monochrome: a quarter of the least colourful validation image's channel spread, at most 3 grey levels
  // (a monochrome camera saving RGB JPEGs leaves 1-2 of chroma noise).
  const spreads = val.map((r) => r.pixels.colourSpread).filter((x): x is number => x != null);
  const maxColourSpread = Math.round(Math.min(3, 0.25 * Math.min(...spreads)) * 100) / 100;
  // ... down to the validation images' 0.2th percentile of brightness; a dimmer colour picture's channels
  // spread less in grey levels, so the bar shrinks with its brightness (the darkened copies' red cells and
  // nuclei keep their colour ratios but lose grey levels).
  const atBrightness = Math.round(q(val.map((r) => r.pixels.brightness), 0.002));
  // Exposure: the median brightness of the darkest copies (DARK_FACTORS) whose counts all held, each class
  // within 0.02 of the same validation images as saved, and at most half the dimmest validation images'
  // (the 0.2th percentile): below it a field is too dark to count.
  const darkest = furthestHeld(exposureStudy(recs, params, false, 'dark'));
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const minBrightness = Math.round(Math.min(darkest ? med(darkest.brightness) : Infinity, 0.5 * atBrightness));
  console.log(`exposure: the darkest copies whose counts held x${darkest?.f} (median brightness ${darkest ? med(darkest.brightness).toFixed(1) : '-'}); validation 0.2th percentile brightness ${atBrightness}`);
  // Over-exposure: the median share of clipped pixels of the brightest copies (BRIGHT_FACTORS) whose counts
  // all held, and at least 1.25x the validation images' 99.8th percentile (a bright microscope's background
  // may be clipped where its cells are not), at most 0.95.
  const brightest = furthestHeld(exposureStudy(recs, params, false, 'bright'));
  const clips = val.map((r) => r.pixels.clipped ?? 0);
  const maxClipped = Math.round(Math.min(0.95, Math.max(brightest ? med(brightest.clipped) : 0.95, 1.25 * q(clips, 0.998))) * 1000) / 1000;
  console.log(`over-exposure: the brightest copies whose counts held x${brightest?.f} (median clipped ${brightest ? med(brightest.clipped).toFixed(3) : '-'}); validation clipped max ${Math.max(...clips).toFixed(3)}, 99.8th percentile ${q(clips, 0.998).toFixed(3)}`);
  console.log(`colour spread on validation: ${spreads.length} images, min ${Math.min(...spreads).toFixed(2)}, 0.2th percentile ${q(spreads, 0.002).toFixed(2)} grey levels`);
  // Scale: the model was trained with cells at 0.4-2.5x the reference (card: augmentation); after the
  // second pass validation images sit near 1. Flag well outside what validation shows and training covered.
  const sc = val.map((r) => r.det.cellScale).filter((x): x is number => x !== null);
  const scale = { min: Math.round(Math.min(0.5, q(sc, 0.001) * 0.8) * 100) / 100, max: Math.round(Math.max(2, q(sc, 0.999) * 1.25) * 100) / 100 };
  return {
    source: `scripts/calibrateFlags.ts on ${val.length} images of the training folders (txl-pbc bccd/bcd/pbc, cbc/Training; a fifth held out by group), ${new Date().toISOString().slice(0, 10)}`,
    colour: { models, maxDistance, minStainChroma },
    focus: { minSharpness, minEdges },
    noise: { maxNoise, atBrightness },
    jpeg: { maxBlockiness },
    monochrome: { maxColourSpread, atBrightness },
    exposure: { minBrightness, maxClipped },
    smear: { minRbc, minRbcScore, minRbcSizeCv, minStainChroma: smearChroma, maxRbcAligned },
    scale,
  };
}

/** JSON with arrays of numbers kept on one line (the calibration file stays readable). */
const compact = (x: unknown) => JSON.stringify(x, null, 2).replace(/\[\s+([-\d.,\s]+?)\s+\]/g, (_, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`);

function flagTable(recs: Rec[], cal: QualityCalibration, params: Parameters<typeof postprocess>[1]) {
  const bySet = new Map<string, Rec[]>();
  for (const r of recs) {
    const k = r.set === 'validation' || r.set === 'held-out' ? `${r.set}/${r.source}` : r.set;
    bySet.set(k, [...(bySet.get(k) ?? []), r]);
  }
  const lines: string[] = [];
  // the image's stored flags, and the platelet clumps among its shown boxes (src/core/quality/clumps.ts)
  const flagsOf = (r: Rec): FlagCode[] => [...qualityFlags({ pixels: r.pixels, detections: r.det }, cal), ...(plateletClumps(postprocess(r.raw, params)).length ? (['platelet-clumps'] as const) : [])];
  for (const [k, rs] of bySet) {
    const counts: Partial<Record<FlagCode, number>> = {};
    let any = 0;
    for (const r of rs) {
      const f = flagsOf(r);
      if (f.length) any++;
      for (const c of f) counts[c] = (counts[c] ?? 0) + 1;
    }
    lines.push(`${k.padEnd(26)} ${String(any).padStart(4)} / ${String(rs.length).padEnd(4)} flagged (${((100 * any) / rs.length).toFixed(1)}%)  ${JSON.stringify(counts)}`);
  }
  for (const set of ['validation', 'held-out']) {
    const val = recs.filter((r) => r.set === set);
    const vf = val.filter((r) => flagsOf(r).length).length;
    lines.push(`${set === 'validation' ? 'chosen on (validation)' : 'held out'}, all: ${vf} / ${val.length} (${((100 * vf) / val.length).toFixed(2)}%)`);
  }
  for (const r of recs) {
    const f = flagsOf(r);
    if (r.set === 'non-smear' || (r.set === 'cbc-testing' && f.length) || ((r.set === 'validation' || r.set === 'held-out') && f.length) || (r.set.startsWith('blur') && !f.length))
      lines.push(`  ${r.set} ${r.source}/${r.name}: ${f.join(', ') || '(none)'}  rbc ${r.det.rbc} wbc ${r.det.wbc} rbcScore ${r.det.rbcScore?.toFixed(2)} cv ${r.det.rbcSizeCv?.toFixed(3)} scale ${r.det.cellScale?.toFixed(2)} sharp ${r.pixels.sharpness.toFixed(3)} colourDist ${colourDistance(r.pixels.colour, cal.colour.models).toFixed(2)}`);
  }
  return lines.join('\n');
}

/** Count accuracy per class on the darkened copies, beside the same images as saved: where darkness starts
 * to cost cells (the under-exposure flag's bar is chosen from this on the copies of validation images). */
function exposureStudy(recs: Rec[], params: Parameters<typeof postprocess>[1], held: boolean, prefix: 'dark' | 'bright') {
  const factors = prefix === 'dark' ? DARK_FACTORS : BRIGHT_FACTORS;
  const own = new Map(recs.filter((r) => (r.set === 'validation' || r.set === 'held-out') && r.gt).map((r) => [`${r.source}/${r.name}`, r]));
  const rows: { f: number; brightness: number[]; clipped: number[]; acc: Record<string, number> }[] = [];
  for (const f of [1, ...factors]) {
    const rs = f === 1 ? [] : recs.filter((r) => r.set === `${prefix}-${f}` && r.gt && heldOut(r) === held);
    const base = f === 1 ? recs.filter((r) => r.set === `${prefix}-${factors[0]}` && r.gt && heldOut(r) === held).map((r) => own.get(`${r.source}/${r.name}`)).filter((r): r is Rec => !!r) : rs;
    if (!base.length) continue;
    const ce = countErrors(base.map((r) => ({ gt: r.gt!, dets: postprocess(r.raw, params) })));
    rows.push({ f, brightness: base.map((r) => r.pixels.brightness), clipped: base.map((r) => r.pixels.clipped ?? 0), acc: { RBC: ce.RBC.accuracy, WBC: ce.WBC.accuracy, Platelets: ce.Platelets.accuracy } });
  }
  return rows;
}

/** The study's rows whose counts all held, each class within 0.02 of the same images as saved; of those the
 * one furthest from the saved exposure. */
function furthestHeld(rows: ReturnType<typeof exposureStudy>) {
  const saved = rows.find((r) => r.f === 1)!;
  const kept = rows.filter((r) => r.f !== 1 && (['RBC', 'WBC', 'Platelets'] as const).every((c) => r.acc[c] >= saved.acc[c] - 0.02));
  return kept.length ? kept.reduce((a, b) => (Math.abs(Math.log(b.f)) > Math.abs(Math.log(a.f)) ? b : a)) : null;
}

// ---------------------------------------------------------------------------------------------------

interface RuleChoice {
  maxSizeRatio: number;
  minNucleusFraction: number;
  refIndex: number;
  action: 'relabel' | 'drop' | 'none';
}

function withRule(r: Rec, rule: RuleChoice): Detection[] {
  if (rule.action === 'none') return r.raw;
  const out: Detection[] = [];
  for (const d of r.raw) {
    const e = r.evidence[d.id];
    if (d.cls === 'WBC' && e && e[0] <= rule.maxSizeRatio && e[1 + rule.refIndex] < rule.minNucleusFraction) {
      if (rule.action === 'relabel') out.push({ ...d, cls: 'RBC' });
    } else out.push(d);
  }
  return out;
}

function wbcFigures(recs: Rec[], rule: RuleChoice, params: Parameters<typeof postprocess>[1]) {
  const ims = recs.filter((r) => r.gt).map((r) => ({ gt: r.gt!, dets: postprocess(withRule(r, rule), params) }));
  const pr = precisionRecall(ims);
  const ce = countErrors(ims.filter((_, i) => recs.filter((r) => r.gt)[i].source !== 'cbc-training'));
  return { precision: pr.WBC.precision, recall: pr.WBC.recall, wbcCount: ce.WBC, rbcCount: ce.RBC };
}

function ruleReport(recs: Rec[], params: Parameters<typeof postprocess>[1], rule: RuleChoice) {
  const sets = new Map<string, Rec[]>();
  for (const r of recs) if (r.gt) sets.set(r.set, [...(sets.get(r.set) ?? []), r]);
  const lines: string[] = [];
  const f4 = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(4));
  for (const [k, rs] of sets) {
    for (const action of ['none', 'drop', 'relabel'] as const) {
      const w = wbcFigures(rs, { ...rule, action }, params);
      lines.push(
        `${k.padEnd(18)} ${action.padEnd(8)} WBC precision ${f4(w.precision)} recall ${f4(w.recall)}  WBC count ${f4(w.wbcCount.accuracy)} (${w.wbcCount.predicted}/${w.wbcCount.truth})  RBC count ${f4(w.rbcCount.accuracy)} (${w.rbcCount.predicted}/${w.rbcCount.truth})`,
      );
    }
  }
  return lines.join('\n');
}

/** Evidence of the shown WBCs that are not a true WBC vs those that are, on validation (for choosing). */
function evidenceSummary(recs: Rec[], params: Parameters<typeof postprocess>[1]) {
  const tp: number[][] = [];
  const fp: number[][] = [];
  for (const r of recs) {
    if (!r.gt) continue;
    const post = postprocess(r.raw, params);
    for (const d of post) {
      if (d.cls !== 'WBC' || !r.evidence[d.id]) continue;
      const isWbc = r.gt.some((g) => g.cls === 'WBC' && iou(g.box, d.box) >= 0.5);
      (isWbc ? tp : fp).push(r.evidence[d.id]);
    }
  }
  return { tp, fp };
}

function chooseRule(recs: Rec[], params: Parameters<typeof postprocess>[1]): RuleChoice {
  // On validation: the most permissive rule (largest size ratio, largest nucleus fraction) that removes
  // no true WBC, with margins: true WBCs keep a nucleus fraction well above the cut.
  const { tp } = evidenceSummary(recs.filter((r) => r.set === 'validation'), params);
  // A nucleus fills well over a tenth of a true WBC's central ellipse, so the cut is 0.1. The size cap is
  // 0.9x the smallest true WBC that comes anywhere near the cut (nucleus under 0.2), within 1-1.6x an RBC.
  const refIndex = 1; // refQuantile 0.05
  const minNucleusFraction = 0.1;
  const nearCut = tp.filter((e) => e[1 + refIndex] < 2 * minNucleusFraction).map((e) => e[0]);
  const maxSizeRatio = Math.round(Math.min(1.6, Math.max(1, 0.9 * Math.min(...nearCut, 2))) * 100) / 100;
  const removed = tp.filter((e) => e[0] <= maxSizeRatio && e[1 + refIndex] < minNucleusFraction).length;
  console.log(`WBC rule: ${removed} of ${tp.length} true validation WBCs would be taken for RBCs`);
  return { maxSizeRatio, minNucleusFraction, refIndex, action: 'relabel' };
}

// ---------------------------------------------------------------------------------------------------

/** The CBC Training image each bccd/bcd copy was made from (txl-pbc/cbc-training-copies.csv). */
function copiesOf(): Map<string, string> {
  const m = new Map<string, string>();
  const csv = join(requireData('txl-pbc', 'txl-pbc'), 'cbc-training-copies.csv');
  for (const line of readFileSync(csv, 'utf8').split(/\r?\n/).slice(1)) {
    const [source, file, cbc] = line.split(',');
    if (file && cbc) m.set(`${source}/${file}`, cbc);
  }
  return m;
}
const copies = copiesOf();

/** FNV-1a: a stable split that needs no seed file. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function heldOut(r: Rec): boolean {
  const group = r.source === 'cbc-training' ? r.name : (copies.get(`${r.source}/${r.name}`) ?? `${r.source}/${r.name}`);
  return fnv1a(group) % 5 === 0;
}

const t0 = performance.now();
let recs: Rec[];
if (existsSync(o.cache!) && !o.fresh) {
  recs = JSON.parse(readFileSync(o.cache!, 'utf8'));
  if (await extend(recs)) writeFileSync(o.cache!, JSON.stringify(recs));
} else {
  recs = await collect();
  mkdirSync(dirname(o.cache!), { recursive: true });
  writeFileSync(o.cache!, JSON.stringify(recs));
}
// Held out (issue 22): a fifth of the training folders' images, by group (a CBC Training image and its
// bccd/bcd copies share one), never used to choose; the false-flag figures that matter are theirs.
for (const r of recs) if (r.set === 'validation' && heldOut(r)) r.set = 'held-out';
console.log(`split: ${recs.filter((r) => r.set === 'validation').length} images choose, ${recs.filter((r) => r.set === 'held-out').length} held out`);
const det = (await import('./evaluation/detector')).loadCard(o.model);
const params = det.postprocess;
const cal = choose(recs, params);
console.log(JSON.stringify(cal, null, 1));
console.log('\n== flags (any flag but wbc-type-unsure)');
console.log(flagTable(recs, cal, params));
for (const prefix of ['dark', 'bright'] as const)
  for (const held of [false, true]) {
    console.log(`\n== ${prefix}ened copies (${held ? 'held out' : 'validation'}): count accuracy RBC / WBC / PLT, brightness and clipped share median [min-max]`);
    for (const row of exposureStudy(recs, params, held, prefix)) {
      const b = [...row.brightness].sort((a, b) => a - b);
      const c = [...row.clipped].sort((a, b) => a - b);
      console.log(`  x${String(row.f).padEnd(5)} ${b.length} images  ${row.acc.RBC.toFixed(3)} / ${row.acc.WBC.toFixed(3)} / ${row.acc.Platelets.toFixed(3)}  brightness ${b[b.length >> 1].toFixed(1)} [${b[0].toFixed(1)}-${b[b.length - 1].toFixed(1)}]  clipped ${c[c.length >> 1].toFixed(3)} [${c[0].toFixed(3)}-${c[c.length - 1].toFixed(3)}]`);
    }
  }
for (const [f, sigma] of DIM_NOISY) {
  const rs = recs.filter((r) => r.set === `dim-${f}-noise-${sigma}` && r.gt && !heldOut(r));
  const ce = countErrors(rs.map((r) => ({ gt: r.gt!, dets: postprocess(r.raw, params) })));
  const flagged = rs.filter((r) => qualityFlags({ pixels: r.pixels, detections: r.det }, cal).length).length;
  console.log(`  dim x${f}, grain σ ${sigma}: ${rs.length} images  ${ce.RBC.accuracy.toFixed(3)} / ${ce.WBC.accuracy.toFixed(3)} / ${ce.Platelets.accuracy.toFixed(3)}, ${flagged} flagged`);
}
const { tp, fp } = evidenceSummary(recs.filter((r) => r.set === 'validation'), params);
const fmt = (e: number[]) => e.map((x) => x.toFixed(3)).join(' ');
console.log(`\n== WBC evidence on validation [sizeRatio, nucleus@${REF_QUANTILES.join('/')}]: ${tp.length} true, ${fp.length} false shown WBCs`);
console.log('true WBCs, smallest nucleus fractions:', tp.sort((a, b) => a[2] - b[2]).slice(0, 8).map(fmt).join(' | '));
console.log('true WBCs, smallest size ratios:', [...tp].sort((a, b) => a[0] - b[0]).slice(0, 8).map(fmt).join(' | '));
console.log('false WBCs:', fp.map(fmt).join(' | '));
const rule = chooseRule(recs, params);
console.log('\n== WBC rule', JSON.stringify(rule));
console.log(ruleReport(recs, params, rule));
if (o.write) {
  const file = join(REPO_ROOT, 'src', 'core', 'quality', 'calibration.ts');
  writeFileSync(
    file,
    `/** Written by scripts/calibrateFlags.ts --write (re-run it when the detector changes). Chosen on four fifths of the training folders' images; the fifth held out by group is what its false-flag figures are measured on. */\n` +
      `import type { QualityCalibration } from './flags';\nimport type { WbcRuleParams } from './wbcRule';\n\n` +
      `export const CALIBRATION: QualityCalibration = ${compact(cal)};\n\n` +
      `export const WBC_RULE: WbcRuleParams = ${JSON.stringify({ ...RULE_BASE, refQuantile: REF_QUANTILES[rule.refIndex], maxSizeRatio: rule.maxSizeRatio, minNucleusFraction: rule.minNucleusFraction }, null, 2)};\n`,
  );
  console.log(`wrote ${file}`);
}
console.log(`wall ${((performance.now() - t0) / 1000).toFixed(0)} s`);
