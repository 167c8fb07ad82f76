import { describe, expect, it, vi } from 'vitest';
import type { Detection } from '../core/detection/detection';
import { assessImage } from '../core/quality/assess';
import { DEBRIS_RULE, debrisRuleId } from '../core/quality/debris';
import type { SmallImage } from '../core/quality/pixels';
import { shownDetections } from '../store/selectors';
import { createAppStore } from '../store/store';
import { rejudgeStaleDebris } from './debrisRule';

const W = 200;
const H = 120;
const BG = [236, 228, 232];
type Disc = { x: number; y: number; r: number; t: number[] };
const pink = [0.85, 0.55, 0.7];
const discs: Record<string, Disc & { cls: Detection['cls']; score: number }> = {
  m0: { x: 20, y: 20, r: 11, t: pink, cls: 'RBC', score: 0.95 },
  m1: { x: 55, y: 20, r: 11, t: pink, cls: 'RBC', score: 0.95 },
  m2: { x: 90, y: 20, r: 10, t: pink, cls: 'RBC', score: 0.95 },
  m3: { x: 20, y: 90, r: 11, t: pink, cls: 'RBC', score: 0.95 },
  // a stained platelet, and a grey speck of dust the size of one
  p: { x: 140, y: 40, r: 5, t: [0.6, 0.35, 0.7], cls: 'Platelets', score: 0.8 },
  d: { x: 170, y: 90, r: 6, t: [0.6, 0.6, 0.6], cls: 'Platelets', score: 0.7 },
};

/** The field as the page reads it: each disc transmits the share t of each channel of the light. */
function field(): SmallImage & { data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let t = [1, 1, 1];
      for (const d of Object.values(discs)) if (Math.hypot(x + 0.5 - d.x, y + 0.5 - d.y) < d.r) t = d.t;
      data.set([...[0, 1, 2].map((c) => BG[c] * t[c]), 255], (y * W + x) * 4);
    }
  return { data, width: W, height: H, scale: 1 };
}
const raw: Detection[] = Object.entries(discs).map(([id, d]) => ({ id, cls: d.cls, score: d.score, box: { x1: d.x - d.r, y1: d.y - d.r, x2: d.x + d.r, y2: d.y + d.r }, origin: 'model' }));
const postprocess = { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const card = { postprocess, scale: { referenceRbcPx: 22, minRelative: 0.5, maxRelative: 2, secondPassOutside: [0.8, 1.25] as [number, number], maxSecondPassSide: 1024 } };

/** A batch restored from a save made under an older debris rule, which took nothing for dust. */
function restored() {
  const img = field();
  const old = assessImage(img, raw, { width: W, height: H }, undefined, card as never, { debris: { ...DEBRIS_RULE, maxRatio: 0 } });
  const store = createAppStore(postprocess);
  store.getState().addImage({ id: 'a', name: 'a.png', bytes: 10 });
  store.getState().updateImage('a', { status: 'done', width: W, height: H, raw: old.raw, quality: old.quality });
  const bitmap = { width: W, height: H, close: vi.fn() } as unknown as ImageBitmap;
  const decoder = { decode: vi.fn(async () => bitmap), pixels: vi.fn(async () => img.data) };
  const files = { get: (id: string) => (id === 'a' ? new Blob(['x']) : undefined) };
  return { store, decoder, files, bitmap };
}

describe('a restored batch\'s debris verdicts under the rule in force', () => {
  it('rejudges a verdict made under another rule from the saved file: the speck leaves the counts without a new count', async () => {
    const { store, decoder, files, bitmap } = restored();
    const shown = () => shownDetections(store.getState().images.a, store.getState().postprocess).map((d) => d.id);
    // restored as saved: the old rule's verdict, the speck counted as a platelet
    expect(shown()).toContain('d');
    expect(await rejudgeStaleDebris(store, files, decoder, card as never)).toBe(1);
    const q = store.getState().images.a.quality!;
    expect(q.debris).toEqual(['d']);
    expect(q.debrisRule).toBe(debrisRuleId(DEBRIS_RULE));
    expect(shown()).not.toContain('d');
    expect(shown()).toContain('p');
    expect(bitmap.close).toHaveBeenCalled();
    // current now: the next restore decodes nothing
    expect(await rejudgeStaleDebris(store, files, decoder, card as never)).toBe(0);
    expect(decoder.decode).toHaveBeenCalledTimes(1);
  });

  it('an image counted again while its file was read keeps its new verdict; a file that no longer decodes keeps the saved one', async () => {
    const { store, decoder, files } = restored();
    const recounted = { ...store.getState().images.a.quality!, debrisRule: 'counted again meanwhile' };
    decoder.pixels.mockImplementationOnce(async () => {
      store.getState().updateImage('a', { quality: recounted });
      return field().data;
    });
    expect(await rejudgeStaleDebris(store, files, decoder, card as never)).toBe(0);
    expect(store.getState().images.a.quality).toBe(recounted);
    const saved = store.getState().images.a.quality;
    decoder.decode.mockRejectedValueOnce(new Error('gone'));
    expect(await rejudgeStaleDebris(store, files, decoder, card as never)).toBe(0);
    expect(store.getState().images.a.quality).toBe(saved);
  });
});
