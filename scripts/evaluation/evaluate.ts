/**
 * Runs the shipped models over a folder in Node with exactly the app's src/core pre- and
 * post-processing, and measures them. Used by `npm run eval` and by the CI test that checks the
 * model card's numbers.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PostprocessParams } from '../../src/core/detection/card';
import type { Detection } from '../../src/core/detection/detection';
import { applyCountRule, postprocess, type CountRule } from '../../src/core/detection/postprocess';
import { countCells, summarize, type Counts } from '../../src/core/counts/counts';
import { assessImage } from '../../src/core/quality/assess';
import { allFlags, excludes, FLAG_CODES, type FlagCode } from '../../src/core/quality/flags';
import { smallOf } from '../../src/core/quality/pixels';
import { opticsArtefacts } from '../../src/core/quality/optics';
import { countErrors, evaluateDetections, precisionRecall, type EvalImage } from '../../src/core/metrics/ap';
import { parseVoc, type VocObject } from '../../src/core/formats/voc';
import { classificationMetrics, minWbcSide } from '../../src/core/differential/crop';
import { wbcTypeOf, type WbcType } from '../../src/core/differential/differential';
import { iou } from '../../src/core/detection/geometry';
import { Classifier, DEFAULT_CLASSIFIER } from './classifier';
import { boxAsShown, IMAGE_FILE, readAsIntake } from './decode';
import { Detector, runtimeName } from './detector';

const argmax = (p: readonly number[]) => p.reduce((b, v, i) => (v > p[b] ? i : b), 0);

/** The differential on folders of single cells: <dir>/<type>/*.jpg, the cell centred. The detector finds
 * the WBC nearest the centre (as in training), the classifier types it. */
export async function evaluateTypeFolders(dir: string, opts: { model?: string; classifier?: string; limit?: number; onProgress?: (d: number, n: number) => void } = {}) {
  const det = await Detector.create(opts.model);
  const cls = await Classifier.create(opts.classifier);
  const names = cls.card.classes.map((c) => c.name);
  const items = typeFolders(dir).flatMap(({ folder, type }) =>
    readdirSync(join(dir, folder))
      .filter((f) => IMAGE_FILE.test(f))
      .sort()
      .slice(0, opts.limit)
      .map((f) => ({ path: join(dir, folder, f), type })),
  );
  if (!items.length) throw new Error(`no <type>/ folders of images in ${dir} (types: ${names.join(', ')})`);
  const truth: number[] = [];
  const pred: number[] = [];
  // Each cell's box, by '<type>/<file>': models/differential.py frames its training crops with the
  // shipped detector's boxes, so that training and the app crop by the same rule.
  const boxes: Record<string, [number, number, number, number]> = {};
  let found = 0;
  const unreadable: { image: string; error: string }[] = [];
  for (const [i, it] of items.entries()) {
    const img = await readAsIntake(it.path).catch((e: Error) => {
      unreadable.push({ image: `${it.type}/${basename(it.path)}`, error: e.message.replace(`${it.path}: `, '') });
      return null;
    });
    if (!img) continue;
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
  if (!truth.length) throw new Error(`none of the ${items.length} cells in ${dir} could be read (${unreadable[0].image}: ${unreadable[0].error})`);
  return { ...classificationMetrics(truth, pred, names), wbcFound: found, boxes, detector: { sha256: det.card.sha256 }, unreadable };
}

/** The folders of `dir` named for a WBC type as any lab names them (`Neutrophil`, `neutrophils`, `NEU`,
 * `band`, `IG`, `NRBC`: core/differential `wbcTypeOf`), with their type; other folders are passed over. */
export function typeFolders(dir: string): { folder: string; type: WbcType }[] {
  return readdirSync(dir)
    .sort()
    .flatMap((folder) => {
      const type = wbcTypeOf(folder);
      return type && statSync(join(dir, folder)).isDirectory() ? [{ folder, type }] : [];
    });
}

export interface Item {
  image: string;
  xml?: string;
}

/** Pascal VOC layout (Images/ + Annotations/) or a flat folder of images with optional .xml beside them.
 * `imagesDir` reads the images from elsewhere (complete labels kept apart from their images). */
const imageDirOf = (dir: string, imagesDir?: string) =>
  imagesDir ?? (existsSync(join(dir, 'Images')) ? join(dir, 'Images') : existsSync(join(dir, 'JPEGImages')) ? join(dir, 'JPEGImages') : dir);

/** What the app reads and this CLI does not, said by name (the app reads them where the browser decodes them). */
const BROWSER_ONLY: Record<string, string> = { webp: 'WebP', avif: 'AVIF', heic: 'HEIC', heif: 'HEIF', gif: 'GIF' };

/** The other files of the image folder (not an image the CLI reads, not an annotation, not the operating
 * system's clutter), each with why it is in no figure: a folder of JPEGs and WebPs was measured on the
 * JPEGs alone, and nothing said so. */
export function otherFiles(dir: string, imagesDir?: string): { image: string; error: string }[] {
  const imgDir = imageDirOf(dir, imagesDir);
  if (!existsSync(imgDir)) return [];
  const names = readdirSync(imgDir).filter((f) => !/^(\..*|thumbs\.db|ehthumbs\.db|desktop\.ini)$/i.test(f));
  const files = names
    .filter((f) => !IMAGE_FILE.test(f) && !/\.xml$/i.test(f) && statSync(join(imgDir, f)).isFile())
    .map((f) => {
      const kind = BROWSER_ONLY[f.replace(/^.*\./, '').toLowerCase()];
      return { image: f, error: kind ? `${kind}: the app reads it, npm run eval does not; save it as PNG to measure it here` : 'not an image npm run eval reads (JPEG, PNG, BMP, TIFF)' };
    });
  // a subfolder of images beside the folder's own (a day's slides kept apart): not read, and named, so that a
  // folder of 5 fields and a subfolder of 40 is not measured on the 5 without a word
  const folders = names.flatMap((f) => {
    const at = join(imgDir, f);
    if (!statSync(at).isDirectory() || at === join(dir, 'Annotations')) return [];
    const n = readdirSync(at).filter((g) => IMAGE_FILE.test(g)).length;
    return n ? [{ image: `${f}/`, error: `a folder of ${n} image${n === 1 ? '' : 's'}: subfolders are not read; give it on its own (npm run eval -- ${at})` }] : [];
  });
  return [...files, ...folders].sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

export function listFolder(dir: string, imagesDir?: string): Item[] {
  for (const d of [dir, imagesDir]) if (d && existsSync(d) && !statSync(d).isDirectory()) throw new Error(`${d} is a file: give the folder that holds the images (${dirname(d)})`);
  const imgDir = imageDirOf(dir, imagesDir);
  const annDir = existsSync(join(dir, 'Annotations')) ? join(dir, 'Annotations') : imgDir;
  if (!existsSync(imgDir)) throw new Error(`no image folder at ${imgDir}`);
  return readdirSync(imgDir)
    .filter((f) => IMAGE_FILE.test(f))
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
  /** Image files that could not be decoded (named, with why; in no figure). */
  unreadable: { image: string; error: string }[];
  /** Object names in the annotations that are no class or WBC type (`cellClassOf`, `wbcTypeOf`), with the
   * number of annotation files that hold them: left out of the truth. */
  unknownLabels: Record<string, number>;
  /** How the scale logic ran: images that needed a second pass, and the estimates. */
  scale: { secondPass: number; estimated: number; medianEstimate: number | null; fixed: number | null };
  inferenceMs: { mean: number; p50: number; p95: number; runtime?: string };
  /** Quality flags (src/core/quality, as the app computes them): how many images carry any flag but the
   * advisory wbc-type-unsure ("flagged"), how many are left out of the app's totals, and per code. */
  flags: { flagged: number; excluded: number; byCode: Record<FlagCode, number>; wbcRule: boolean; optics: { rule: boolean; leftOut: number }; debris: { rule: boolean; leftOut: number } };
  /** Predicted counts summed over all images and over the unflagged ones (with count accuracy when annotated). */
  summary: { all: { images: number; totals: Counts }; unflagged: { images: number; totals: Counts; count?: ReturnType<typeof countErrors> } };
  perImage: {
    image: string;
    RBC: number;
    WBC: number;
    Platelets: number;
    ms: number;
    scale: number;
    passes: number;
    flags: FlagCode[];
    /** Detections left out as specks on the optics (the batch rule): class and box in image pixels. */
    optics: { cls: string; box: [number, number, number, number] }[];
    /** Platelet detections left out as grey where the field is stained (src/core/quality/debris). */
    debris: { cls: string; box: [number, number, number, number] }[];
    truth?: Record<string, number>;
  }[];
}

/** Any flag but the advisory one. */
export const isFlagged = (flags: readonly FlagCode[]) => flags.some((f) => f !== 'wbc-type-unsure');

const boxOf = (d: Detection) => ({ cls: d.cls, box: [d.box.x1, d.box.y1, d.box.x2, d.box.y2].map((v) => Math.round(v)) as [number, number, number, number] });

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
    /** false: without the WBC-as-RBC rule (src/core/quality/wbcRule), to measure what it changes. */
    wbcRule?: boolean;
    /** false: without the batch rule for specks on the optics (src/core/quality/optics). */
    optics?: boolean;
    /** false: without the rule for grey platelet candidates in a stained field (src/core/quality/debris). */
    debris?: boolean;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<EvalResult> {
  let items = listFolder(dir, opts.images);
  if (opts.limit) items = items.slice(0, opts.limit);
  if (!items.length) {
    // a lab's folder of day or slide folders: the app reads a dropped folder's tree, this CLI one folder
    const read = opts.images ?? dir;
    const inner = readdirSync(read).filter((f) => statSync(join(read, f)).isDirectory() && readdirSync(join(read, f)).some((g) => IMAGE_FILE.test(g)));
    const hint = inner.length ? `; subfolders are not read (${inner.slice(0, 5).map((f) => `${f}/`).join(', ')}${inner.length > 5 ? ', …' : ''}): give each folder on its own` : '';
    throw new Error(`no JPEG, PNG, BMP or TIFF images in ${dir}${hint}`);
  }
  // Every annotation is read before the model runs: a malformed one is named now, not after every image
  // was counted (the run then ended on it all the same, and the figures were lost).
  const annotations = new Map<string, ReturnType<typeof parseVoc>>();
  const badXml: string[] = [];
  for (const it of items) {
    if (!it.xml) continue;
    try {
      annotations.set(it.xml, parseVoc(readFileSync(it.xml, 'utf8'), it.xml));
    } catch (e) {
      badXml.push((e as Error).message);
    }
  }
  if (badXml.length) {
    const more = badXml.length > 5 ? `\n  … and ${badXml.length - 5} more` : '';
    throw new Error(`${badXml.length} annotation file(s) cannot be read; mend or remove them (no image was counted):\n  ${badXml.slice(0, 5).join('\n  ')}${more}`);
  }
  const det = await Detector.create(opts.model);
  // the shipped classifier is optional here (a checkout may lack it); one named by the caller is not
  const cls = opts.classifier !== undefined || existsSync(DEFAULT_CLASSIFIER) ? await Classifier.create(opts.classifier) : null;
  const typeTruth: number[] = [];
  const typePred: number[] = [];
  const params = { ...det.card.postprocess, countRule: opts.countRule ?? det.card.postprocess.countRule };
  const estimates: number[] = [];
  let secondPass = 0;
  const rawImgs: EvalImage[] = [];
  const postImgs: EvalImage[] = [];
  const perImage: EvalResult['perImage'] = [];
  const times: number[] = [];
  const unflaggedImgs: EvalImage[] = [];
  // First every image through the models; the counting waits for the whole set, because one rule looks
  // across the batch (src/core/quality/optics: a speck at the same pixel in many fields is on the optics).
  const seen: { it: Item; width: number; height: number; orientation?: number; raw: Detection[]; filtered: Detection[]; quality: ReturnType<typeof assessImage>['quality']; ms: number; scale: Awaited<ReturnType<Detector['detect']>>['scale']; probs: Map<string, number[]> }[] = [];
  const unreadable: EvalResult['unreadable'] = [];
  const others = otherFiles(dir, opts.images);
  for (const [i, it] of items.entries()) {
    // one file that cannot be read is named and passed over; it never ends the run
    const img = await readAsIntake(it.image).catch((e: Error) => {
      unreadable.push({ image: basename(it.image), error: e.message.replace(`${it.image}: `, '') });
      return null;
    });
    opts.onProgress?.(i + 1, items.length);
    if (!img) continue;
    const detected = await det.detect(img, opts.fixedScale);
    const { ms, scale } = detected;
    const { raw, quality } = assessImage(smallOf(img), detected.raw, img, scale, det.card, { wbcRule: opts.wbcRule === false ? null : undefined, debris: opts.debris === false ? null : undefined });
    times.push(ms);
    if (scale.passes === 2) secondPass++;
    if (scale.estimated !== null) estimates.push(scale.estimated);
    const filtered = postprocess(raw, params);
    // every shown WBC typed, as the app does: wbc-type-unsure needs the types
    const wbcs = filtered.filter((d) => d.cls === 'WBC');
    const probs = new Map<string, number[]>();
    if (cls && wbcs.length) (await cls.classify(img, wbcs.map((d) => d.box), minWbcSide(raw))).forEach((p, j) => probs.set(wbcs[j].id, p));
    seen.push({ it, width: img.width, height: img.height, orientation: img.orientation, raw, filtered, quality, ms, scale, probs });
  }
  if (!seen.length) throw new Error(`none of the ${items.length} images in ${dir} could be read (${unreadable[0].image}: ${unreadable[0].error})`);
  unreadable.push(...others);
  unreadable.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  const optics = opts.optics === false ? seen.map(() => []) : opticsArtefacts(seen.map((x) => ({ width: x.width, height: x.height, cells: x.filtered })));
  let opticsLeftOut = 0;
  let debrisLeftOut = 0;
  const unknownLabels: Record<string, number> = {};
  seen.forEach(({ it, width, height, orientation, raw, filtered, quality, ms, scale, probs }, i) => {
    const grey = filtered.filter((d) => quality.debris?.includes(d.id));
    debrisLeftOut += grey.length;
    const dust = new Set([...optics[i], ...grey.map((d) => d.id)]);
    opticsLeftOut += optics[i].length;
    const post = applyCountRule(dust.size ? filtered.filter((d) => !dust.has(d.id)) : filtered, params.countRule, width, height);
    const c = countCells(post);
    let gt: VocObject[] | undefined;
    if (it.xml) {
      // The truth is counted by the same rule as the detections (identity for 'all').
      const voc = annotations.get(it.xml)!;
      for (const n of voc.unknownNames) unknownLabels[n] = (unknownLabels[n] ?? 0) + 1;
      // (labels drawn on a sideways photo's pixels as stored are turned with it: boxAsShown)
      const objects = voc.objects.map((o) => ({ ...o, box: boxAsShown(o.box, voc, { width, height, orientation }) }));
      gt = applyCountRule(objects, params.countRule, width, height);
      rawImgs.push({ gt, dets: raw });
      postImgs.push({ gt, dets: post });
    }
    const typed: Detection[] = cls
      ? post.map((d) => {
          const p = probs.get(d.id);
          if (!p) return d;
          const k = argmax(p);
          return { ...d, wbc: { type: cls.card.classes[k].name as WbcType, p: p[k], origin: 'model' as const } };
        })
      : post;
    const flags = allFlags(quality.flags, typed, cls?.card.lowConfidence);
    if (cls && gt?.some((g) => g.type)) {
      // the differential on matched WBCs: each typed ground-truth WBC against the best-overlapping shown WBC
      const names = cls.card.classes.map((k) => k.name);
      const wbcs = post.filter((d) => d.cls === 'WBC' && probs.has(d.id));
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
        typePred.push(argmax(probs.get(wbcs[best].id)!));
      }
    }
    perImage.push({ image: basename(it.image), ...c, ms, scale: scale.relative, passes: scale.passes, flags, optics: filtered.filter((d) => optics[i].includes(d.id)).map(boxOf), debris: grey.map(boxOf), truth: gt ? countCells(gt) : undefined });
    if (!isFlagged(flags) && gt) unflaggedImgs.push({ gt, dets: post });
  });
  await det.release();
  await cls?.release();
  const res: EvalResult = {
    images: seen.length,
    annotated: rawImgs.length,
    unreadable,
    unknownLabels,
    postprocess: params,
    scale: {
      secondPass,
      estimated: estimates.length,
      medianEstimate: estimates.length ? [...estimates].sort((a, b) => a - b)[Math.floor(estimates.length / 2)] : null,
      fixed: opts.fixedScale ?? null,
    },
    inferenceMs: { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: pct(times, 50), p95: pct(times, 95), runtime: runtimeName() },
    flags: {
      flagged: perImage.filter((p) => isFlagged(p.flags)).length,
      excluded: perImage.filter((p) => excludes(p.flags)).length,
      byCode: Object.fromEntries(FLAG_CODES.map((f) => [f, perImage.filter((p) => p.flags.includes(f)).length])) as Record<FlagCode, number>,
      wbcRule: opts.wbcRule !== false,
      optics: { rule: opts.optics !== false, leftOut: opticsLeftOut },
      debris: { rule: opts.debris !== false, leftOut: debrisLeftOut },
    },
    summary: {
      all: { images: perImage.length, totals: summarize(perImage).totals },
      unflagged: { images: perImage.filter((p) => !isFlagged(p.flags)).length, totals: summarize(perImage.filter((p) => !isFlagged(p.flags))).totals },
    },
    perImage,
  };
  if (unflaggedImgs.length) res.summary.unflagged.count = countErrors(unflaggedImgs);
  if (rawImgs.length) {
    res.raw = evaluateDetections(rawImgs);
    res.post = evaluateDetections(postImgs);
    res.precisionRecall = precisionRecall(postImgs);
    res.count = countErrors(postImgs);
  }
  if (cls && typeTruth.length) res.differential = classificationMetrics(typeTruth, typePred, cls.card.classes.map((k) => k.name));
  return res;
}
