/**
 * The TypeScript side of the cross-language vectors: models/mirror.py (the Python copies of this logic,
 * used in training and tuning) writes models/test-vectors.json, and this checks src/core against it.
 * models/test_mirror.py checks the Python against the same file, so the two fail the day they drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PostprocessParams } from './detection/card';
import type { CellClass } from './detection/classes';
import type { Detection } from './detection/detection';
import { applyCountRule, postprocess, type CountRule } from './detection/postprocess';
import { planInput } from './detection/preprocess';
import { enlargedScores, estimateRatio, fixedScale, secondPassScale, type ScaleConfig } from './detection/scale';
import { cropRect, cropWindow, edgeIndices, minWbcSide, normaliseChw } from './differential/crop';
import { restoreCrop } from './differential/restore';
import { fieldRegion, fieldShare, findCircularField, MIN_FIELD_SHARE } from './quality/field';

type Box4 = [number, number, number, number];
type VDet = { cls: CellClass; score: number; box: Box4 };
const v = JSON.parse(readFileSync(new URL('../../models/test-vectors.json', import.meta.url), 'utf8'));

const c = v.scale_config;
const cfg: ScaleConfig = {
  referenceRbcPx: c.reference_rbc_px,
  tolerance: c.tolerance,
  estimateMinScore: c.estimate_min_score,
  estimateMinCells: c.estimate_min_cells,
  maxPixels: c.max_pixels,
  minScale: c.min_scale,
  maxScale: c.max_scale,
};
const dets = (xs: VDet[]): Detection[] =>
  xs.map((d, i) => ({ id: `m${i}`, cls: d.cls, score: d.score, box: { x1: d.box[0], y1: d.box[1], x2: d.box[2], y2: d.box[3] }, origin: 'model' }));
// Python computes in float64 as JavaScript does; only the last bits may differ.
const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) return expect(a).toBe(b);
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
};

describe('mirrored logic matches models/test-vectors.json', () => {
  it('has vectors of every kind', () => {
    for (const k of ['plan', 'estimate', 'second_pass', 'fixed_scale', 'postprocess', 'count_rules', 'crop_rect', 'edge_indices', 'min_wbc_side', 'normalise', 'enlarged', 'restore', 'field']) expect(v[k].length).toBeGreaterThan(0);
  });
  it('plan scale and input size', () => {
    for (const t of v.plan) {
      const p = planInput(t.width, t.height, { width: t.native[0], height: t.native[1] });
      close(p.scale, t.scale);
      expect([p.width, p.height]).toEqual(t.size);
    }
  });
  it('scale estimate', () => {
    for (const t of v.estimate) close(estimateRatio(dets(t.dets), t.width, t.height, t.scale, cfg), t.ratio);
  });
  it("the eyepiece's field of view: found (at the usual floor and the tiny field's), its share and the square read in its place", () => {
    type Circ = { cx: number; cy: number; r: number } | null;
    const same = (a: Circ, b: Circ) => {
      if (!a || !b) return expect(a).toEqual(b);
      for (const k of ['cx', 'cy', 'r'] as const) close(a[k], b[k]);
    };
    for (const t of v.field) {
      if (t.rgba) {
        const img = { data: new Uint8ClampedArray(Buffer.from(t.rgba, 'base64')), width: t.width, height: t.height };
        same(findCircularField(img), t.circle);
        same(findCircularField(img, 0.001), t.tiny_circle);
        expect(MIN_FIELD_SHARE).toBe(0.005);
      }
      if (t.circle) close(fieldShare(t.circle, t.width, t.height), t.share);
      const r = fieldRegion(t.circle, t.width, t.height);
      expect(r ? [r.x, r.y, r.width, r.height] : null).toEqual(t.region);
    }
  });
  it('second-pass decision', () => {
    for (const t of v.second_pass) close(secondPassScale(t.plan, t.ratio, t.width, t.height, cfg), t.scale);
  });
  it('fixed scale, with and without the card limits', () => {
    for (const t of v.fixed_scale) {
      close(fixedScale(t.plan, t.relative, t.width, t.height, cfg), t.scale);
      close(fixedScale(t.plan, t.relative, t.width, t.height, null), t.unlimited);
    }
  });
  it('scores of a pass that enlarged the image', () => {
    for (const t of v.enlarged) {
      const out = enlargedScores(dets(t.dets), t.relative, { ...cfg, enlargedLogitShift: t.shift });
      expect(out).toHaveLength(t.scores.length);
      out.forEach((d, i) => close(d.score, t.scores[i]));
    }
  });
  it('thresholds and NMS keep the same boxes in the same order', () => {
    for (const t of v.postprocess) {
      const p: PostprocessParams = { scoreThresholds: t.params.score_thresholds, nmsIou: t.params.nms_iou, crossClassNms: t.params.cross_class_nms, countRule: 'all' };
      expect(postprocess(dets(t.dets), p).map((d) => Number(d.id.slice(1)))).toEqual(t.kept);
    }
  });
  it('count rules', () => {
    for (const t of v.count_rules) {
      for (const rule of Object.keys(t.kept) as CountRule[]) {
        expect(applyCountRule(dets(t.dets), rule, t.width, t.height).map((d) => Number(d.id.slice(1))), rule).toEqual(t.kept[rule]);
      }
    }
  });
  it('crop rectangle and its whole-pixel window', () => {
    for (const t of v.crop_rect) {
      const box = { x1: t.box[0], y1: t.box[1], x2: t.box[2], y2: t.box[3] };
      const r = cropRect(box, t.factor, t.min_side ?? 0);
      close(r.x, t.rect.x);
      close(r.y, t.rect.y);
      close(r.side, t.rect.side);
      const w = cropWindow(box, t.factor, t.min_side ?? 0);
      expect([w.x, w.y, w.side]).toEqual(t.window);
    }
  });
  it('edge replication indices and the WBC crop floor (the image median RBC)', () => {
    for (const t of v.edge_indices) expect(edgeIndices(t.start, t.count, t.limit)).toEqual(t.indices);
    for (const t of v.min_wbc_side) close(minWbcSide(dets(t.dets)), t.min_side);
  });
  it('crop normalisation (float32, as the model input)', () => {
    for (const t of v.normalise) {
      const out = normaliseChw(Float32Array.from(t.input), { factor: 1, size: t.size, pad: 0.5, percentile: t.percentile, clip: t.clip });
      expect(Array.from(out)).toEqual(Array.from(Float32Array.from(t.output)));
    }
  });
  it('restoration of a soft WBC crop (models/restore.py)', () => {
    const f32 = (b64: string) => {
      const buf = Buffer.from(b64, 'base64');
      return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    };
    for (const t of v.restore) {
      const want = f32(t.output_f32);
      const out = restoreCrop(f32(t.input_f32), t.size, t.params);
      // the blur is a median of ratios of filtered values: scipy and the TypeScript sum in another order
      expect(Math.abs(out.sigma - t.sigma)).toBeLessThanOrEqual(1e-6);
      expect(out.restored).toBe(t.restored);
      expect(out.crop.length).toBe(want.length);
      // both sides compute in float64 and round to float32 at the end
      for (let i = 0; i < want.length; i++) expect(Math.abs(out.crop[i] - want[i])).toBeLessThanOrEqual(1e-6);
    }
  });
});
