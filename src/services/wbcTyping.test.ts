import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClassifierCard } from '../core/differential/card';
import type { Detection } from '../core/detection/detection';
import { createAppStore } from '../store/store';
import type { Decoder } from './decoder';
import { createImageFiles } from './files';
import { TYPE_AHEAD, WbcTyper, type Classify } from './wbcTyping';

const card = parseClassifierCard(JSON.parse(readFileSync(new URL('../../models/smearcount-wbc.json', import.meta.url), 'utf8')));
const defaults = { scoreThresholds: { RBC: 0.5, WBC: 0.6, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const };
const wbc = (id: string, score: number): Detection => ({ id, cls: 'WBC', score, origin: 'model', box: { x1: 100, y1: 100, x2: 200, y2: 200 } });

describe('WbcTyper.afterDetection', () => {
  it('types the WBC candidates a threshold lowered to TYPE_AHEAD of today’s would show, and no others', async () => {
    const store = createAppStore(defaults);
    store.getState().setModel({ classifier: true });
    const size = card.crop.size;
    const decoder = { crop: async () => new Uint8ClampedArray(4 * size * size).fill(128) } as unknown as Decoder;
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
});
