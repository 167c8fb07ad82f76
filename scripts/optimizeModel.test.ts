/**
 * The int8 detector copy in models/ (scripts/quantizeModel.ts --ship), when there is one: made from
 * exactly the float detector now in models/ (a retrained float model without a new int8 copy fails
 * here, instead of the build quietly shipping float), its card's facts true, its validation figures
 * within the rule it was shipped under, and in ORT-web it gives the float model's
 * confident detections on a synthetic smear.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from './evaluation/detector';
import { INT8, int8Copy, optimizeModel } from './optimizeModel';
import { PNG } from 'pngjs';
import { resizeToCHW } from '../src/core/detection/resize';
import { syntheticSmear } from './syntheticSmear';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe.skipIf(!existsSync(INT8))('the shipped int8 detector copy', () => {
  const card = existsSync(INT8) ? JSON.parse(readFileSync(INT8.replace(/\.onnx$/, '.json'), 'utf8')) : null;

  it('was made from the float detector in models/ and its card says what it is', () => {
    expect(card.quantisation.from.sha256).toBe(sha(DEFAULT_MODEL));
    expect(card.sha256).toBe(sha(INT8));
    expect(int8Copy(DEFAULT_MODEL, sha(DEFAULT_MODEL))).toBe(INT8);
  });

  it("counts with the float card's post-processing and scale settings (the app reads the float card)", () => {
    const float = JSON.parse(readFileSync(DEFAULT_MODEL.replace(/\.onnx$/, '.json'), 'utf8'));
    expect(card.postprocess).toEqual(float.postprocess);
    expect(card.scale).toEqual(float.scale);
  });

  it('kept raw mAP@0.5 and every count accuracy within 0.005 of the float model on each validation set', () => {
    const sets = Object.values(card.quantisation.validation) as { float: { raw_map50: number; count_accuracy: Record<string, number> }; int8: typeof card.float }[];
    expect(sets.length).toBe(3);
    for (const s of sets) {
      expect(Math.abs(s.int8.raw_map50 - s.float.raw_map50)).toBeLessThanOrEqual(0.005);
      for (const c of Object.keys(s.float.count_accuracy)) expect(Math.abs(s.int8.count_accuracy[c] - s.float.count_accuracy[c])).toBeLessThanOrEqual(0.005);
    }
  });

  it('optimised as the build does, runs in ORT-web and finds what the float model finds', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'smearcount-int8-')), 'int8.opt.onnx');
    await optimizeModel(INT8, out);
    ortWeb.env.wasm.numThreads = 1;
    const float = await ortWeb.InferenceSession.create(new Uint8Array(readFileSync(DEFAULT_MODEL)), { graphOptimizationLevel: 'all' });
    const int8 = await ortWeb.InferenceSession.create(new Uint8Array(readFileSync(out)), { graphOptimizationLevel: 'disabled' });
    const png = PNG.sync.read(syntheticSmear(7));
    const feeds = { image: new ortWeb.Tensor('float32', resizeToCHW(new Uint8ClampedArray(png.data), png.width, png.height, 512, 384), [3, 384, 512]) };
    const a = await float.run(feeds);
    const b = await int8.run(feeds);
    const confident = (o: typeof a) => Array.from(o.scores.data as Float32Array).filter((s) => s >= 0.5).length;
    expect(confident(a)).toBeGreaterThan(10);
    // int8 moves scores by a few hundredths: the confident detections agree within 5%
    expect(Math.abs(confident(b) - confident(a))).toBeLessThanOrEqual(Math.max(1, 0.05 * confident(a)));
    await float.release();
    await int8.release();
  });
});
