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
import { DEFAULT_MODEL, loadCard } from './evaluation/detector';

const { values: o } = parseArgs({
  options: {
    out: { type: 'string', default: join(REPO_ROOT, 'models', 'runs', 'int8') },
    percentile: { type: 'string', default: '99.99' },
    rpn: { type: 'boolean', default: false },
    'skip-stem': { type: 'boolean', default: false },
    images: { type: 'string', default: '48' },
    name: { type: 'string', default: 'int8' },
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
