/**
 * tsx scripts/quantizeModel.ts [--out models/runs/int8] [--percentile 99.99] [--rpn] [--skip-stem] [--images 48]
 *
 * Builds an int8 QDQ copy of the shipped detector (issue 24, part 4), with models/quantize_int8.py doing
 * the graph edits (Python has onnx but no onnxruntime here) and onnxruntime-node doing the runs:
 *  1. ORT's "basic" offline optimisation of models/smearcount-frcnn.onnx: constant folding turns the
 *     int8-stored weights (Cast+Mul) into float initialisers and leaves every Conv a plain Conv.
 *  2. `quantize_int8 sets` + `plan`: 48 training-split images (never validation or CBC Testing), the
 *     validation folders for `npm run eval` (symlinks), the Convs to quantise and a copy of the graph that
 *     also outputs every activation that needs a range.
 *  3. Calibration: that graph over the images at the app's first-pass size; each activation's range is a
 *     percentile (low 100 - p, high p) of a subsample of its values pooled over the images.
 *  4. `quantize_int8 build`: the QDQ model; then ORT's "extended" optimisation of it, which must fuse the
 *     QDQ groups into QLinearConv (counted and printed: a QDQ model that is not fused runs slower
 *     than float), written as <name>.opt.onnx for loading with optimisation off.
 * --ship: then measures the float and int8 models on the three validation sets (the card's split; never
 * CBC Testing) in ORT-web's WASM build in Node (the browser's numbers; the card's convention: no WBC rule,
 * no optics rule), and only when raw mAP@0.5 and every class's count accuracy are within 0.005 of the
 * float model on each set, writes models/smearcount-frcnn.int8.onnx and its card (the float card with
 * this file's facts, `quantisation` and the validation figures of both). scripts/optimizeModel.ts then
 * ships it on WASM. The speed half of the rule is `tsx scripts/benchKernels.ts`, run before shipping.
 * Writes <out>/<name>.onnx, .opt.onnx, .ranges.json, .plan.json and .json (the card, copied; git-ignored); the figures of
 * models/README.md come from `npm run eval -- <out>/val-<source> --model <out>/int8.onnx` and
 * `tsx scripts/benchKernels.ts`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { planInput } from '../src/core/detection/preprocess';
import { resizeToCHW } from '../src/core/detection/resize';
import { REPO_ROOT } from './dataRoot';
import { decodeImage } from './evaluation/decode';
import { DEFAULT_MODEL, loadCard, useRuntime } from './evaluation/detector';
import { evaluateFolder, type EvalResult } from './evaluation/evaluate';
import { CLASS_NAMES } from '../src/core/detection/classes';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';

const { values: o } = parseArgs({
  options: {
    out: { type: 'string', default: join(REPO_ROOT, 'models', 'runs', 'int8') },
    percentile: { type: 'string', default: '99.99' },
    rpn: { type: 'boolean', default: false },
    'skip-stem': { type: 'boolean', default: false },
    images: { type: 'string', default: '48' },
    name: { type: 'string', default: 'int8' },
    ship: { type: 'boolean', default: false },
  },
});
const OUT = resolve(o.out!);
const P = Number(o.percentile);
const py = (...args: string[]) => execFileSync('/usr/bin/python3', ['-m', 'models.quantize_int8', ...args], { cwd: REPO_ROOT, stdio: 'inherit' });

async function optimise(src: string, out: string, level: 'basic' | 'extended') {
  const s = await ort.InferenceSession.create(src, { graphOptimizationLevel: level, optimizedModelFilePath: out, executionProviders: ['cpu'] });
  await s.release();
}

/** Op types of an ONNX file, counted by the onnx package (ORT-node cannot list a session's nodes). */
function opCounts(file: string): Record<string, number> {
  const code = 'import onnx,sys,collections,json; m=onnx.load(sys.argv[1]); print(json.dumps(collections.Counter(n.op_type for n in m.graph.node)))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code, file]).toString());
}

const basic = join(OUT, 'basic.onnx');
await optimise(DEFAULT_MODEL, basic, 'basic');
py('sets', '--out', OUT);
py('plan', '--src', basic, '--out', OUT, '--name', `${o.name}.onnx`, ...(o.rpn ? ['--rpn'] : []), ...(o['skip-stem'] ? ['--skip-stem'] : []));
const plan = JSON.parse(readFileSync(join(OUT, `${o.name}.plan.json`), 'utf8')) as { convs: string[]; tensors: Record<string, 'relu' | 'any'> };

const card = loadCard();
const files = readFileSync(join(OUT, 'calib.txt'), 'utf8').split('\n').filter(Boolean).slice(0, Number(o.images));
const session = await ort.InferenceSession.create(join(OUT, `${o.name}.calib.onnx`), { graphOptimizationLevel: 'basic', intraOpNumThreads: 2 });
const names = Object.keys(plan.tensors);
const SAMPLES = 65536;
const pooled = new Map<string, Float32Array[]>(names.map((n) => [n, []]));
const t0 = performance.now();
for (const [k, f] of files.entries()) {
  const im = await decodeImage(f);
  const p = planInput(im.width, im.height, card.nativeSize);
  const chw = resizeToCHW(im.data, im.width, im.height, p.width, p.height);
  const out = await session.run({ image: new ort.Tensor('float32', chw, [3, p.height, p.width]) }, names);
  for (const n of names) {
    const d = out[n].data as Float32Array;
    // an even subsample: the same weight for every image whatever its size
    const step = Math.max(1, Math.floor(d.length / SAMPLES));
    const s = new Float32Array(Math.ceil(d.length / step));
    for (let i = 0, j = 0; i < d.length; i += step, j++) s[j] = d[i];
    pooled.get(n)!.push(s);
  }
  if ((k + 1) % 12 === 0) console.error(`calibration ${k + 1}/${files.length} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
await session.release();
const ranges: Record<string, [number, number]> = {};
for (const n of names) {
  const parts = pooled.get(n)!;
  const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  all.sort();
  const at = (q: number) => all[Math.min(all.length - 1, Math.max(0, Math.round((q / 100) * (all.length - 1))))];
  ranges[n] = P >= 100 ? [all[0], all[all.length - 1]] : [at(100 - P), at(P)];
}
writeFileSync(join(OUT, `${o.name}.ranges.json`), JSON.stringify(ranges, null, 1));
py('build', '--src', basic, '--out', OUT, '--ranges', join(OUT, `${o.name}.ranges.json`), '--name', `${o.name}.onnx`);
const q = join(OUT, `${o.name}.onnx`);
// the card beside it, so that `npm run eval -- --model <out>/<name>.onnx` finds its thresholds
copyFileSync(join(REPO_ROOT, 'models', 'smearcount-frcnn.json'), join(OUT, `${o.name}.json`));
const opt = join(OUT, `${o.name}.opt.onnx`);
await optimise(q, opt, 'extended');
const ops = opCounts(opt);
const fused = (ops.QLinearConv ?? 0) + (ops.NhwcQLinearConv ?? 0);
console.log(`ORT-node "extended": ${fused} of ${plan.convs.length} quantised convs fused to QLinearConv; ops ${JSON.stringify(ops)}`);
if (fused < plan.convs.length) console.warn('warning: not every QDQ Conv was fused');

if (o.ship) {
  const TOL = 0.005;
  useRuntime('web');
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  const fig = (r: EvalResult) => ({
    images: r.images,
    raw_map50: r4(r.raw!.map50),
    count_accuracy: Object.fromEntries(CLASS_NAMES.map((c) => [c, r4(r.count![c].accuracy)])),
  });
  const validation: Record<string, { float: ReturnType<typeof fig>; int8: ReturnType<typeof fig> }> = {};
  let ok = true;
  for (const src of ['bccd', 'bcd', 'pbc']) {
    const dir = join(OUT, `val-${src}`);
    const f = fig(await evaluateFolder(dir, { model: DEFAULT_MODEL, wbcRule: false, optics: false }));
    const i = fig(await evaluateFolder(dir, { model: q, wbcRule: false, optics: false }));
    validation[`val-${src}`] = { float: f, int8: i };
    const worst = Math.max(Math.abs(i.raw_map50 - f.raw_map50), ...CLASS_NAMES.map((c) => Math.abs(i.count_accuracy[c] - f.count_accuracy[c])));
    console.log(`val-${src}: float mAP ${f.raw_map50} counts ${CLASS_NAMES.map((c) => f.count_accuracy[c]).join(' / ')}; int8 mAP ${i.raw_map50} counts ${CLASS_NAMES.map((c) => i.count_accuracy[c]).join(' / ')}; largest difference ${worst.toFixed(4)}`);
    if (worst > TOL) ok = false;
  }
  if (!ok) {
    console.error(`not shipped: a validation figure moved by more than ${TOL}`);
    process.exit(1);
  }
  const dest = join(REPO_ROOT, 'models', 'smearcount-frcnn.int8.onnx');
  copyFileSync(q, dest);
  const bytes = readFileSync(dest);
  const floatBytes = readFileSync(DEFAULT_MODEL);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const floatCard = JSON.parse(readFileSync(DEFAULT_MODEL.replace(/\.onnx$/, '.json'), 'utf8'));
  const int8Card = {
    ...floatCard,
    file: basename(dest),
    sha256: sha(bytes),
    bytes: bytes.length,
    weights: `${plan.convs.length} backbone/FPN convs in QDQ int8 (weights int8 symmetric per output channel, activations uint8 per tensor, biases int32); the rest float`,
    quantisation: {
      from: { file: basename(DEFAULT_MODEL), sha256: sha(floatBytes) },
      by: 'scripts/quantizeModel.ts + models/quantize_int8.py',
      convs: plan.convs.length,
      activations: Object.keys(plan.tensors).length,
      calibration: `${files.length} training-split images at the first-pass size; ranges at the ${P}th percentile (low ${r4(100 - P)}th)`,
      runtime: 'QDQ groups fused by ORT into QLinearConv / QLinearAdd at optimisation (checked by this script)',
      rule: `shipped only if raw mAP@0.5 and each count accuracy are within ${TOL} of the float model on every validation set, and it is faster in the browser (scripts/benchKernels.ts)`,
      validation,
    },
    metrics: { note: 'the float model\'s card holds the full figures; quantisation.validation compares this copy with it' },
  };
  writeFileSync(dest.replace(/\.onnx$/, '.json'), JSON.stringify(int8Card, null, 2) + '\n');
  console.log(`wrote ${dest} and its card; run npm run optimize-model (or the next build) to ship it on WASM`);
}
