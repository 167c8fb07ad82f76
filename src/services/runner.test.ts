import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelCard } from '../core/detection/card';
import { createAppStore } from '../store/store';
import type { DetectOutput } from '../worker/client';
import { createImageFiles } from './files';
import { BatchRunner, type Decoder } from './runner';

const card = parseModelCard(JSON.parse(readFileSync(new URL('../../models/smearcount-frcnn.json', import.meta.url), 'utf8')));

/** A JPEG-looking file: SOI + SOF0 with a size + EOI (or not). The fake decoder reads the size back. */
function jpeg(name: string, w: number, h: number, eoi = true, salt = 0): File {
  const sof = [0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1];
  const bytes = [0xff, 0xd8, ...sof, salt, ...(eoi ? [0xff, 0xd9] : [])];
  return new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' });
}

function fakeDecoder(): Decoder & { copies: { width: number; height: number }[] } {
  const copies: { width: number; height: number }[] = [];
  return {
    copies,
    async decode(blob) {
      const b = new Uint8Array(await blob.arrayBuffer());
      if (b[b.length - 1] === 0x00) throw new Error('corrupt');
      const h = (b[7] << 8) | b[8];
      const w = (b[9] << 8) | b[10];
      return { width: w, height: h, close() {} } as ImageBitmap;
    },
    async copy(_bmp, size) {
      copies.push(size);
      return { ...size, close() {} } as ImageBitmap;
    },
  };
}

/** A fake detector: RBCs of a given size (model px) on a grid, scores 0.9. */
function fakeClient(rbcModelPx: (call: number) => number) {
  let calls = 0;
  return {
    calls: () => calls,
    async detect(bmp: ImageBitmap): Promise<DetectOutput> {
      const s = rbcModelPx(calls++);
      const boxes: number[] = [];
      for (let x = 10; x + s < bmp.width - 10; x += s + 5) boxes.push(x, 20, x + s, 20 + s);
      const n = boxes.length / 4;
      return { boxes: new Float32Array(boxes), labels: new Int32Array(n).fill(1), scores: new Float32Array(n).fill(0.9), inferenceMs: 5, width: bmp.width, height: bmp.height };
    },
  };
}

async function run(files: File[], client = fakeClient(() => card.scale!.referenceRbcPx)) {
  const store = createAppStore(card.postprocess);
  store.getState().setModel({ status: 'ready' });
  const decoder = fakeDecoder();
  const runner = new BatchRunner(store, async () => client, card, createImageFiles(), decoder);
  await runner.addFiles(files);
  for (let i = 0; i < 100 && store.getState().order.some((id) => ['queued', 'running'].includes(store.getState().images[id].status)); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return { store, decoder, client };
}

describe('BatchRunner', () => {
  it('one bad file becomes one message and the batch goes on', async () => {
    const { store } = await run([
      jpeg('good.jpg', 640, 480),
      new File([new Uint8Array(0)], 'empty.jpg'),
      new File(['hello'], 'notes.txt'),
      jpeg('truncated.jpg', 640, 480, false),
      jpeg('good2.jpg', 640, 480, true, 1),
    ]);
    const s = store.getState();
    expect(s.order.map((id) => [s.images[id].name, s.images[id].status])).toEqual([
      ['good.jpg', 'done'],
      ['good2.jpg', 'done'],
    ]);
    const errs = Object.fromEntries(s.notices.map((e) => [e.subject, e.message]));
    expect(errs['empty.jpg']).toMatch(/empty/);
    expect(errs['notes.txt']).toMatch(/Not an image/);
    expect(errs['truncated.jpg']).toMatch(/ends early/); // the JPEG end-of-image check
  });
  it('the same photo dropped twice is counted once', async () => {
    const { store } = await run([jpeg('a.jpg', 640, 480), jpeg('copy-of-a.jpg', 640, 480)]);
    expect(store.getState().order).toHaveLength(1);
    expect(store.getState().notices[0].message).toMatch(/Already in this batch as a\.jpg/);
  });
  it('at the model scale: one pass at the native size', async () => {
    const { store, decoder } = await run([jpeg('a.jpg', 640, 480)]);
    const im = Object.values(store.getState().images)[0];
    expect(decoder.copies).toEqual([card.nativeSize]);
    expect(im.scale).toMatchObject({ passes: 1, fixed: false });
    expect(im.raw!.length).toBeGreaterThan(2);
  });
  it('cells at half size: detects again at twice the size, boxes in image pixels', async () => {
    const ref = card.scale!.referenceRbcPx;
    const client = fakeClient((call) => (call === 0 ? ref / 2 : ref));
    const { store, decoder } = await run([jpeg('zoomed-out.jpg', 640, 480)], client);
    const im = Object.values(store.getState().images)[0];
    expect(client.calls()).toBe(2);
    expect(decoder.copies[1].width).toBeGreaterThan(1.9 * card.nativeSize.width);
    expect(im.scale!.passes).toBe(2);
    expect(im.scale!.estimated).toBeCloseTo(0.5, 1);
    for (const d of im.raw!) expect(d.box.x2).toBeLessThanOrEqual(640);
  });
  it('a fixed magnification runs once at that scale', async () => {
    const store = createAppStore(card.postprocess);
    store.getState().setModel({ status: 'ready' });
    store.getState().setFixedScale(2);
    const decoder = fakeDecoder();
    const runner = new BatchRunner(store, async () => fakeClient(() => 80), card, createImageFiles(), decoder);
    await runner.addFiles([jpeg('a.jpg', 640, 480)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(decoder.copies).toEqual([{ width: 2 * card.nativeSize.width, height: 2 * card.nativeSize.height }]);
    expect(Object.values(store.getState().images)[0].scale).toMatchObject({ fixed: true, passes: 1 });
  });
});
