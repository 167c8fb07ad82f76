/**
 * The model card's Testing metrics (computed in Python on PyTorch) must be reproduced by the app's
 * own TypeScript pipeline running the shipped ONNX file, within 0.005.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES } from '../src/core/detection/classes';
import { evaluateFolder, loadCard, REPO } from './evalLib';

const root = process.env.SMEARCOUNT_DATA ?? join(REPO, '..', 'shared', 'datasets', 'cbc');
const testing = join(root, 'Testing');
const TOL = 0.005;

describe('npm run eval reproduces the model card', () => {
  it('on CBC Testing', async () => {
    if (!existsSync(join(testing, 'Images'))) {
      throw new Error(`CBC Testing data not found at ${testing}. Set SMEARCOUNT_DATA to the folder holding Training/ and Testing/.`);
    }
    const card = loadCard().raw;
    const r = await evaluateFolder(testing);
    expect(r.images).toBe(card.metrics.images);
    const m = card.metrics;
    for (const c of CLASS_NAMES) {
      expect(Math.abs(r.raw!.ap50[c] - m.raw.ap50[c]), `raw AP50 ${c}`).toBeLessThanOrEqual(TOL);
      expect(Math.abs(r.post!.ap50[c] - m.postprocessed.ap50[c]), `post AP50 ${c}`).toBeLessThanOrEqual(TOL);
      expect(Math.abs(r.raw!.apCoco[c] - m.raw.ap_coco[c]), `COCO AP ${c}`).toBeLessThanOrEqual(TOL);
      expect(Math.abs(r.count![c].accuracy - m.postprocessed.count[c].accuracy), `count accuracy ${c}`).toBeLessThanOrEqual(TOL);
    }
    expect(Math.abs(r.raw!.map50 - m.raw.map50)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(r.raw!.mapCoco - m.raw.map_coco)).toBeLessThanOrEqual(TOL);
  });
});
