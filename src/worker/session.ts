/**
 * ORT session management for the worker: download + integrity check, backend choice with
 * fallback, warm-up, and a queue, because an ORT-web session cannot run concurrently.
 */
import type * as OrtNs from 'onnxruntime-web';
import { sha256Hex } from '../core/formats/hash';
import { AppError } from '../core/errors';
import type { Backend, BackendChoice } from './protocol';

type Ort = typeof OrtNs;


export async function downloadModel(
  url: string,
  expectedBytes: number,
  onProgress: (loaded: number, total: number) => void,
): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    // offline, a model the service worker does not hold: say so, rather than "check the connection"
    if (typeof navigator !== 'undefined' && navigator.onLine === false) throw new AppError('model-offline', 'missing');
    throw new AppError('model-download', `could not download the model (${(e as Error).message})`);
  }
  if (!res.ok || !res.body) throw new AppError('model-download', `could not download the model (HTTP ${res.status})`);
  const total = Number(res.headers.get('content-length')) || expectedBytes;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}


export async function verifyModel(bytes: Uint8Array, sha256: string): Promise<void> {
  const got = await sha256Hex(bytes);
  if (got !== sha256) {
    throw new AppError(
      'model-integrity',
      `the model file does not match its model card (sha256 ${got.slice(0, 12)}… instead of ${sha256.slice(0, 12)}…)`,
    );
  }
}

/** The Cache API's part the repair uses (the service worker's caches; absent in Node). */
export type ModelCaches = Pick<CacheStorage, 'keys' | 'open'>;

/** Deletes every cached copy of the file at `url`, whatever its query (the precache keys a file by a revision
 * parameter); how many there were. */
export async function dropCachedCopies(url: string, store: ModelCaches | undefined): Promise<number> {
  if (!store) return 0;
  const path = new URL(url, globalThis.location?.href ?? 'http://localhost/').pathname;
  let n = 0;
  for (const name of await store.keys()) {
    const cache = await store.open(name);
    for (const r of await cache.keys()) {
      if (new URL(r.url).pathname !== path) continue;
      await cache.delete(r);
      n++;
    }
  }
  return n;
}

/**
 * Downloads a model and checks it against its card. A copy kept for offline use that fails the check is
 * damaged there (a disk fault, a write cut short): the service worker's precache answers before the network,
 * so every reload got the same bytes again, online too. That copy is deleted and the file fetched once more:
 * the service worker then takes it from the network, checks it against the hash in its manifest and keeps it
 * (vite.config.ts). Offline, there is nothing to fetch it from, and the technician is told to connect once.
 */
export async function fetchVerifiedModel(
  m: { url: string; sha256: string; bytes: number },
  onProgress: (loaded: number, total: number) => void = () => undefined,
  store: ModelCaches | undefined = globalThis.caches,
): Promise<Uint8Array> {
  const bytes = await downloadModel(m.url, m.bytes, onProgress);
  try {
    await verifyModel(bytes, m.sha256);
    return bytes;
  } catch (e) {
    // no cached copy: what the server sent is damaged, and fetching it again changes nothing
    if (!(await dropCachedCopies(m.url, store).catch(() => 0))) throw e;
  }
  let again: Uint8Array;
  try {
    again = await downloadModel(m.url, m.bytes, onProgress);
  } catch (e) {
    // the server answered, with an error: that is what to say
    if (e instanceof AppError && /\(HTTP \d+\)/.test(e.detail)) throw e;
    throw new AppError('model-offline', 'damaged');
  }
  await verifyModel(again, m.sha256);
  return again;
}

export interface Loaded {
  ort: Ort;
  session: OrtNs.InferenceSession;
  backend: Backend;
  threads: number;
  /** Set when the warm-up ran (ranking WebGPU against WASM). */
  warmupMs?: number;
  createMs: number;
}

export async function webgpuAdapterUsable(): Promise<boolean> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

export type OptLevel = 'disabled' | 'all';

async function create(ort: Ort, model: Uint8Array, ep: 'webgpu' | 'wasm', level: OptLevel): Promise<OrtNs.InferenceSession> {
  try {
    // A copy per session: ORT may take ownership of the buffer. 'disabled' for a model optimised offline
    // (optimizedModel.ts): its graph work was done at build time.
    return await ort.InferenceSession.create(model.slice(), { executionProviders: [ep], graphOptimizationLevel: level });
  } catch (e) {
    throw new AppError('session-create', `could not start the ${ep} backend (${(e as Error).message})`);
  }
}

/** Two runs on a dummy of the model's native size; the second one's time is the warm figure used to
 * compare backends. Only a backend choice needs it: otherwise the first image pays the first run's
 * extra cost (arena growth) once, instead of two dummy runs delaying the first count. */
async function warmUp(ort: Ort, session: OrtNs.InferenceSession, size: { width: number; height: number }): Promise<number> {
  const data = new Float32Array(3 * size.width * size.height).fill(0.5);
  const feeds = { image: new ort.Tensor('float32', data, [3, size.height, size.width]) };
  disposeOutputs(await session.run(feeds));
  const t = performance.now();
  disposeOutputs(await session.run(feeds));
  return performance.now() - t;
}

export function disposeOutputs(out: Record<string, OrtNs.Tensor>) {
  for (const t of Object.values(out)) t.dispose?.();
}

/** The WASM thread count for a request (0 = choose). */
export function threadCount(numThreads: number): number {
  const isolated = (self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  // Without cross-origin isolation there is no SharedArrayBuffer, and ORT would quietly run one thread.
  // 0: one core is left to the page (decoding the next image, WBC crops, React): measured by `npm run bench`
  // on 2 cores, ORT-web's second thread cost 1.67x the CPU of one for at most 1.2x the speed, and inside
  // the app 2 threads ran 0.77x as fast as 1 (see README, Speed). The page passes its measured choice
  // (services/threadChoice.ts), or ?threads=N.
  return isolated ? (numThreads > 0 ? numThreads : Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 1) - 1))) : 1;
}

/** A 63-byte ONNX model, hand-encoded: one Identity node on a float [1] tensor. */
const TINY_MODEL = [8, 7, 58, 55, 10, 16, 10, 1, 120, 18, 1, 121, 34, 8, 73, 100, 101, 110, 116, 105, 116, 121, 18, 1, 103, 90, 15, 10, 1, 120, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 98, 15, 10, 1, 121, 18, 10, 10, 8, 8, 1, 18, 4, 10, 2, 8, 1, 66, 2, 16, 13];

/** Fetches, compiles and starts ORT's WebAssembly (and its thread pool) at once, so that this overlaps the
 * model's download and check instead of following them. ORT-web has no public call for only that: its
 * runtime starts with the first session, so a session of a tiny model starts it. The thread count is fixed
 * here (ORT reads env.wasm.numThreads once, at that first session). */
export async function prepareWasmRuntime(wasmBase: string, threads: number): Promise<Ort> {
  const ort = (await import('onnxruntime-web/wasm')) as Ort;
  ort.env.wasm.wasmPaths = wasmBase;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  const s = await ort.InferenceSession.create(Uint8Array.from(TINY_MODEL), { executionProviders: ['wasm'] });
  await s.release();
  return ort;
}

export async function loadSession(
  model: Uint8Array,
  choice: BackendChoice,
  wasmBase: string,
  numThreads: number,
  /** The card's native size: the warm-up runs at the size most inputs will have. */
  warmupSize: { width: number; height: number },
  level: OptLevel = 'all',
): Promise<Loaded & { note?: string }> {
  const threads = threadCount(numThreads);
  const notes: string[] = [];

  const start = async (ep: 'wasm' | 'webgpu', threads: number, rank = false): Promise<Loaded> => {
    // For WebGPU, the native WebGPU EP build; the default import would use the deprecated JSEP build.
    const ort = (ep === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm')) as Ort;
    ort.env.wasm.wasmPaths = wasmBase;
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false;
    const t = performance.now();
    const session = await create(ort, model, ep, level);
    const createMs = performance.now() - t;
    const warmupMs = rank ? await warmUp(ort, session, warmupSize) : undefined;
    const backend: Backend = ep === 'webgpu' ? 'webgpu' : threads > 1 ? 'wasm-threads' : 'wasm';
    return { ort, session, backend, threads, warmupMs, createMs };
  };
  // A multi-threaded WASM session that fails to start (memory, a browser without threads support
  // despite isolation) is retried on one thread, and the note says so.
  const startWasm = async (rank = false): Promise<Loaded & { note?: string }> => {
    if (threads <= 1) return start('wasm', 1, rank);
    try {
      return await start('wasm', threads, rank);
    } catch (e) {
      const one = await start('wasm', 1, rank);
      return { ...one, note: `Multi-threaded WASM failed to start (${(e as Error).message}); running on one thread.` };
    }
  };
  const startWebgpu = (rank: boolean) => start('webgpu', threads, rank);
  const withNote = (l: Loaded & { note?: string }, more?: string) => ({ ...l, note: [more, l.note].filter(Boolean).join(' ') || undefined });

  if (choice === 'wasm') return startWasm();
  const gpuOk = await webgpuAdapterUsable();
  if (!gpuOk) {
    if (choice === 'webgpu') notes.push('WebGPU is not available in this browser; using WASM.');
    return withNote(await startWasm(), notes.join(' '));
  }
  let gpu: Loaded | undefined;
  try {
    gpu = await startWebgpu(choice === 'auto');
  } catch (e) {
    notes.push(`WebGPU failed (${(e as Error).message}); using WASM.`);
    return withNote(await startWasm(), notes.join(' '));
  }
  if (choice === 'webgpu') return gpu;
  // auto: RoiAlign and NMS have no WebGPU kernels and bounce to the CPU, so WebGPU is not
  // always faster for this model. Keep whichever backend ran the warm-up faster.
  const cpu = await startWasm(true);
  if (gpu.warmupMs! <= cpu.warmupMs!) {
    await cpu.session.release();
    return withNote(gpu, `WebGPU ${gpu.warmupMs!.toFixed(0)} ms vs WASM ${cpu.warmupMs!.toFixed(0)} ms per image.`);
  }
  await gpu.session.release();
  return withNote(cpu, `WASM ${cpu.warmupMs!.toFixed(0)} ms vs WebGPU ${gpu.warmupMs!.toFixed(0)} ms per image.`);
}

/** The WBC classifier's session, on WASM (a few small convolutions: no GPU needed), with the detector's
 * runtime module (the same ort instance, so its environment settings apply). */
export async function loadClassifier(ort: Ort, model: Uint8Array, level: OptLevel = 'all'): Promise<{ ort: Ort; session: OrtNs.InferenceSession }> {
  try {
    const session = await ort.InferenceSession.create(model.slice(), { executionProviders: ['wasm'], graphOptimizationLevel: level });
    return { ort, session };
  } catch (e) {
    throw new AppError('session-create', `could not start the WBC classifier (${(e as Error).message})`);
  }
}

/** Serialises session.run calls. */
export class RunQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(job: () => Promise<T>): Promise<T> {
    const p = this.tail.then(job, job);
    this.tail = p.catch(() => undefined);
    return p;
  }
}
