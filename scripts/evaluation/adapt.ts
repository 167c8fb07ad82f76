/**
 * `npm run eval -- <set> --adapt K`: simulates learning a microscope from verified cells on any typed set.
 * A set is folders of single cells (<dir>/<type>/*.jpg), a VOC folder whose WBCs name their type, or a
 * cell list written by `python3 -m models.wbc_split` ({cells: [{image, box|null, type}]}, images relative
 * to the data root). Each cell goes through the app's crop rule and the classifier once (type
 * probabilities and embedding); then, per seeded pick, K cells per type fit the head of
 * src/core/adapt (the app's own code), and the rest is scored with and without it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { adaptedProbs, fitHead, pickVerified, type AdaptOptions } from '../../src/core/adapt/adapt';
import { parseClassifierCard, type ClassifierCard } from '../../src/core/differential/card';
import { classificationMetrics, softmax } from '../../src/core/differential/crop';
import { isWbcType, WBC_TYPES, type WbcType } from '../../src/core/differential/differential';
import type { Detection } from '../../src/core/detection/detection';
import type { ImageBox } from '../../src/core/detection/geometry';
import { parseVoc } from '../../src/core/formats/voc';
import { dataRoot, requireData } from '../dataRoot';
import { cropForClassifier, DEFAULT_CLASSIFIER } from './classifier';
import { boxAsShown, IMAGE_FILE, readAsIntake, type Rgba } from './decode';
import { Detector } from './detector';
import { listFolder, typeFolders } from './evaluate';

export interface Cell {
  image: string;
  /** null: the detector's WBC nearest the centre (single-cell images, as in training). */
  box: ImageBox | null;
  type: WbcType;
  /** The size its label file gives the image (boxAsShown: labels drawn on a sideways photo as stored). */
  labelSize?: { width: number; height: number };
}

/** The typed cells of a set (see the module comment). */
export function listCells(path: string): Cell[] {
  if (path.endsWith('.json')) {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { cells?: { image: string; box: number[] | null; type: string }[] };
    if (!Array.isArray(doc.cells)) throw new Error(`${path}: expected {cells: [{image, box, type}]}`);
    const root = dataRoot();
    // the datasets' folders the list reads, there before any cell is read (each cell was tried, and failed, in turn)
    for (const top of new Set(doc.cells.map((c) => c.image.split('/')[0]))) requireData(top, `${top} (the cells ${path} lists)`);
    return doc.cells.map((c, i) => {
      if (!isWbcType(c.type)) throw new Error(`${path}: cell ${i} has an unknown type ${c.type}`);
      const b = c.box;
      return { image: join(root, c.image), box: b ? { x1: b[0], y1: b[1], x2: b[2], y2: b[3] } : null, type: c.type };
    });
  }
  const folders = typeFolders(path);
  if (folders.length) {
    return folders.flatMap(({ folder, type }) =>
      readdirSync(join(path, folder))
        .filter((f) => IMAGE_FILE.test(f))
        .sort()
        .map((f) => ({ image: join(path, folder, f), box: null, type })),
    );
  }
  return listFolder(path).flatMap((it) =>
    it.xml
      ? (() => {
          const voc = parseVoc(readFileSync(it.xml!, 'utf8'), it.xml!);
          return voc.objects.filter((o) => o.cls === 'WBC' && o.type).map((o) => ({ image: it.image, box: o.box, type: o.type!, labelSize: { width: voc.width, height: voc.height } }));
        })()
      : [],
  );
}

/** The classifier with both outputs, on onnxruntime-node. */
export class EmbeddingClassifier {
  private constructor(
    private session: ort.InferenceSession,
    readonly card: ClassifierCard,
  ) {}
  static async create(modelPath = DEFAULT_CLASSIFIER): Promise<EmbeddingClassifier> {
    const card = parseClassifierCard(JSON.parse(readFileSync(modelPath.replace(/\.onnx$/, '.json'), 'utf8')));
    if (!card.embedding) throw new Error(`${modelPath}: the card lists no embedding output, so there is nothing to adapt`);
    return new EmbeddingClassifier(await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2 }), card);
  }
  async run(img: Rgba, boxes: ImageBox[]): Promise<{ probs: number[][]; embeddings: Float32Array[] }> {
    const size = this.card.crop.size;
    const crops = new Float32Array(boxes.length * 3 * size * size);
    boxes.forEach((b, i) => crops.set(cropForClassifier(img, b, this.card.crop), i * 3 * size * size));
    const out = await this.session.run({ crops: new ort.Tensor('float32', crops, [boxes.length, 3, size, size]) });
    const logits = out[this.card.logits ?? 'logits'].data as Float32Array;
    const emb = out[this.card.embedding!.name].data as Float32Array;
    const k = this.card.classes.length;
    const d = this.card.embedding!.dim;
    if (emb.length !== boxes.length * d) throw new Error(`the embedding output has ${emb.length / boxes.length} values per cell; the card says ${d}`);
    return {
      probs: boxes.map((_, i) => softmax(logits.subarray(i * k, (i + 1) * k))),
      embeddings: boxes.map((_, i) => emb.slice(i * d, (i + 1) * d)),
    };
  }
  release() {
    return this.session.release();
  }
}

export interface EmbeddedCells {
  labels: number[];
  probs: number[][];
  embeddings: Float32Array[];
  /** Files that could not be decoded, with why: in no figure. */
  unreadable: { image: string; error: string }[];
}

/** Every cell through the app's crop rule and the classifier (the detector boxes single-cell images). */
export async function embedCells(cells: Cell[], opts: { classifier?: string; model?: string; onProgress?: (d: number, n: number) => void } = {}): Promise<EmbeddedCells> {
  const cls = await EmbeddingClassifier.create(opts.classifier);
  const det = cells.some((c) => !c.box) ? await Detector.create(opts.model) : null;
  const out: EmbeddedCells = { labels: [], probs: [], embeddings: [], unreadable: [] };
  const byImage = new Map<string, Cell[]>();
  for (const c of cells) byImage.set(c.image, [...(byImage.get(c.image) ?? []), c]);
  let done = 0;
  for (const [path, list] of byImage) {
    // a file that cannot be read is named and passed over, never the end of the run
    const img = await readAsIntake(path).catch((e: Error) => {
      out.unreadable.push({ image: path, error: e.message.replace(`${path}: `, '') });
      return null;
    });
    done += img ? 0 : list.length;
    if (!img) continue;
    let found: ImageBox | undefined;
    if (list.some((c) => !c.box)) {
      const { raw } = await det!.detect(img);
      const cx = img.width / 2;
      const cy = img.height / 2;
      const dist = (d: Detection) => ((d.box.x1 + d.box.x2) / 2 - cx) ** 2 + ((d.box.y1 + d.box.y2) / 2 - cy) ** 2;
      found = raw.filter((d) => d.cls === 'WBC' && d.score >= 0.2).sort((a, b) => dist(a) - dist(b))[0]?.box;
    }
    const boxes = list.map((c) => (c.box ? boxAsShown(c.box, c.labelSize, img) : null) ?? found ?? { x1: 0.3 * img.width, y1: 0.3 * img.height, x2: 0.7 * img.width, y2: 0.7 * img.height });
    const r = await cls.run(img, boxes);
    list.forEach((c, i) => {
      out.labels.push(WBC_TYPES.indexOf(c.type));
      out.probs.push(r.probs[i]);
      out.embeddings.push(r.embeddings[i]);
    });
    done += list.length;
    opts.onProgress?.(done, cells.length);
  }
  await cls.release();
  await det?.release();
  return out;
}

const argmax = (p: readonly number[]) => p.reduce((b, v, i) => (v > p[b] ? i : b), 0);
type Metrics = ReturnType<typeof classificationMetrics>;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export interface AdaptResult {
  k: number;
  repeats: number;
  /** Cells scored per pick (the same cells for both figures). */
  scored: number;
  accuracy: number;
  balancedAccuracy: number;
  perClass: Record<string, { recall: number | null; support: number }>;
  unadapted: { accuracy: number; balancedAccuracy: number; perClass: Record<string, { recall: number | null; support: number }> };
  /** The head alone (no blend), for choosing the blend. */
  headOnly: { accuracy: number; balancedAccuracy: number };
  /** Mean fit time per pick, ms (Node). */
  fitMs: number;
}

function meanPerClass(ms: Metrics[]) {
  return Object.fromEntries(
    Object.keys(ms[0].perClass).map((c) => {
      const r = ms.map((m) => m.perClass[c].recall).filter((x): x is number => x !== null);
      return [c, { recall: r.length ? mean(r) : null, support: ms[0].perClass[c].support }];
    }),
  );
}

/** The --adapt simulation over `repeats` seeded picks; every figure is the mean over picks. */
export function simulateAdapt(e: EmbeddedCells, k: number, opts: { repeats?: number; seed?: number; adapt?: Partial<AdaptOptions> } = {}): AdaptResult {
  const repeats = opts.repeats ?? 10;
  const names = [...WBC_TYPES];
  const adapted: Metrics[] = [];
  const plain: Metrics[] = [];
  const head: Metrics[] = [];
  const times: number[] = [];
  let scoredN = 0;
  for (let r = 0; r < repeats; r++) {
    const { verified, scored } = pickVerified(e.labels, k, (opts.seed ?? 1) + r);
    const t = performance.now();
    const h = fitHead(verified.map((i) => e.embeddings[i]), verified.map((i) => e.labels[i]), names.length, opts.adapt, verified.map((i) => e.probs[i]));
    times.push(performance.now() - t);
    const truth = scored.map((i) => e.labels[i]);
    adapted.push(classificationMetrics(truth, scored.map((i) => argmax(adaptedProbs(h, e.probs[i], e.embeddings[i]))), names));
    plain.push(classificationMetrics(truth, scored.map((i) => argmax(e.probs[i])), names));
    head.push(classificationMetrics(truth, scored.map((i) => argmax(adaptedProbs(h && { ...h, weight: 1, weights: h.perClass.map((c) => (c > 0 ? 1 : 0)), bias: null }, e.probs[i], e.embeddings[i]))), names));
    scoredN = scored.length;
  }
  return {
    k,
    repeats,
    scored: scoredN,
    accuracy: mean(adapted.map((m) => m.accuracy)),
    balancedAccuracy: mean(adapted.map((m) => m.balancedAccuracy)),
    perClass: meanPerClass(adapted),
    unadapted: { accuracy: mean(plain.map((m) => m.accuracy)), balancedAccuracy: mean(plain.map((m) => m.balancedAccuracy)), perClass: meanPerClass(plain) },
    headOnly: { accuracy: mean(head.map((m) => m.accuracy)), balancedAccuracy: mean(head.map((m) => m.balancedAccuracy)) },
    fitMs: mean(times),
  };
}

export function formatAdapt(r: AdaptResult, what: string): string {
  const f = (x: number) => x.toFixed(3);
  return (
    `adapt (${what}): K=${r.k} per type, ${r.repeats} seeded picks, ${r.scored} cells scored: accuracy ${f(r.unadapted.accuracy)} -> ${f(r.accuracy)}, ` +
    `balanced ${f(r.unadapted.balancedAccuracy)} -> ${f(r.balancedAccuracy)} (head alone ${f(r.headOnly.accuracy)}; fit ${r.fitMs.toFixed(1)} ms)`
  );
}
