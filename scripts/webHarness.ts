/**
 * A bare ORT-web harness for the bench: the runtime files the app serves (/ort/), each session in its
 * own module worker on a cross-origin-isolated page of the built app's origin, fed the exact tensors
 * onnxruntime-node gets. Sessions stay alive between calls, so that the bench can interleave the
 * runtimes image by image (load drifts on a shared machine then hit all of them alike). It also
 * gives what the app's worker does not: ORT's per-op profile, which the wasm build prints to the
 * worker's console when the session is released.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { REPO_ROOT as REPO } from './dataRoot';
import type { Input, ProfileEvent } from './nativeRuntime';

const WORKER = `
import * as ort from './ort.wasm.min.mjs';
let session, feeds;
const dispose = (o) => { for (const t of Object.values(o)) t.dispose?.(); };
self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === 'init') {
      ort.env.wasm.wasmPaths = new URL('/ort/', self.location.href).href;
      ort.env.wasm.numThreads = m.threads;
      ort.env.wasm.proxy = false;
      const bytes = new Uint8Array(await (await fetch(m.model)).arrayBuffer());
      const t0 = performance.now();
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', ...m.options, enableProfiling: !!m.profile });
      const createMs = performance.now() - t0;
      feeds = [];
      for (const i of m.inputs) {
        const data = new Float32Array(await (await fetch(i.url)).arrayBuffer());
        feeds.push({ image: new ort.Tensor('float32', data, [3, i.height, i.width]) });
      }
      // Two warm-up runs, as the app does.
      dispose(await session.run(feeds[0]));
      dispose(await session.run(feeds[0]));
      self.postMessage({ createMs, isolated: self.crossOriginIsolated });
    } else if (m.type === 'run') {
      const t = performance.now();
      dispose(await session.run(feeds[m.k]));
      self.postMessage({ ms: performance.now() - t });
    } else if (m.type === 'release') {
      if (m.profile) session.endProfiling();
      await session.release();
      self.postMessage({});
    }
  } catch (err) { self.postMessage({ error: String((err && err.message) || err) }); }
};`;

const PAGE = `<!doctype html><meta charset="utf-8"><title>ORT harness</title><script type="module">
const workers = new Map();
let next = 1;
const ask = (w, msg) => new Promise((resolve) => {
  w.onmessage = (e) => resolve(e.data);
  w.onerror = (e) => resolve({ error: e.message || 'worker error' });
  w.postMessage(msg);
});
window.harness = {
  async open(msg) {
    const w = new Worker('./harness-worker.mjs', { type: 'module' });
    const r = await ask(w, { type: 'init', ...msg });
    if (r.error) { w.terminate(); return r; }
    const id = next++;
    workers.set(id, w);
    return { id, ...r };
  },
  run: (id, k) => ask(workers.get(id), { type: 'run', k }),
  async close(id, profile) {
    const w = workers.get(id);
    const r = await ask(w, { type: 'release', profile });
    w.terminate();
    workers.delete(id);
    return r;
  },
};
</script>`;

export interface HarnessInputs {
  page: string;
  model: string;
  inputs: { url: string; width: number; height: number }[];
}

/** Writes the harness, ORT's JS API, the model and the input tensors under dist/bench-ort/. */
export function prepareHarness(model: string, inputs: Input[]): HarnessInputs {
  const dir = join(REPO, 'dist', 'bench-ort');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(REPO, 'node_modules', 'onnxruntime-web', 'dist', 'ort.wasm.min.mjs'), join(dir, 'ort.wasm.min.mjs'));
  copyFileSync(model, join(dir, 'model.onnx'));
  writeFileSync(join(dir, 'harness-worker.mjs'), WORKER);
  writeFileSync(join(dir, 'index.html'), PAGE);
  const urls = inputs.map((inp, k) => {
    writeFileSync(join(dir, `in${k}.bin`), Buffer.from(inp.data.buffer, inp.data.byteOffset, inp.data.byteLength));
    return { url: `/bench-ort/in${k}.bin`, width: inp.width, height: inp.height };
  });
  return { page: '/bench-ort/index.html', model: '/bench-ort/model.onnx', inputs: urls };
}

/** Serves one more model beside the harness (after prepareHarness), for comparing models in one run. */
export function addHarnessModel(h: HarnessInputs, src: string, name: string): HarnessInputs {
  copyFileSync(src, join(REPO, 'dist', 'bench-ort', `${name}.onnx`));
  return { ...h, model: `/bench-ort/${name}.onnx` };
}

type Reply = { error?: string; id: number; createMs: number; isolated: boolean; ms: number };
type H = { harness: { open(m: unknown): Promise<Reply>; run(id: number, k: number): Promise<Reply>; close(id: number, p: boolean): Promise<Reply> } };

/** One ORT-web session in its own worker on the harness page. */
export class WebSession {
  private constructor(
    private page: Page,
    private id: number,
    readonly createMs: number,
    readonly isolated: boolean,
    private profile: boolean,
  ) {}

  static async open(page: Page, h: HarnessInputs, threads: number, opts: { options?: object; profile?: boolean } = {}): Promise<WebSession> {
    const r = await page.evaluate((m) => (window as unknown as H).harness.open(m), { model: h.model, inputs: h.inputs, threads, options: opts.options ?? {}, profile: !!opts.profile });
    if (r.error) throw new Error(`ORT-web harness: ${r.error}`);
    return new WebSession(page, r.id, r.createMs, r.isolated, !!opts.profile);
  }

  async run(k: number): Promise<number> {
    const r = await this.page.evaluate(([id, i]) => (window as unknown as H).harness.run(id, i), [this.id, k] as const);
    if (r.error) throw new Error(`ORT-web harness: ${r.error}`);
    return r.ms;
  }

  /** Releases the session; a profiled one returns ORT's events (printed to the console by the wasm build). */
  async close(): Promise<ProfileEvent[]> {
    const events: ProfileEvent[] = [];
    const onConsole = (m: { text(): string }) => {
      for (const line of m.text().split('\n')) {
        const s = line.trim().replace(/,$/, '');
        if (!s.startsWith('{') || !s.includes('"cat"')) continue;
        try {
          events.push(JSON.parse(s));
        } catch {
          /* not an event */
        }
      }
    };
    if (this.profile) this.page.on('console', onConsole);
    await this.page.evaluate(([id, p]) => (window as unknown as H).harness.close(id, p), [this.id, this.profile] as const);
    if (this.profile) {
      // Console messages from workers arrive asynchronously.
      await this.page.waitForTimeout(500);
      this.page.off('console', onConsole);
    }
    return events;
  }
}
