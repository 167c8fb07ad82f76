import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError, errorMessage } from '../core/errors';
import { sha256Hex } from '../core/formats/hash';
import { DetectorClient } from './client';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { RunQueue, downloadModel, fetchVerifiedModel, type ModelCaches } from './session';

describe('RunQueue', () => {
  it('runs jobs one at a time, in order, and a failure does not block the next', async () => {
    const q = new RunQueue();
    const log: string[] = [];
    let active = 0;
    const job = (name: string, ms: number, fail = false) => async () => {
      active++;
      expect(active).toBe(1);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      active--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([q.run(job('a', 20)), q.run(job('b', 5, true)), q.run(job('c', 1))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

/** A fake worker that answers like detector.worker.ts. */
function fakeWorker(reply: (req: WorkerRequest) => WorkerResponse[]) {
  const w = {
    onmessage: null as ((e: MessageEvent<WorkerResponse>) => void) | null,
    onerror: null as ((e: ErrorEvent) => void) | null,
    posted: [] as WorkerRequest[],
    postMessage(req: WorkerRequest) {
      this.posted.push(req);
      for (const r of reply(req)) setTimeout(() => w.onmessage?.({ data: r } as MessageEvent<WorkerResponse>), 0);
    },
    terminate() {},
  };
  return w;
}

describe('DetectorClient', () => {
  it('matches replies to requests by id, reports progress, and types errors with their code', async () => {
    const worker = fakeWorker((req) => {
      if (req.type === 'init')
        return [
          { type: 'status', id: req.id, state: 'progress', loaded: 5, total: 10 },
          { type: 'status', id: req.id, state: 'ready', backend: 'wasm', threads: 1, loadMs: 1, fetchMs: 1, createMs: 1, warmupMs: 1, classifier: false, optimized: true },
        ];
      return [{ type: 'error', id: req.id, code: 'inference', message: 'boom' }];
    });
    const c = new DetectorClient(worker as unknown as Worker);
    const progress: number[] = [];
    const info = await c.init({ modelUrl: 'm', sha256: 'x', bytes: 10, backend: 'wasm', wasmBase: '/', numThreads: 1, warmupSize: { width: 512, height: 384 }, onProgress: (l) => progress.push(l) });
    expect(info.backend).toBe('wasm');
    expect(progress).toEqual([5]);
    const err = await c.detect({} as ImageBitmap).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('inference');
    expect(worker.posted.map((p) => p.id)).toEqual([1, 2]);
  });
  it('a crashed worker rejects what is pending', async () => {
    const worker = fakeWorker(() => []);
    const c = new DetectorClient(worker as unknown as Worker);
    const p = c.detect({} as ImageBitmap);
    worker.onerror?.({ message: 'out of memory' } as ErrorEvent);
    const err = await p.catch((e) => e);
    expect(err.code).toBe('worker');
    expect(err.message).toMatch(/out of memory/);
  });
});

describe('fetchVerifiedModel: a model damaged in the offline copy', () => {
  const good = new TextEncoder().encode('the model');
  /** One cache holding `urls`, as the service worker's precache keys them. */
  const cachesWith = (urls: string[]) => {
    const held = new Set(urls);
    const cache = { keys: async () => [...held].map((u) => new Request(u)), delete: async (r: Request) => held.delete(r.url) };
    return { held, store: { keys: async () => ['workbox-precache-v2'], open: async () => cache } as unknown as ModelCaches };
  };
  /** fetch answering from `answers` in turn (an Error: the network is down). */
  const fetchFrom = (answers: (Uint8Array | Error)[]) => {
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url);
      const a = answers.shift()!;
      if (a instanceof Error) throw a;
      return new Response(a.slice());
    });
    return calls;
  };
  afterEach(() => vi.unstubAllGlobals());
  const m = async () => ({ url: 'http://app.test/models/m.onnx', sha256: await sha256Hex(good), bytes: good.length });

  it('drops the cached copy and fetches once more: the bytes that pass', async () => {
    const { held, store } = cachesWith(['http://app.test/models/m.onnx?__WB_REVISION__=1', 'http://app.test/index.html']);
    const calls = fetchFrom([new Uint8Array(9), good]);
    expect(await fetchVerifiedModel(await m(), undefined, store)).toEqual(good);
    expect(calls).toHaveLength(2);
    expect([...held]).toEqual(['http://app.test/index.html']);
  });
  it('with no cached copy, the damaged download is refused as before (fetching again changes nothing)', async () => {
    const { store } = cachesWith([]);
    const calls = fetchFrom([new Uint8Array(9)]);
    await expect(fetchVerifiedModel(await m(), undefined, store)).rejects.toMatchObject({ code: 'model-integrity' });
    expect(calls).toHaveLength(1);
  });
  it('offline, the copy is dropped and the technician told to connect once', async () => {
    const { held, store } = cachesWith(['http://app.test/models/m.onnx?__WB_REVISION__=1']);
    fetchFrom([new Uint8Array(9), new TypeError('Failed to fetch')]);
    const e = await fetchVerifiedModel(await m(), undefined, store).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'model-offline', detail: 'damaged' });
    expect(errorMessage(e)).toMatch(/kept on this device for offline use is damaged .* Connect to the network and reload the page once/);
    expect(held.size).toBe(0);
  });
});

describe('downloadModel offline', () => {
  afterEach(() => vi.unstubAllGlobals());
  it('a model the offline copy lacks, with the device offline, says so and what to do (not "check the connection")', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const e = await downloadModel('/models/m.onnx', 10, () => undefined).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'model-offline', detail: 'missing' });
    expect(errorMessage(e)).toMatch(/^This device is offline, and the detection model is not among the files kept on it for offline use .* Connect to the network and reload the page once/);
  });
  it('online, a failed download is the connection as before', async () => {
    vi.stubGlobal('navigator', { onLine: true });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(downloadModel('/models/m.onnx', 10, () => undefined)).rejects.toMatchObject({ code: 'model-download' });
  });
});
