/**
 * npm run eval -- <voc-dir> [--json out.json] [--counts out.csv] [--model path.onnx] [--limit N]
 *
 * With annotations: per-class AP@0.5 (raw and post-processed), COCO mAP@[.5:.95], precision/recall at
 * the card's thresholds, count MAE and accuracy. Without: per-image counts (a batch counter).
 */
import { writeFileSync } from 'node:fs';
import { toCsv } from '../src/core/formats/csv';
import { evaluateFolder, formatReport } from './evalLib';

function usage(msg?: string): never {
  if (msg) console.error(`error: ${msg}`);
  console.error('usage: npm run eval -- <folder> [--json out.json] [--counts out.csv] [--model model.onnx] [--limit N]');
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) usage(`${name} needs a value`);
  args.splice(i, 2);
  return v;
};
const json = opt('--json');
const counts = opt('--counts');
const model = opt('--model');
const limit = opt('--limit');
if (args.length !== 1) usage();

const t0 = performance.now();
const res = await evaluateFolder(args[0], {
  model,
  limit: limit ? Number(limit) : undefined,
  onProgress: (d, n) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${d}/${n} images`);
    else if (d % 20 === 0 || d === n) process.stderr.write(`${d}/${n} images\n`);
  },
}).catch((e: Error) => {
  console.error(`\nerror: ${e.message}`);
  process.exit(1);
});
if (process.stderr.isTTY) process.stderr.write('\n');
console.log(formatReport(res));
console.log(`wall: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (json) writeFileSync(json, JSON.stringify(res, null, 2));
if (counts || !res.annotated) {
  const csv = toCsv(
    ['image', 'RBC', 'WBC', 'Platelets', 'inference_ms'],
    res.perImage.map((p) => [p.image, p.RBC, p.WBC, p.Platelets, Math.round(p.ms)]),
  );
  if (counts) writeFileSync(counts, csv);
  else process.stdout.write(csv);
}
