/**
 * Golden test against the real model: the browser's runtime (onnxruntime-web's WASM build, run
 * here in Node) and onnxruntime-node give the same detections through the app's pre- and
 * post-processing, and they agree with the ground truth on a real smear.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ortWeb from 'onnxruntime-web';
import { decodeImage } from '../../../scripts/evaluation/decode';
import { DEFAULT_MODEL, Detector } from '../../../scripts/evaluation/detector';
import { requireData } from '../../../scripts/dataRoot';
import { countCells } from '../counts/counts';
import { parseVoc } from '../formats/voc';
import { decodeOutputs } from './decode';
import { postprocess } from './postprocess';
import { planInput } from './preprocess';
import { resizeToCHW } from './resize';
import { iou } from './geometry';
import { optimizeModel } from '../../../scripts/optimizeModel';

const IMAGES = ['BloodImage_00339', 'BloodImage_00366'];

describe('golden: real model, real images', () => {
  it('WASM (browser runtime) and native ORT agree, and counts are near the truth', async () => {
    const dir = requireData('cbc/Testing', 'CBC Testing');
    const complete = requireData('cbc-complete/Testing', 'CBC Testing complete labels');
    ortWeb.env.wasm.numThreads = 1;
    const web = await ortWeb.InferenceSession.create(new Uint8Array(readFileSync(DEFAULT_MODEL)));
    const native = await Detector.create();
    const params = native.card.postprocess;
    for (const name of IMAGES) {
      const img = await decodeImage(join(dir, 'Images', `${name}.jpg`));
      const plan = planInput(img.width, img.height, native.card.nativeSize);
      const chw = resizeToCHW(img.data, img.width, img.height, plan.width, plan.height);
      const out = await web.run({ image: new ortWeb.Tensor('float32', chw, [3, plan.height, plan.width]) });
      const rawWeb = decodeOutputs(
        { boxes: out.boxes.data as Float32Array, labels: out.labels.data as BigInt64Array, scores: out.scores.data as Float32Array },
        plan.width / img.width,
      );
      const { raw: rawNative, scale } = await native.detect(img);
      expect(scale.passes).toBe(1); // CBC images are at the model's reference magnification
      const a = postprocess(rawWeb, params);
      const b = postprocess(rawNative, params);
      // Same cells: each shown detection has a twin of the same class with IoU > 0.98 and a close score.
      const twins = a.filter((d) => b.some((e) => e.cls === d.cls && iou(e.box, d.box) > 0.98 && Math.abs(e.score - d.score) < 5e-3));
      expect(twins.length).toBeGreaterThanOrEqual(a.length - 1);
      expect(Math.abs(a.length - b.length)).toBeLessThanOrEqual(1);
      const truth = countCells(parseVoc(readFileSync(join(complete, 'Annotations', `${name}.xml`), 'utf8')).objects);
      const got = countCells(a);
      expect(Math.abs(got.RBC - truth.RBC)).toBeLessThanOrEqual(Math.max(2, 0.1 * truth.RBC));
      expect(Math.abs(got.WBC - truth.WBC)).toBeLessThanOrEqual(1);
    }
    await web.release();
    await native.release();
  });
});

describe('golden: the model stored pre-optimised (scripts/optimizeModel.ts)', () => {
  it('loaded with graph optimisation off in the browser runtime, gives the outputs of the original loaded with full optimisation', async () => {
    const dir = requireData('cbc/Testing', 'CBC Testing');
    const out = join(mkdtempSync(join(tmpdir(), 'smearcount-opt-')), 'detector.opt.onnx');
    // whichever model is in models/ now: the retrained one too
    const entry = await optimizeModel(DEFAULT_MODEL, out);
    expect(entry.level).toBe('extended');
    ortWeb.env.wasm.numThreads = 1;
    const original = await ortWeb.InferenceSession.create(new Uint8Array(readFileSync(DEFAULT_MODEL)), { graphOptimizationLevel: 'all' });
    const optimised = await ortWeb.InferenceSession.create(new Uint8Array(readFileSync(out)), { graphOptimizationLevel: 'disabled' });
    for (const name of IMAGES) {
      const img = await decodeImage(join(dir, 'Images', `${name}.jpg`));
      // the native size, and another one (the second pass runs at other sizes)
      for (const f of [1, 1.5]) {
        const w = Math.round(512 * f);
        const h = Math.round(384 * f);
        const feeds = { image: new ortWeb.Tensor('float32', resizeToCHW(img.data, img.width, img.height, w, h), [3, h, w]) };
        const a = await original.run(feeds);
        const b = await optimised.run(feeds);
        expect(b.boxes.dims).toEqual(a.boxes.dims);
        expect(Array.from(b.labels.data as BigInt64Array)).toEqual(Array.from(a.labels.data as BigInt64Array));
        const maxDiff = (x: Float32Array, y: Float32Array) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
        expect(maxDiff(b.boxes.data as Float32Array, a.boxes.data as Float32Array)).toBeLessThan(1e-2); // pixels
        expect(maxDiff(b.scores.data as Float32Array, a.scores.data as Float32Array)).toBeLessThan(1e-4);
      }
    }
    await original.release();
    await optimised.release();
  });
});
