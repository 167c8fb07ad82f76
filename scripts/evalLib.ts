/**
 * Runs the shipped model over a folder in Node with exactly the app's src/core pre- and
 * post-processing, and measures it. Used by `npm run eval` and by the CI test that checks the
 * model card's numbers.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import decodeJpeg, { init as initJpeg } from '@jsquash/jpeg/decode.js';
import { PNG } from 'pngjs';
import { parseModelCard, type ModelCard, type PostprocessParams } from '../src/core/detection/card';
import { CLASS_NAMES } from '../src/core/detection/classes';
import { decodeOutputs } from '../src/core/detection/decode';
import type { Detection } from '../src/core/detection/detection';
import { postprocess } from '../src/core/detection/postprocess';
import { resizeToCHW } from '../src/core/detection/resize';
import { detectWithScale, type ScaleInfo } from '../src/core/detection/scale';
import { applyCountRule, type CountRule } from '../src/core/detection/postprocess';
import { countCells } from '../src/core/counts/counts';
import { countErrors, evaluateDetections, precisionRecall, type EvalImage } from '../src/core/metrics/ap';
import { parseVoc, type VocObject } from '../src/core/formats/voc';
import { parseClassifierCard, type ClassifierCard } from '../src/core/differential/card';
import { classificationMetrics, cropRect, normaliseChw, softmax, type CropRule } from '../src/core/differential/crop';
import { isWbcType, type WbcType } from '../src/core/differential/differential';
import { iou } from '../src/core/detection/geometry';

export const REPO = new URL('..', import.meta.url).pathname;
export const DEFAULT_MODEL = join(REPO, 'models', 'smearcount-frcnn.onnx');

export const DEFAULT_CLASSIFIER = join(REPO, 'models', 'smearcount-wbc.onnx');

/** A padded square cut of an RGBA image (grey outside), as float CHW at `size`, normalised by the crop rule. */
export function cropForClassifier(img: Rgba, box: { x1: number; y1: number; x2: number; y2: number }, rule: CropRule): Float32Array {
  const r = cropRect(box, rule.factor);
  const side = Math.max(1, Math.round(r.side));
  const x0 = Math.round(r.x);
  const y0 = Math.round(r.y);
  const g = Math.round(rule.pad * 255);
  const out = new Uint8Array(side * side * 4).fill(g);
  for (let y = 0; y < side; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < side; x++) {
      const sx = x0 + x;
      if (sx < 0 || sx >= img.width) continue;
      const i = (sy * img.width + sx) * 4;
      out.set(img.data.subarray(i, i + 4), (y * side + x) * 4);
    }
  }
  return normaliseChw(resizeToCHW(out, side, side, rule.size, rule.size), rule);
}

/** The WBC classifier on onnxruntime-node, with its card. */
export class Classifier {
  private constructor(
    private session: ort.InferenceSession,
    readonly card: ClassifierCard,
  ) {}
  static async create(modelPath = DEFAULT_CLASSIFIER): Promise<Classifier> {
    const card = parseClassifierCard(JSON.parse(readFileSync(modelPath.replace(/\.onnx$/, '.json'), 'utf8')));
    return new Classifier(await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2 }), card);
  }
  /** Type probabilities (card order) for each box of one image, in one batch. */
  async classify(img: Rgba, boxes: { x1: number; y1: number; x2: number; y2: number }[]): Promise<number[][]> {
    if (!boxes.length) return [];
    const size = this.card.crop.size;
    const crops = new Float32Array(boxes.length * 3 * size * size);
    boxes.forEach((b, i) => crops.set(cropForClassifier(img, b, this.card.crop), i * 3 * size * size));
    const out = await this.session.run({ crops: new ort.Tensor('float32', crops, [boxes.length, 3, size, size]) });
    const logits = out.logits.data as Float32Array;
    const k = out.logits.dims[1];
    return boxes.map((_, i) => softmax(logits.subarray(i * k, (i + 1) * k)));
  }
  release() {
    return this.session.release();
  }
}

const argmax = (p: readonly number[]) => p.reduce((b, v, i) => (v > p[b] ? i : b), 0);

/** The differential on folders of single cells: <dir>/<type>/*.jpg, the cell centred. The detector finds
 * the WBC nearest the centre (as in training), the classifier types it. */
export async function evaluateTypeFolders(dir: string, opts: { model?: string; classifier?: string; limit?: number; onProgress?: (d: number, n: number) => void } = {}) {
  const det = await Detector.create(opts.model);
  const cls = await Classifier.create(opts.classifier);
  const names = cls.card.classes.map((c) => c.name);
  const items = readdirSync(dir)
    .filter((t) => isWbcType(t))
    .flatMap((t) =>
      readdirSync(join(dir, t))
        .filter((f) => /\.(jpe?g|png)$/i.test(f))
        .sort()
        .slice(0, opts.limit)
        .map((f) => ({ path: join(dir, t, f), type: t as WbcType })),
    );
  if (!items.length) throw new Error(`no <type>/ folders of images in ${dir} (types: ${names.join(', ')})`);
  const truth: number[] = [];
  const pred: number[] = [];
  // Each cell's box, by '<type>/<file>': models/differential.py frames its training crops with the
  // shipped detector's boxes, so that training and the app crop by the same rule.
  const boxes: Record<string, [number, number, number, number]> = {};
  let found = 0;
  for (const [i, it] of items.entries()) {
    const img = await decodeImage(it.path);
    const { raw } = await det.detect(img);
    const wbc = raw.filter((d) => d.cls === 'WBC' && d.score >= 0.2);
    const cx = img.width / 2;
    const cy = img.height / 2;
    const dist = (d: Detection) => ((d.box.x1 + d.box.x2) / 2 - cx) ** 2 + ((d.box.y1 + d.box.y2) / 2 - cy) ** 2;
    const box = wbc.length ? [...wbc].sort((a, b) => dist(a) - dist(b))[0].box : { x1: 0.3 * img.width, y1: 0.3 * img.height, x2: 0.7 * img.width, y2: 0.7 * img.height };
    if (wbc.length) found++;
    boxes[`${it.type}/${basename(it.path)}`] = [box.x1, box.y1, box.x2, box.y2];
    const [p] = await cls.classify(img, [box]);
    truth.push(names.indexOf(it.type));
    pred.push(argmax(p));
    opts.onProgress?.(i + 1, items.length);
  }
  await det.release();
  await cls.release();
  return { ...classificationMetrics(truth, pred, names), wbcFound: found, boxes, detector: { sha256: det.card.sha256 } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the card's JSON as written by models/train.py
export function loadCard(modelPath = DEFAULT_MODEL): ModelCard & { raw: any } {
  const raw = JSON.parse(readFileSync(modelPath.replace(/\.onnx$/, '.json'), 'utf8'));
  return { ...parseModelCard(raw), raw };
}

export interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

let jpegReady: Promise<void> | undefined;

/** JPEG via libjpeg-turbo's decoder (mozjpeg, WASM): the same IDCT and upsampling as the libjpeg that
 * torchvision used for the model card, so the card's numbers are reproduced pixel for pixel. */
export async function decodeImage(path: string): Promise<Rgba> {
  const buf = readFileSync(path);
  if (buf[0] === 0xff && buf[1] === 0xd8) {
    jpegReady ??= WebAssembly.compile(readFileSync(join(REPO, 'node_modules/@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'))).then((m) => initJpeg(m));
    await jpegReady;
    const d = await decodeJpeg(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer);
    return { data: new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.length), width: d.width, height: d.height };
  }
  if (buf[0] === 0x89 && buf[1] === 0x50) {
    const p = PNG.sync.read(buf);
    return { data: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.length), width: p.width, height: p.height };
  }
  throw new Error(`${path}: only JPEG and PNG are read by the CLI`);
}

export class Detector {
  private constructor(
    private session: ort.InferenceSession,
    readonly card: ModelCard,
  ) {}
  static async create(modelPath = DEFAULT_MODEL, threads = 2): Promise<Detector> {
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
    return new Detector(session, loadCard(modelPath));
  }
  /** Raw detections in image pixels through the app's scale logic, plus the inference time (all passes). */
  async detect(img: Rgba, fixedScale?: number | null): Promise<{ raw: Detection[]; ms: number; scale: ScaleInfo }> {
    let ms = 0;
    const { raw, scale } = await detectWithScale(img.width, img.height, this.card.nativeSize, this.card.scale, async (_s, size) => {
      const chw = resizeToCHW(img.data, img.width, img.height, size.width, size.height);
      const t = performance.now();
      const out = await this.session.run({ image: new ort.Tensor('float32', chw, [3, size.height, size.width]) });
      ms += performance.now() - t;
      return decodeOutputs(
        { boxes: out.boxes.data as Float32Array, labels: out.labels.data as BigInt64Array, scores: out.scores.data as Float32Array },
        size.width / img.width,
      );
    }, fixedScale);
    return { raw, ms, scale };
  }
  release() {
    return this.session.release();
  }
}

export interface Item {
  image: string;
  xml?: string;
}

/** Pascal VOC layout (Images/ + Annotations/) or a flat folder of images with optional .xml beside them.
 * `imagesDir` reads the images from elsewhere (complete labels kept apart from their images). */
export function listFolder(dir: string, imagesDir?: string): Item[] {
  const imgDir = imagesDir ?? (existsSync(join(dir, 'Images')) ? join(dir, 'Images') : existsSync(join(dir, 'JPEGImages')) ? join(dir, 'JPEGImages') : dir);
  const annDir = existsSync(join(dir, 'Annotations')) ? join(dir, 'Annotations') : imgDir;
  if (!existsSync(imgDir)) throw new Error(`no image folder at ${imgDir}`);
  return readdirSync(imgDir)
    .filter((f) => /\.(jpe?g|png)$/i.test(f))
    .sort()
    .map((f) => {
      const xml = join(annDir, f.replace(/\.[^.]+$/, '.xml'));
      return { image: join(imgDir, f), xml: existsSync(xml) ? xml : undefined };
    });
}

export interface EvalResult {
  images: number;
  annotated: number;
  postprocess: PostprocessParams;
  raw?: ReturnType<typeof evaluateDetections>;
  post?: ReturnType<typeof evaluateDetections>;
  precisionRecall?: ReturnType<typeof precisionRecall>;
  count?: ReturnType<typeof countErrors>;
  /** On matched WBCs whose annotation names a type (IoU >= 0.5), when the classifier is present. */
  differential?: ReturnType<typeof classificationMetrics>;
  /** How the scale logic ran: images that needed a second pass, and the estimates. */
  scale: { secondPass: number; estimated: number; medianEstimate: number | null; fixed: number | null };
  inferenceMs: { mean: number; p50: number; p95: number };
  perImage: { image: string; RBC: number; WBC: number; Platelets: number; ms: number; scale: number; passes: number; truth?: Record<string, number> }[];
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

export async function evaluateFolder(
  dir: string,
  opts: {
    model?: string;
    limit?: number;
    images?: string;
    fixedScale?: number | null;
    countRule?: CountRule;
    classifier?: string;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<EvalResult> {
  const det = await Detector.create(opts.model);
  const cls = existsSync(opts.classifier ?? DEFAULT_CLASSIFIER) ? await Classifier.create(opts.classifier) : null;
  const typeTruth: number[] = [];
  const typePred: number[] = [];
  let items = listFolder(dir, opts.images);
  if (opts.limit) items = items.slice(0, opts.limit);
  if (!items.length) throw new Error(`no JPEG or PNG images in ${dir}`);
  const params = { ...det.card.postprocess, countRule: opts.countRule ?? det.card.postprocess.countRule };
  const estimates: number[] = [];
  let secondPass = 0;
  const rawImgs: EvalImage[] = [];
  const postImgs: EvalImage[] = [];
  const perImage: EvalResult['perImage'] = [];
  const times: number[] = [];
  for (const [i, it] of items.entries()) {
    const img = await decodeImage(it.image);
    const { raw, ms, scale } = await det.detect(img, opts.fixedScale);
    times.push(ms);
    if (scale.passes === 2) secondPass++;
    if (scale.estimated !== null) estimates.push(scale.estimated);
    const post = applyCountRule(postprocess(raw, params), params.countRule, img.width, img.height);
    const c = countCells(post);
    let gt: VocObject[] | undefined;
    if (it.xml) {
      // The truth is counted by the same rule as the detections (identity for 'all').
      gt = applyCountRule(parseVoc(readFileSync(it.xml, 'utf8'), it.xml).objects, params.countRule, img.width, img.height);
      rawImgs.push({ gt, dets: raw });
      postImgs.push({ gt, dets: post });
    }
    if (cls && gt?.some((g) => g.type)) {
      // the differential on matched WBCs: each typed ground-truth WBC against the best-overlapping shown WBC
      const wbcs = post.filter((d) => d.cls === 'WBC');
      const probs = await cls.classify(img, wbcs.map((d) => d.box));
      const names = cls.card.classes.map((k) => k.name);
      for (const g of gt) {
        if (g.cls !== 'WBC' || !g.type) continue;
        let best = -1;
        let bestIou = 0.5;
        wbcs.forEach((d, j) => {
          const v = iou(d.box, g.box);
          if (v >= bestIou) [best, bestIou] = [j, v];
        });
        if (best < 0) continue;
        typeTruth.push(names.indexOf(g.type));
        typePred.push(argmax(probs[best]));
      }
    }
    perImage.push({ image: basename(it.image), ...c, ms, scale: scale.relative, passes: scale.passes, truth: gt ? countCells(gt) : undefined });
    opts.onProgress?.(i + 1, items.length);
  }
  await det.release();
  await cls?.release();
  const res: EvalResult = {
    images: items.length,
    annotated: rawImgs.length,
    postprocess: params,
    scale: {
      secondPass,
      estimated: estimates.length,
      medianEstimate: estimates.length ? [...estimates].sort((a, b) => a - b)[Math.floor(estimates.length / 2)] : null,
      fixed: opts.fixedScale ?? null,
    },
    inferenceMs: { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: pct(times, 50), p95: pct(times, 95) },
    perImage,
  };
  if (rawImgs.length) {
    res.raw = evaluateDetections(rawImgs);
    res.post = evaluateDetections(postImgs);
    res.precisionRecall = precisionRecall(postImgs);
    res.count = countErrors(postImgs);
  }
  if (cls && typeTruth.length) res.differential = classificationMetrics(typeTruth, typePred, cls.card.classes.map((k) => k.name));
  return res;
}

export function formatDifferential(d: ReturnType<typeof classificationMetrics>, what: string): string {
  const lines = [`differential (${what}): ${d.images} cells, accuracy ${d.accuracy.toFixed(4)}, balanced accuracy ${d.balancedAccuracy.toFixed(4)}`];
  lines.push('type                   recall   support   confusion row (predicted: ' + d.classes.map((c) => c.slice(0, 4)).join(' ') + ')');
  d.classes.forEach((c, i) => {
    const pc = d.perClass[c];
    lines.push(`${c.padEnd(22)} ${pc.recall === null ? '   –  ' : pc.recall.toFixed(4)}   ${String(pc.support).padStart(7)}   ${d.confusion[i].map((v) => String(v).padStart(4)).join(' ')}`);
  });
  return lines.join('\n');
}

export function formatReport(r: EvalResult): string {
  const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '   –  ' : x.toFixed(4));
  const lines: string[] = [];
  lines.push(`images: ${r.images} (${r.annotated} annotated)  inference: mean ${r.inferenceMs.mean.toFixed(1)} ms, p50 ${r.inferenceMs.p50.toFixed(1)} ms, p95 ${r.inferenceMs.p95.toFixed(1)} ms (onnxruntime-node)`);
  const t = r.postprocess.scoreThresholds;
  lines.push(`post-processing: thresholds RBC ${t.RBC} WBC ${t.WBC} Platelets ${t.Platelets}, NMS IoU ${r.postprocess.nmsIou}, cross-class ${r.postprocess.crossClassNms}, count rule ${r.postprocess.countRule}`);
  lines.push(
    r.scale.fixed
      ? `scale: fixed by the user at ${r.scale.fixed}x the model's reference`
      : `scale: estimated on ${r.scale.estimated}/${r.images} images (median cell size ${r.scale.medianEstimate?.toFixed(2) ?? '–'}x the reference); second pass on ${r.scale.secondPass}`,
  );
  if (r.raw && r.post && r.count && r.precisionRecall) {
    lines.push('');
    lines.push('class      AP50 raw  AP50 post  AP@[.5:.95] raw (all-point)  precision  recall   count MAE  count acc  pred/true');
    for (const c of CLASS_NAMES) {
      const pr = r.precisionRecall[c];
      const ce = r.count[c];
      lines.push(
        `${c.padEnd(10)} ${f(r.raw.ap50[c])}    ${f(r.post.ap50[c])}     ${f(r.raw.ap5095[c])}          ${f(pr.precision)}     ${f(pr.recall)}   ${ce.mae.toFixed(3).padStart(7)}    ${f(ce.accuracy)}     ${ce.predicted}/${ce.truth}`,
      );
    }
    lines.push(`${'mean'.padEnd(10)} ${f(r.raw.map50)}    ${f(r.post.map50)}     ${f(r.raw.map5095)}`);
  }
  if (r.differential) lines.push('', formatDifferential(r.differential, 'matched WBCs whose annotation names a type'));
  return lines.join('\n');
}
