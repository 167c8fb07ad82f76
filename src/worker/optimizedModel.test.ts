import { describe, expect, it } from 'vitest';
import { chooseModel, type OptimizedManifest } from './optimizedModel';

const src = 'a'.repeat(64);
const opt = 'b'.repeat(64);
const manifest: OptimizedManifest = {
  models: [{ file: 'm.opt.onnx', sha256: opt, bytes: 5, source: { file: 'm.onnx', sha256: src }, level: 'extended', ort: '1.30.0' }],
};
const original = { url: 'https://x/assets/m-123.onnx', sha256: src, bytes: 3 };

describe('chooseModel', () => {
  it('takes the optimised copy made from exactly this model, beside the manifest, with optimisation off', () => {
    expect(chooseModel(manifest, 'https://x/models/', original)).toEqual({ url: 'https://x/models/m.opt.onnx', sha256: opt, bytes: 5, graphOptimizationLevel: 'disabled' });
  });
  it('a manifest made from another model (a retrained one dropped in without a rebuild), none, or a broken one: the original, fully optimised at load', () => {
    const other = { ...original, sha256: 'c'.repeat(64) };
    expect(chooseModel(manifest, 'https://x/models/optimized.json', other)).toEqual({ ...other, graphOptimizationLevel: 'all' });
    expect(chooseModel(null, '', original)).toEqual({ ...original, graphOptimizationLevel: 'all' });
    expect(chooseModel({} as OptimizedManifest, 'https://x/', original).graphOptimizationLevel).toBe('all');
    expect(chooseModel({ models: [{ ...manifest.models[0], sha256: 'nope' }] }, 'https://x/', original).graphOptimizationLevel).toBe('all');
  });
});
