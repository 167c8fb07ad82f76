/**
 * npm run eval:compare -- BASE CAND [--resamples 10000] [--seed 1]
 *
 * Whether a candidate detector counts better than the baseline on the same images, or the difference is
 * luck: BASE and CAND are `npm run eval -- SET --json X.json` outputs, each a file or a folder of them
 * (files of the same name are the same set). Per set and pooled over the sets, per class: count accuracy of
 * both, the difference, its 95% interval from a paired bootstrap over the images (each set resampled within
 * itself), and the share of draws in which the candidate is not better (scripts/evaluation/compare.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareCounts, pairImages, type ImageCounts } from './evaluation/compare';

const USAGE = 'usage: npm run eval:compare -- BASE CAND [--resamples 10000] [--seed 1]   (each a --json output of npm run eval, or a folder of them)';
/** A wrong argument is one line and the usage (exit 2); a file that cannot be read one line (exit 1): never a stack trace. */
const usage = (msg?: string): never => {
  if (msg) console.error(`error: ${msg}`);
  console.error(USAGE);
  process.exit(2);
};
const fail = (msg: string): never => {
  console.error(`error: ${msg}`);
  process.exit(1);
};
let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { resamples: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' } } });
} catch (e) {
  usage((e as Error).message);
}
const { values: o, positionals } = parsed!;
if (positionals.length !== 2) usage();
if (!/^\d+$/.test(o.resamples) || Number(o.resamples) < 1) usage('--resamples is a whole number of draws, at least 1');
if (!Number.isFinite(Number(o.seed)) || o.seed.trim() === '') usage('--seed is a number');
for (const p of positionals) if (!existsSync(p)) fail(`no file or folder at ${p}`);
const files = (p: string) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.json')).sort().map((f) => join(p, f)) : [p]);
const read = (f: string): ImageCounts[] => {
  let d;
  try {
    d = JSON.parse(readFileSync(f, 'utf8')) as { perImage?: { image: string; truth?: Record<string, number>; [k: string]: unknown }[] };
  } catch (e) {
    return fail(`${f}: not an npm run eval --json output (${(e as Error).message})`);
  }
  if (!d.perImage?.length || !d.perImage.every((r) => r.truth)) return fail(`${f}: no per-image counts with truth (an npm run eval --json output of a labelled folder?)`);
  return d.perImage.map((r) => ({ image: r.image, counts: { RBC: Number(r.RBC), WBC: Number(r.WBC), Platelets: Number(r.Platelets) }, truth: r.truth! }));
};
const [baseFiles, candFiles] = positionals.map(files);
const cand = new Map(candFiles.map((f) => [basename(f), f]));
const sets = baseFiles.filter((f) => cand.has(basename(f))).map((f) => ({ name: basename(f, '.json'), pairs: pairImages(read(f), read(cand.get(basename(f))!)) }));
if (!sets.length) fail('no set is in both runs (files of the same name)');
const n = Number(o.resamples);
const pct = (x: number) => x.toFixed(3);
console.log(`paired bootstrap, ${n} draws over the images; accuracy = 1 - sum|pred - true| / sum true`);
console.log('set'.padEnd(28) + 'class'.padEnd(11) + 'base'.padEnd(8) + 'cand'.padEnd(8) + 'cand - base [95% interval]'.padEnd(32) + 'P(not better)  errors base -> cand / truth');
for (const cls of ['RBC', 'WBC', 'Platelets']) {
  const rows = [...sets.map((s) => ({ name: s.name, groups: [s.pairs] })), ...(sets.length > 1 ? [{ name: `all ${sets.length} sets`, groups: sets.map((s) => s.pairs) }] : [])];
  for (const r of rows) {
    const d = compareCounts(r.groups, cls, n, Number(o.seed));
    console.log(
      `${r.name.padEnd(28)}${cls.padEnd(11)}${pct(d.base).padEnd(8)}${pct(d.cand).padEnd(8)}${`${d.delta >= 0 ? '+' : ''}${pct(d.delta)} [${pct(d.low)}, ${pct(d.high)}]`.padEnd(32)}${d.pNotBetter.toFixed(3).padEnd(15)}${d.baseErrors} -> ${d.candErrors} / ${d.truth}`,
    );
  }
}
