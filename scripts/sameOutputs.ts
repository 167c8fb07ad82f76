/**
 * tsx scripts/sameOutputs.ts a.onnx b.onnx [--images 20]
 *
 * Runs two detector files on the same CBC Testing images with onnxruntime-node, at the native size and
 * at a second-pass size, and reports the largest difference between their outputs; exits 1 if any
 * output differs. For graph rewrites that must not change what the model computes
 * (models/optimize_onnx.py), and their speed side by side (interleaved, one thread).
 */
import * as ort from 'onnxruntime-node';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { requireData } from './dataRoot';
import { decodeImage } from './evaluation/decode';
import { resizeToCHW } from '../src/core/detection/resize';

const { values: opt, positionals } = parseArgs({ options: { images: { type: 'string', default: '20' } }, allowPositionals: true });
if (positionals.length !== 2) {
  console.error('usage: tsx scripts/sameOutputs.ts a.onnx b.onnx [--images 20]');
  process.exit(2);
}
const dir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, Number(opt.images));
const [a, b] = await Promise.all(positionals.map((p) => ort.InferenceSession.create(p, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' })));
let maxDiff = 0;
let differ = 0;
const ta: number[] = [];
const tb: number[] = [];
for (const [k, f] of files.entries()) {
  const im = await decodeImage(join(dir, f));
  const [w, h] = k % 2 ? [512, 384] : [400, 300];
  const feed = { image: new ort.Tensor('float32', resizeToCHW(im.data, im.width, im.height, w, h), [3, h, w]) };
  let t = performance.now();
  const ra = await a.run(feed);
  ta.push(performance.now() - t);
  t = performance.now();
  const rb = await b.run(feed);
  tb.push(performance.now() - t);
  for (const o of a.outputNames) {
    const da = ra[o].data as ArrayLike<number | bigint>;
    const db = rb[o].data as ArrayLike<number | bigint>;
    if (da.length !== db.length) {
      differ++;
      console.log(`${f} ${w}x${h}: ${o} has ${da.length} values against ${db.length}`);
      continue;
    }
    for (let i = 0; i < da.length; i++) maxDiff = Math.max(maxDiff, Math.abs(Number(da[i]) - Number(db[i])));
  }
}
const p50 = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)];
console.log(`${files.length} images: largest output difference ${maxDiff}${differ ? `, ${differ} outputs of another length` : ''}`);
console.log(`p50 one thread, interleaved: ${p50(ta).toFixed(1)} ms against ${p50(tb).toFixed(1)} ms (${(p50(ta) / p50(tb)).toFixed(2)}x)`);
process.exit(maxDiff === 0 && differ === 0 ? 0 : 1);
