/**
 * `npm run eval` as a lab runs it on its own folder: a mistyped path or flag is said in one line, before
 * the model runs, with exit code 1 (2 for usage), never a stack trace after the whole run, and never
 * figures measured silently without what was asked for. Pictures made here; the real shipped model runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './dataRoot';
import { drawnSmear, toPng } from './nonSmear';

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const evalCli = (...args: string[]) => evalIn(process.env, ...args);
const evalIn = (env: NodeJS.ProcessEnv, ...args: string[]) => {
  const r = spawnSync(TSX, ['scripts/eval.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** A folder holding one drawn smear, with a Pascal VOC annotation when `xml` is given. */
function smearFolder(xml?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'smearcount-cli-'));
  writeFileSync(join(dir, 'field.png'), toPng(drawnSmear(3)));
  if (xml !== undefined) writeFileSync(join(dir, 'field.xml'), xml);
  return dir;
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |node:internal|Node\.js v\d/);
/** The model never ran: no progress line was written. */
const noInference = (s: string) => expect(s).not.toMatch(/\d+\/\d+ images/);

describe('npm run eval on a lab folder', () => {
  it('--help prints the usage, every flag the CLI takes, and exits 0', () => {
    const r = evalCli('--help');
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/error/i);
    for (const flag of ['--images', '--json', '--counts', '--model', '--limit', '--fixed-scale', '--count-rule', '--no-wbc-rule', '--no-optics', '--no-debris', '--runtime', '--card', '--classifier', '--boxes', '--adapt', '--repeats', '--seed']) {
      expect(r.out + r.err).toContain(flag);
    }
  });

  it('a --json file in a folder that does not exist is said before the model runs, with no stack trace', () => {
    const dir = smearFolder();
    const out = join(dir, 'no-such-folder', 'out.json');
    const r = evalCli(dir, '--json', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: --json: no folder ${join(dir, 'no-such-folder')}`);
    noStack(r.err);
    noInference(r.err);
  });

  it('a --counts path that is a folder is said before the model runs', () => {
    const dir = smearFolder();
    const r = evalCli(dir, '--counts', dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: --counts: ${dir} is a folder`);
    noInference(r.err);
  });

  it('a --classifier that is not there is an error, not figures measured without it', () => {
    const dir = smearFolder();
    const r = evalCli(dir, '--classifier', join(dir, 'wbc.onnx'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: --classifier: no file at ${join(dir, 'wbc.onnx')}`);
    expect(r.out).not.toMatch(/counts, all/);
    noInference(r.err);
  });

  it('a --model that is not there is said in one line naming the path', () => {
    const dir = smearFolder();
    const r = evalCli(dir, '--model', join(dir, 'model.onnx'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: --model: no file at ${join(dir, 'model.onnx')}`);
    noStack(r.err);
  });

  it('a malformed annotation is named before the model runs, not after every image was counted', () => {
    const dir = smearFolder('<annotation><object><name>RBC</name><bndbox><xmin>1');
    const r = evalCli(dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(join(dir, 'field.xml'));
    noStack(r.err);
    noInference(r.err);
  });

  it('a folder whose images are in subfolders says so, naming them, instead of only "no images"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smearcount-cli-'));
    for (const day of ['day1', 'day2']) {
      mkdirSync(join(dir, day));
      writeFileSync(join(dir, day, 'field.png'), toPng(drawnSmear(3)));
    }
    const r = evalCli(dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: no JPEG, PNG, BMP or TIFF images in ${dir}`);
    expect(r.err).toContain('subfolders are not read (day1/, day2/)');
    noInference(r.err);
  });

  it('an option the run does not use is refused, not passed over (the figures would not be what was asked)', () => {
    const dir = smearFolder();
    const cells = mkdtempSync(join(tmpdir(), 'smearcount-cli-'));
    mkdirSync(join(cells, 'neutrophil'));
    writeFileSync(join(cells, 'neutrophil', 'cell.png'), toPng(drawnSmear(3, 200, 200)));
    for (const [args, flag] of [
      [['--card', '--json', join(dir, 'card.json')], '--json'],
      [[dir, '--adapt', '3', '--count-rule', 'half'], '--count-rule'],
      [[cells, '--count-rule', 'half'], '--count-rule'],
      [[cells, '--counts', join(dir, 'c.csv')], '--counts'],
      [[dir, '--boxes', join(dir, 'b.json')], '--boxes'],
      [[dir, '--repeats', '3'], '--repeats'],
    ] as const) {
      const r = evalCli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(new RegExp(`^error: ${flag} `));
      noInference(r.err);
    }
  });

  it('a file given for the folder is said as such', () => {
    const dir = smearFolder();
    const r = evalCli(join(dir, 'field.png'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: ${join(dir, 'field.png')} is a file: give the folder that holds the images (${dir})`);
  });

  it('a models/wbc-split list where the datasets are not says which folder and the variable to set', () => {
    const empty = mkdtempSync(join(tmpdir(), 'smearcount-nodata-'));
    const r = evalIn({ ...process.env, SMEARCOUNT_DATA: empty }, 'models/wbc-split/pbc-test.json', '--adapt', '5');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: pbc-wbc (the cells models/wbc-split/pbc-test.json lists) not found at ${join(empty, 'pbc-wbc')}. Set SMEARCOUNT_DATA`);
    noInference(r.err);
  });

  it('--repeats and --seed that are not whole numbers are refused (2.5 picks, a NaN seed were run)', () => {
    const cells = mkdtempSync(join(tmpdir(), 'smearcount-cli-'));
    mkdirSync(join(cells, 'neutrophil'));
    writeFileSync(join(cells, 'neutrophil', 'cell.png'), toPng(drawnSmear(3, 200, 200)));
    for (const [flag, value] of [['--repeats', '2.5'], ['--repeats', '0'], ['--seed', 'abc'], ['--seed', '1.5'], ['--limit', '2.5']] as const) {
      const r = evalCli(cells, ...(flag === '--limit' ? [] : ['--adapt', '3']), flag, value);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.err).toMatch(new RegExp(`^error: ${flag} `));
      noInference(r.err);
    }
  });
});
