/**
 * Where the datasets are: $SMEARCOUNT_DATA, else ../shared/datasets beside the checkout, read the same way
 * by the TypeScript tests and by models/dataset.py (which the tests run to build their sets).
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataRoot, REPO_ROOT, requireData } from './dataRoot';

const saved = process.env.SMEARCOUNT_DATA;
afterEach(() => {
  if (saved === undefined) delete process.env.SMEARCOUNT_DATA;
  else process.env.SMEARCOUNT_DATA = saved;
});

/** models/dataset.py's answer under the same environment. */
const pythonRoot = () =>
  execFileSync('/usr/bin/python3', ['-c', 'from models.dataset import default_data_root; print(default_data_root().resolve())'], { cwd: REPO_ROOT, env: process.env, encoding: 'utf8' }).trim();

describe('dataRoot', () => {
  it('is ../shared/datasets beside the checkout when SMEARCOUNT_DATA is not set', () => {
    delete process.env.SMEARCOUNT_DATA;
    expect(dataRoot()).toBe(resolve(REPO_ROOT, '..', 'shared', 'datasets'));
  });

  it('is SMEARCOUNT_DATA when set, as Python reads it', () => {
    process.env.SMEARCOUNT_DATA = '/tmp/some-datasets';
    expect(dataRoot()).toBe('/tmp/some-datasets');
    expect(pythonRoot()).toBe('/tmp/some-datasets');
  });

  it('treats an empty SMEARCOUNT_DATA (`export SMEARCOUNT_DATA=`) as not set, as Python does', () => {
    process.env.SMEARCOUNT_DATA = '';
    expect(dataRoot()).toBe(resolve(REPO_ROOT, '..', 'shared', 'datasets'));
    expect(pythonRoot()).toBe(dataRoot());
  });

  it('a missing folder is an error naming the path and the variable', () => {
    process.env.SMEARCOUNT_DATA = '/tmp/no-such-datasets';
    expect(() => requireData('cbc/Testing', 'CBC Testing')).toThrow(`CBC Testing not found at ${join('/tmp/no-such-datasets', 'cbc/Testing')}. Set SMEARCOUNT_DATA`);
  });
});
