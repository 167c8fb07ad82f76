/**
 * `npm run eval:compare` with a wrong argument says it in one `error:` line (exit 1; 2 for usage), never a
 * Node stack trace: a mistyped path, an unknown option, a non-number of draws (it was a TypeError midway
 * through the table), an unlabelled run's --json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './dataRoot';

const compare = (...args: string[]) => {
  const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/compareEval.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at |node:internal|Node\.js v\d/);

/** An `npm run eval --json` output: two labelled images, or two without truth. */
function runJson(labelled: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'smearcount-compare-'));
  const img = (image: string, rbc: number) => ({ image, RBC: rbc, WBC: 1, Platelets: 2, ...(labelled ? { truth: { RBC: 20, WBC: 1, Platelets: 2 } } : {}) });
  const f = join(dir, 'set.json');
  writeFileSync(f, JSON.stringify({ perImage: [img('a.jpg', 19), img('b.jpg', 22)] }));
  return f;
}

describe('npm run eval:compare', () => {
  it('compares two labelled runs (the path that works)', () => {
    const f = runJson(true);
    const r = compare(f, f, '--resamples', '200');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^set\s+RBC\s+0\.925\s+0\.925\s+\+0\.000/m);
  });

  it('a path that is not there', () => {
    const f = runJson(true);
    const r = compare(f, '/tmp/no-such-run.json');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: no file or folder at /tmp/no-such-run.json');
    noStack(r.err);
  });

  it('an unknown option, and a number of draws that is not one', () => {
    const f = runJson(true);
    for (const args of [['--bogus'], ['--resamples', 'abc'], ['--resamples', '0'], ['--seed', 'x']]) {
      const r = compare(f, f, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^error: .*\nusage: npm run eval:compare/);
      noStack(r.err);
    }
  });

  it('a run without truth (an unlabelled folder) is named', () => {
    const f = runJson(false);
    const r = compare(f, f);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: ${f}: no per-image counts with truth`);
    noStack(r.err);
  });
});
