import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClassifierCard } from '../core/differential/card';
import type { Detection } from '../core/detection/detection';
import { createAppStore } from '../store/store';
import { selectGalleryCells } from '../store/selectors';
import { addBox } from '../core/edits/commands';
import { cropRect } from '../core/differential/crop';
import type { Decoder } from './decoder';
import { createImageFiles } from './files';
import { TYPE_AHEAD, WbcTyper, type Classify } from './wbcTyping';

const card = parseClassifierCard(JSON.parse(readFileSync(new URL('../../models/smearcount-wbc.json', import.meta.url), 'utf8')));
const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.6, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const wbc = (id: string, score: number): Detection => ({ id, cls: 'WBC', score, origin: 'model', box: { x1: 100, y1: 100, x2: 200, y2: 200 } });

/** A store with the classifier on, and a decoder whose crops are mid-grey. */
function setup() {
  const store = createAppStore(defaults);
  store.getState().setModel({ classifier: true });
  const size = card.crop.size;
  const decoder = { crop: async () => new Uint8ClampedArray(4 * size * size).fill(128) } as unknown as Decoder;
  return { store, size, decoder };
}

describe('WbcTyper.afterDetection', () => {
  it('types the WBC candidates a threshold lowered to TYPE_AHEAD of today’s would show, and no others', async () => {
    const { store, decoder } = setup();
    const typed: number[] = [];
    const client: Classify = {
      classify: async (_crops, n) => {
        typed.push(n);
        return { logits: new Float32Array(n * card.classes.length), classes: card.classes.length, ms: 1 };
      },
    };
    const typer = new WbcTyper(store, async () => client, createImageFiles(), decoder, card);
    const raw = [wbc('m0', 0.95), wbc('m1', 0.35), wbc('m2', 0.25), wbc('m3', 0.08), { ...wbc('m4', 0.9), cls: 'RBC' as const }];
    const out = await typer.afterDetection(client, {} as ImageBitmap, raw);
    const bar = TYPE_AHEAD * 0.6; // 0.3
    expect(Object.keys(out.wbc ?? {}).sort()).toEqual(raw.filter((d) => d.cls === 'WBC' && d.score >= bar).map((d) => d.id));
    expect(typed).toEqual([2]);
    // a lower threshold reaches further, never under 0.05
    store.getState().setThreshold('WBC', 0.12);
    const lower = await typer.afterDetection(client, {} as ImageBitmap, raw);
    expect(Object.keys(lower.wbc ?? {}).sort()).toEqual(['m0', 'm1', 'm2', 'm3']);
    store.getState().setThreshold('WBC', 0.02);
    expect(Object.keys((await typer.afterDetection(client, {} as ImageBitmap, [...raw, wbc('m5', 0.03)])).wbc ?? {})).not.toContain('m5');
  });

  it('types in the typing worker once it is ready, and in the detector worker if it fails', async () => {
    const { store, size, decoder } = setup();
    const calls: string[] = [];
    const worker = (name: string, fail = false): Classify => ({
      classify: async (crops, n) => {
        calls.push(`${name}:${n}:${crops.length}`);
        if (fail) throw new Error('the worker stopped');
        return { logits: new Float32Array(n * card.classes.length), classes: card.classes.length, ms: 1 };
      },
    });
    let typing: Classify | null = null;
    let failed = 0;
    const typist = { client: () => typing, failed: () => void ((typing = null), failed++) };
    const typer = new WbcTyper(store, async () => worker('detector'), createImageFiles(), decoder, card, typist);
    const raw = [wbc('m0', 0.95)];
    const len = 3 * size * size;
    await typer.afterDetection(worker('detector'), {} as ImageBitmap, raw);
    typing = worker('typing');
    await typer.afterDetection(worker('detector'), {} as ImageBitmap, raw);
    typing = worker('broken', true);
    const out = await typer.afterDetection(worker('detector'), {} as ImageBitmap, raw);
    expect(Object.keys(out.wbc ?? {})).toEqual(['m0']); // the failure cost nothing: the detector typed it
    expect(calls).toEqual([`detector:1:${len}`, `typing:1:${len}`, `broken:1:${len}`, `detector:1:${len}`]);
    expect(failed).toBe(1);
  });

  it('sends the crops as RGB in [0, 1] with the card’s crop rule: the worker normalises (and restores) them off the page’s thread', async () => {
    const { store, size, decoder } = setup();
    const seen: { crops: Float32Array; rule: unknown }[] = [];
    const client: Classify = {
      classify: async (crops, n, _size, rule) => {
        seen.push({ crops: crops.slice(), rule });
        return { logits: new Float32Array(n * card.classes.length), classes: card.classes.length, ms: 1 };
      },
    };
    const typer = new WbcTyper(store, async () => client, createImageFiles(), decoder, card);
    await typer.afterDetection(client, {} as ImageBitmap, [wbc('m0', 0.95)]);
    expect(seen).toHaveLength(1);
    expect(seen[0].rule).toEqual(card.crop);
    expect(card.crop.restore).toBeTruthy();
    // the decoder's mid-grey crop, as it is: 128 / 255 in every channel, not yet white-balanced
    expect(seen[0].crops.length).toBe(3 * size * size);
    expect(seen[0].crops.every((v) => Math.abs(v - 128 / 255) < 1e-6)).toBe(true);
  });
});

describe("the gallery's tile and the classifier's crop: one smallest WBC side", () => {
  it('the tile is cut on the square the classifier typed, whatever the thresholds or the edits since', async () => {
    const store = createAppStore(defaults);
    store.getState().setModel({ classifier: true });
    const size = card.crop.size;
    const rects: { x: number; y: number; side: number }[] = [];
    const decoder = {
      decode: async () => ({ close() {} }),
      crop: async (_bmp: unknown, rect: { x: number; y: number; side: number }) => {
        rects.push(rect);
        return new Uint8ClampedArray(4 * size * size).fill(128);
      },
    } as unknown as Decoder;
    const client: Classify = { classify: async (_c, n) => ({ logits: new Float32Array(n * card.classes.length), classes: card.classes.length, ms: 1 }) };
    const files = createImageFiles();
    files.set('a', new Blob(['x']));
    const typer = new WbcTyper(store, async () => client, files, decoder, card);
    // a field of 3 sure red cells 60 px wide and 4 less sure ones 80 px wide (median 80), a WBC box on a
    // nucleus lobe (50 px): the classifier's square is built on 80
    const rbc = (id: string, score: number, x: number, side: number): Detection => ({ id, cls: 'RBC', score, origin: 'model', box: { x1: x, y1: 300, x2: x + side, y2: 300 + side } });
    const raw: Detection[] = [
      { ...wbc('m0', 0.95), box: { x1: 100, y1: 100, x2: 150, y2: 150 } },
      ...[0, 1, 2].map((i) => rbc(`r${i}`, 0.95, 10 + 70 * i, 60)),
      ...[3, 4, 5, 6].map((i) => rbc(`r${i}`, 0.55, 10 + 90 * i, 80)),
    ];
    store.getState().addImage({ id: 'a', name: 'a.jpg', bytes: 1 });
    store.getState().updateImage('a', { status: 'done', width: 800, height: 600, raw, ...(await typer.afterDetection(client, {} as ImageBitmap, raw)) });
    expect(rects).toHaveLength(1);
    // the technician raises the RBC threshold (the 80-px cells are no longer shown), then draws a WBC the
    // model missed: the classifier types it on the same image's square rule
    store.getState().setThreshold('RBC', 0.9);
    store.getState().edit('a', addBox, { cls: 'WBC', box: { x1: 400, y1: 100, x2: 460, y2: 160 }, width: 800, height: 600 });
    await typer.classifyMissing('a');
    expect(rects).toHaveLength(2);
    const cells = selectGalleryCells(store.getState());
    expect(cells.map((c) => c.det.id)).toEqual(['m0', 'u0']);
    // each tile's square (cellTiles tileDraws: the card's factor on the cell's minSide) is the one the classifier cut
    for (const [i, c] of cells.entries()) expect(cropRect(c.det.box, card.crop.factor, c.minSide)).toEqual(rects[i]);
    expect(rects[0].side).toBeCloseTo(card.crop.factor * 80);
  });
});
