/**
 * The model card's figures (computed in Python on PyTorch by models/train.py) must be reproduced by the
 * app's own TypeScript pipeline (resize, scale logic, post-processing) running the shipped ONNX file,
 * within 0.005, on CBC Testing with both label sets and on the zoom-in / zoom-out sets.
 */
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES } from '../src/core/detection/classes';
import { reportSets } from './dataRoot';
import { loadCard } from './evaluation/detector';
import { evaluateFolder } from './evaluation/evaluate';

const TOL = 0.005;

describe('npm run eval reproduces the model card', () => {
  const card = loadCard().raw;
  for (const name of ['cbc-testing-original', 'cbc-testing-complete', 'zoom-in', 'zoom-out']) {
    it(`on ${name}`, { timeout: 180_000 }, async () => {
      const set = reportSets().find((s) => s.name === name)!;
      const m = card.metrics.sets[name];
      expect(m, `card has ${name}`).toBeTruthy();
      // the card is the model's own output: the app's WBC-as-RBC rule (pixels), its rule for grey specks in a
      // stained field (pixels) and its batch rule for specks on the optics (TypeScript only) stay off
      const r = await evaluateFolder(set.dir, { images: set.images, wbcRule: false, optics: false, debris: false });
      expect(r.images).toBe(m.images);
      expect(r.scale.secondPass).toBe(m.second_pass_images);
      for (const c of CLASS_NAMES) {
        expect(Math.abs(r.raw!.ap50[c] - m.raw.ap50[c]), `raw AP50 ${c}`).toBeLessThanOrEqual(TOL);
        expect(Math.abs(r.count![c].accuracy - m.count_accuracy[c]), `count accuracy ${c}`).toBeLessThanOrEqual(TOL);
      }
      expect(Math.abs(r.raw!.map50 - m.raw.map50)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(r.post!.map50 - m.postprocessed.map50)).toBeLessThanOrEqual(TOL);
    });
  }
});
