/**
 * npm run eval -- <voc-dir> [--images dir] [--json out.json] [--counts out.csv] [--model path.onnx]
 *                 [--limit N] [--fixed-scale X] [--count-rule all|half|top-left|interior] [--no-wbc-rule] [--no-optics] [--no-debris]
 *                 [--runtime node|web]
 * npm run eval -- --card [--model path.onnx]
 * npm run eval -- <dir of type folders> [--classifier wbc.onnx] [--json out.json]   (the WBC differential; --limit N per type)
 * npm run eval -- <typed set> --adapt K[,K...] [--repeats R] [--seed S] [--json out.json]   (learning a microscope from
 *                 K verified cells per type; a typed set is type folders, VOC with type names, or a models/wbc-split/*.json list)
 *
 * With annotations: per-class AP@0.5 (raw and post-processed), AP@[.5:.95] (all-point, not COCO 101-point), precision/recall at
 * the card's thresholds, count MAE and accuracy, and how the scale logic ran. Without: per-image counts.
 * Always: each image's quality flags (perImage[].flags in --json, a column in the counts CSV), the number
 * flagged, and the counts over all images and over the unflagged ones. --no-wbc-rule turns off the
 * WBC-as-RBC rule (src/core/quality/wbcRule.ts) to measure what it changes; --no-optics turns off the batch
 * rule that leaves out specks on the camera or lens (src/core/quality/optics.ts: the folder is the batch);
 * --no-debris turns off the rule that leaves out grey platelet candidates in a stained field (src/core/quality/debris.ts).
 * --fixed-scale X skips the per-image estimate and enlarges every image X times (X = 2: the cells look
 * half the model's reference size), as the app's magnification setting does.
 * --card measures the report sets (CBC Testing with both label sets, zoom-in, zoom-out) with the app's
 * code and prints them beside the model card's figures (models/train.py); a CI test checks they agree.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CLASS_NAMES } from '../src/core/detection/classes';
import { COUNT_RULES, isCountRule, type CountRule } from '../src/core/detection/postprocess';
import { toCsv } from '../src/core/formats/csv';
import { reportSets } from './dataRoot';
import { DEFAULT_MODEL, useRuntime } from './evaluation/detector';
import { evaluateFolder, evaluateTypeFolders, typeFolders, type EvalResult } from './evaluation/evaluate';
import { formatDifferential, formatReport } from './evaluation/report';
import { embedCells, formatAdapt, listCells, simulateAdapt } from './evaluation/adapt';

const USAGE =
  'usage: npm run eval -- <folder> [--images dir] [--json out.json] [--counts out.csv] [--model model.onnx] [--classifier wbc.onnx]\n' +
  '                 [--limit N] [--fixed-scale X] [--count-rule all|half|top-left|interior] [--no-wbc-rule] [--no-optics] [--no-debris] [--runtime node|web]\n' +
  '         <folder>: Pascal VOC (Images/ + Annotations/, or .xml beside each image), or images alone (per-image counts)\n' +
  '       npm run eval -- --card [--model model.onnx]\n' +
  '       npm run eval -- <dir of type folders> [--classifier wbc.onnx] [--limit N per type] [--json out.json] [--boxes out.json]\n' +
  '       npm run eval -- <typed set> --adapt K[,K...] [--repeats R] [--seed S] [--classifier wbc.onnx] [--json out.json]\n' +
  '         <typed set>: type folders, VOC with WBC type names, or a models/wbc-split/*.json list\n' +
  '       npm run eval -- --help\n' +
  '  --runtime web (any run): ORT-web\'s WASM build on one thread, as the browser runs the model';

function usage(msg?: string): never {
  if (msg) console.error(`error: ${msg}`);
  console.error(USAGE);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      images: { type: 'string' },
      json: { type: 'string' },
      counts: { type: 'string' },
      model: { type: 'string' },
      limit: { type: 'string' },
      'fixed-scale': { type: 'string' },
      'count-rule': { type: 'string' },
      card: { type: 'boolean' },
      classifier: { type: 'string' },
      'no-wbc-rule': { type: 'boolean' },
      'no-optics': { type: 'boolean' },
      'no-debris': { type: 'boolean' },
      boxes: { type: 'string' },
      adapt: { type: 'string' },
      repeats: { type: 'string' },
      seed: { type: 'string' },
      runtime: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (e) {
  usage((e as Error).message);
}
const { values: o, positionals } = parsed;
if (o.help) {
  console.log(USAGE);
  process.exit(0);
}
/** A path the user gave that is wrong is said now, in one line, before minutes of counting: an output
 * file's folder must exist (a stack trace came after the whole run), an input file must be there (a
 * --classifier that was not was passed over, and the figures came without the differential). */
const pathError = (msg: string): never => {
  console.error(`error: ${msg}`);
  process.exit(1);
};
for (const flag of ['json', 'counts', 'boxes'] as const) {
  const out = o[flag];
  if (out === undefined) continue;
  if (existsSync(out) && statSync(out).isDirectory()) pathError(`--${flag}: ${out} is a folder; give a file name`);
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) pathError(`--${flag}: no folder ${dir} to write ${basename(out)} in`);
}
for (const flag of ['model', 'classifier'] as const) {
  const file = o[flag];
  if (file !== undefined && !(existsSync(file) && statSync(file).isFile())) pathError(`--${flag}: no file at ${file}`);
}
/** Files passed over and label names no class takes: said after the figures, so a set that is partly
 * unreadable, or labelled `Platelet-clump`, is never measured silently on less than it holds. */
function warnInputs(unreadable: { image: string; error: string }[], unknown: Record<string, number>) {
  if (unreadable.length) {
    const folders = unreadable.filter((u) => u.image.endsWith('/')).length;
    const files = unreadable.length - folders;
    console.log(`\nnot read, so in no figure: ${[files && `${files} file(s)`, folders && `${folders} folder(s)`].filter(Boolean).join(', ')}`);
    for (const u of unreadable.slice(0, 20)) console.log(`  ${u.image}: ${u.error}`);
    if (unreadable.length > 20) console.log(`  … and ${unreadable.length - 20} more (--json lists them all)`);
  }
  const names = Object.entries(unknown);
  if (names.length) console.log(`\nannotation names that are no class or WBC type, left out of the truth: ${names.map(([n, k]) => `"${n}" (in ${k} file${k === 1 ? '' : 's'})`).join(', ')}`);
}

/** A count (--limit, --repeats) is a whole number from 1; --seed any whole number: checked before the
 * run (2.5 picks and a NaN seed were run and printed as if they were asked). */
const whole = (v: string | undefined, name: string, min: number) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) usage(`${name} must be a whole number${min > -Infinity ? ` of at least ${min}` : ''}`);
  return n;
};
whole(o.limit, '--limit', 1);
whole(o.repeats, '--repeats', 1);
whole(o.seed, '--seed', -Infinity);
const num = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0)) usage(`${name} must be a positive number`);
  return n;
};
if (o.runtime !== undefined && o.runtime !== 'node' && o.runtime !== 'web') usage('--runtime is node or web');
// web: ORT-web's WASM build in Node on one thread, the browser's numbers (int8 kernels differ from native)
if (o.runtime === 'web') useRuntime('web');
if (o['count-rule'] && !isCountRule(o['count-rule'])) usage(`--count-rule is one of ${Object.keys(COUNT_RULES).join(', ')}`);
const progress = (d: number, n: number) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${d}/${n} images`);
  else if (d % 20 === 0 || d === n) process.stderr.write(`${d}/${n} images\n`);
};
const fail = (e: Error): never => {
  console.error(`\nerror: ${e.message}`);
  process.exit(1);
};

/** The figures the card keeps per set (and the CI test compares). */
export function cardFigures(r: EvalResult, what: string) {
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  return {
    what,
    images: r.images,
    raw: { map50: r4(r.raw!.map50), ap50: Object.fromEntries(CLASS_NAMES.map((c) => [c, r4(r.raw!.ap50[c])])) },
    postprocessed: { map50: r4(r.post!.map50) },
    count_accuracy: Object.fromEntries(CLASS_NAMES.map((c) => [c, r4(r.count![c].accuracy)])),
    predicted: Object.fromEntries(CLASS_NAMES.map((c) => [c, r.count![c].predicted])),
    true: Object.fromEntries(CLASS_NAMES.map((c) => [c, r.count![c].truth])),
    second_pass_images: r.scale.secondPass,
  };
}

/** The options each kind of run reads: any other is refused, not passed over (`--card --json x` wrote no
 * file; `--count-rule` on single cells or with --adapt changed nothing, and the figures said nothing of it). */
const MODE_OPTIONS: Record<string, readonly string[]> = {
  adapt: ['adapt', 'repeats', 'seed', 'json', 'model', 'classifier'],
  card: ['card', 'model'],
  'type folders': ['json', 'boxes', 'model', 'classifier', 'limit'],
  folder: ['images', 'json', 'counts', 'model', 'classifier', 'limit', 'fixed-scale', 'count-rule', 'no-wbc-rule', 'no-optics', 'no-debris'],
};
const isTypeFolders = () => positionals.length === 1 && existsSync(positionals[0]) && statSync(positionals[0]).isDirectory() && typeFolders(positionals[0]).length > 0;
const mode = o.adapt !== undefined ? 'adapt' : o.card ? 'card' : isTypeFolders() ? 'type folders' : 'folder';
for (const name of Object.keys(o)) {
  if (name === 'runtime' || name === 'help' || MODE_OPTIONS[mode].includes(name)) continue;
  const what = { adapt: 'an --adapt run', card: 'a --card run', 'type folders': 'a folder of type folders (single cells)', folder: 'a folder of fields' }[mode];
  usage(`--${name} is not an option of ${what}`);
}

const t0 = performance.now();
if (o.adapt !== undefined) {
  if (positionals.length !== 1) usage('--adapt takes one typed set');
  const ks = o.adapt.split(',').map((k) => Number(k));
  if (!ks.every((k) => Number.isInteger(k) && k > 0)) usage('--adapt is a positive whole number of cells per type (or a comma list)');
  const repeats = num(o.repeats, '--repeats') ?? 10;
  const seed = whole(o.seed, '--seed', -Infinity) ?? 1;
  const cells = (() => {
    try {
      return listCells(positionals[0]);
    } catch (e) {
      return fail(e as Error);
    }
  })();
  if (!cells.length) fail(new Error(`no typed cells in ${positionals[0]}`));
  const embedded = await embedCells(cells, { classifier: o.classifier, model: o.model, onProgress: progress }).catch(fail);
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (!embedded.labels.length) fail(new Error(`none of the ${cells.length} cells in ${positionals[0]} could be read (${embedded.unreadable[0]?.image}: ${embedded.unreadable[0]?.error})`));
  const results = ks.map((k) => simulateAdapt(embedded, k, { repeats, seed }));
  for (const r of results) console.log(formatAdapt(r, `${embedded.labels.length} cells in ${positionals[0]}`));
  warnInputs(embedded.unreadable, {});
  console.log(`wall: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (o.json) {
    const one = (r: (typeof results)[number]) => ({
      k: r.k,
      repeats: r.repeats,
      scored: r.scored,
      accuracy: r.unadapted.accuracy,
      balancedAccuracy: r.unadapted.balancedAccuracy,
      perClass: r.unadapted.perClass,
      adapted: { k: r.k, accuracy: r.accuracy, balancedAccuracy: r.balancedAccuracy, perClass: r.perClass, headOnly: r.headOnly, fitMs: r.fitMs },
    });
    writeFileSync(o.json, JSON.stringify(results.length === 1 ? { differential: one(results[0]) } : { differential: results.map(one) }, null, 2));
  }
} else if (o.card) {
  if (positionals.length) usage('--card takes no folder');
  const model = o.model ?? DEFAULT_MODEL;
  const sets: Record<string, ReturnType<typeof cardFigures>> = {};
  let sets0;
  try {
    sets0 = reportSets();
  } catch (e) {
    fail(e as Error);
  }
  for (const s of sets0!) {
    console.log(`\n== ${s.name}: ${s.what}`);
    // The card holds the model's own figures (Python has none of the pixel rules, WBC-as-RBC and grey
    // specks, nor the batch rule for specks on the optics): compare without them.
    const r = await evaluateFolder(s.dir, { model, images: s.images, wbcRule: false, optics: false, debris: false, onProgress: progress }).catch(fail);
    console.log(formatReport(r));
    sets[s.name] = cardFigures(r, s.what);
  }
  const card = JSON.parse(readFileSync(model.replace(/\.onnx$/, '.json'), 'utf8'));
  console.log('\nset                    count accuracy RBC / WBC / PLT (card)          raw mAP@0.5 (card)   2nd pass');
  for (const [name, f] of Object.entries(sets)) {
    const c = card.metrics?.sets?.[name];
    const ca = CLASS_NAMES.map((k) => `${f.count_accuracy[k].toFixed(3)}${c ? ` (${c.count_accuracy[k].toFixed(3)})` : ''}`).join(' / ');
    console.log(`${name.padEnd(22)} ${ca.padEnd(46)} ${f.raw.map50.toFixed(4)}${c ? ` (${c.raw.map50.toFixed(4)})` : ''}   ${f.second_pass_images}/${f.images}`);
  }
  console.log(`wall: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} else if (mode === 'type folders') {
  // <dir>/<type>/*.jpg: single centred cells named by their folder
  const d = await evaluateTypeFolders(positionals[0], { model: o.model, classifier: o.classifier, limit: num(o.limit, '--limit'), onProgress: progress }).catch(fail);
  if (o.boxes) writeFileSync(o.boxes, JSON.stringify({ detector: d.detector, boxes: d.boxes }));
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(formatDifferential(d, `single cells in ${positionals[0]}; the detector found a WBC in ${d.wbcFound}`));
  warnInputs(d.unreadable, {});
  console.log(`wall: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (o.json) writeFileSync(o.json, JSON.stringify({ differential: d }, null, 2));
} else {
  if (positionals.length !== 1) usage();
  const res = await evaluateFolder(positionals[0], {
    model: o.model,
    images: o.images,
    limit: num(o.limit, '--limit'),
    fixedScale: num(o['fixed-scale'], '--fixed-scale') ?? null,
    countRule: o['count-rule'] as CountRule | undefined,
    classifier: o.classifier,
    wbcRule: !o['no-wbc-rule'],
    optics: !o['no-optics'],
    debris: !o['no-debris'],
    onProgress: progress,
  }).catch(fail);
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(formatReport(res));
  warnInputs(res.unreadable, res.unknownLabels);
  console.log(`wall: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (o.json) writeFileSync(o.json, JSON.stringify(res, null, 2));
  if (o.counts || !res.annotated) {
    const csv = toCsv(
      ['image', 'RBC', 'WBC', 'Platelets', 'scale', 'passes', 'inference_ms', 'flags'],
      res.perImage.map((p) => [p.image, p.RBC, p.WBC, p.Platelets, p.scale.toFixed(3), p.passes, Math.round(p.ms), p.flags.join(' ')]),
    );
    if (o.counts) writeFileSync(o.counts, csv);
    else process.stdout.write(csv);
  }
}
