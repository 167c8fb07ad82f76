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

export const REPO = new URL('..', import.meta.url).pathname;
export const DEFAULT_MODEL = join(REPO, 'models', 'smearcount-frcnn.onnx');

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
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<EvalResult> {
  const det = await Detector.create(opts.model);
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
    perImage.push({ image: basename(it.image), ...c, ms, scale: scale.relative, passes: scale.passes, truth: gt ? countCells(gt) : undefined });
    opts.onProgress?.(i + 1, items.length);
  }
  await det.release();
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
  return res;
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
  return lines.join('\n');
}
