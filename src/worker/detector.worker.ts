/// <reference lib="webworker" />
/**
 * The detector worker: owns the ORT session. Receives scaled ImageBitmaps, returns raw outputs.
 * Post-processing happens on the page (src/core), so threshold changes never reach here.
 */
import { labelsToInt32 } from '../core/detection/decode';
import { AppError } from '../core/errors';
import { rgbaToCHW } from '../core/detection/preprocess';
import { normaliseChw } from '../core/differential/crop';
import { fillOutsideField, findCircularField, type Circle } from '../core/quality/field';
import { evenLight } from '../core/quality/illumination';
import type { ClassifyRequest, DetectRequest, InitRequest, WorkerRequest, WorkerResponse } from './protocol';
import { chooseModel } from './optimizedModel';
import { RunQueue, disposeOutputs, fetchVerifiedModel, loadClassifier, loadSession, prepareWasmRuntime, threadCount, webgpuAdapterUsable, type Loaded } from './session';

declare const self: DedicatedWorkerGlobalScope;

let loaded: Promise<Loaded> | undefined;
let classifier: Promise<Awaited<ReturnType<typeof loadClassifier>> | null> = Promise.resolve(null);
/** The classifier's embedding output (on-device adaptation), when its card names one. */
let embeddingName: string | undefined;
const queue = new RunQueue();
const classifyQueue = new RunQueue();

function post(msg: WorkerResponse, transfer: Transferable[] = []) {
  self.postMessage(msg, transfer);
}

function fail(id: number, e: unknown) {
  const code = e instanceof AppError ? e.code : 'inference';
  post({ type: 'error', id, code, message: e instanceof Error ? e.message : String(e) });
}

const fetchVerified = (m: { url: string; sha256: string; bytes: number }, onProgress?: (l: number, t: number) => void) => fetchVerifiedModel(m, onProgress);

/** A typing worker (InitRequest.classifierOnly): ORT's WebAssembly on one thread and the classifier alone. */
async function initTyping(req: InitRequest) {
  const t0 = performance.now();
  const c = req.classifier;
  if (!c) throw new AppError('session-create', 'a typing worker needs the classifier');
  const runtime = prepareWasmRuntime(req.wasmBase, 1);
  runtime.catch(() => undefined); // met below
  const cm = chooseModel(req.optimized?.manifest ?? null, req.optimized?.base ?? '', { url: c.modelUrl, sha256: c.sha256, bytes: c.bytes });
  let level = cm.graphOptimizationLevel;
  const bytes = await fetchVerified(cm).catch(() => ((level = 'all'), fetchVerified({ url: c.modelUrl, sha256: c.sha256, bytes: c.bytes })));
  const fetchMs = performance.now() - t0;
  const ort = await runtime;
  const runtimeMs = performance.now() - t0;
  const t1 = performance.now();
  embeddingName = c.embedding;
  classifier = loadClassifier(ort, bytes, level);
  await classifier;
  post({ type: 'status', id: req.id, state: 'ready', backend: 'wasm', threads: 1, loadMs: performance.now() - t0, fetchMs, createMs: performance.now() - t1, runtimeMs, optimized: level === 'disabled', classifier: true });
}

async function init(req: InitRequest) {
  post({ type: 'status', id: req.id, state: 'loading' });
  const t0 = performance.now();
  // On WASM alone (the common case), ORT's WebAssembly is fetched, compiled and started while the models
  // download, and the models are the copies stored pre-optimised, loaded with graph optimisation off. The
  // WebGPU paths keep the original graph (its fused CPU ops are not WebGPU kernels).
  const wasmOnly = req.backend === 'wasm' || (req.backend === 'auto' && !(await webgpuAdapterUsable()));
  let runtimeMs: number | undefined;
  const runtime = wasmOnly ? prepareWasmRuntime(req.wasmBase, threadCount(req.numThreads)).then(() => (runtimeMs = performance.now() - t0)) : null;
  runtime?.catch(() => undefined); // loadSession below meets the same failure and reports it
  const manifest = wasmOnly ? (req.optimized?.manifest ?? null) : null;
  const pick = (m: { url: string; sha256: string; bytes: number }) => chooseModel(manifest, req.optimized?.base ?? '', m);
  const detector = pick({ url: req.modelUrl, sha256: req.sha256, bytes: req.bytes });
  // The classifier's file downloads while the detector's does and its session starts: off the way to
  // the first count.
  const c = req.classifier;
  const cm = c ? pick({ url: c.modelUrl, sha256: c.sha256, bytes: c.bytes }) : null;
  const classifierBytes = c && cm ? fetchVerified(cm).catch(() => fetchVerified({ url: c.modelUrl, sha256: c.sha256, bytes: c.bytes }).then((b) => ((cm.graphOptimizationLevel = 'all'), b))) : null;
  classifierBytes?.catch(() => undefined); // reported below, once the detector is up
  const progress = (l: number, t: number) => post({ type: 'status', id: req.id, state: 'progress', loaded: l, total: t });
  const original = { url: req.modelUrl, sha256: req.sha256, bytes: req.bytes };
  let bytes: Uint8Array;
  let level = detector.graphOptimizationLevel;
  try {
    bytes = await fetchVerified(detector, progress);
  } catch (e) {
    if (level === 'all') throw e;
    // An optimised copy that is missing or damaged is not fatal: the original loads as before.
    bytes = await fetchVerified(original, progress);
    level = 'all';
  }
  const fetchMs = performance.now() - t0;
  await runtime?.catch(() => undefined);
  let s: Awaited<ReturnType<typeof loadSession>>;
  try {
    s = await loadSession(bytes, req.backend, req.wasmBase, req.numThreads, req.warmupSize, level);
  } catch (e) {
    if (level === 'all') throw e;
    s = await loadSession(await fetchVerified(original), req.backend, req.wasmBase, req.numThreads, req.warmupSize, 'all');
    level = 'all';
  }
  // The classifier is small and optional: a failure leaves detection working, without the differential.
  let classifierNote: string | undefined;
  if (classifierBytes && cm) {
    embeddingName = req.classifier?.embedding;
    classifier = classifierBytes
      .then((b) => loadClassifier(s.ort, b, cm.graphOptimizationLevel))
      .catch((e: Error) => {
        classifierNote = `The WBC classifier could not start (${e.message}); counting works, without the differential.`;
        return null;
      });
  }
  const cls = await classifier;
  post({
    type: 'status',
    id: req.id,
    state: 'ready',
    backend: s.backend,
    threads: s.threads,
    loadMs: performance.now() - t0,
    fetchMs,
    createMs: s.createMs,
    warmupMs: s.warmupMs,
    runtimeMs,
    optimized: level === 'disabled',
    note: [s.note, classifierNote].filter(Boolean).join(' ') || undefined,
    classifier: cls !== null,
  });
  return s;
}

/** One canvas and one input buffer, reused while the input size stays the same (it does for a whole
 * batch at the model's native size): no 2.4 MB allocation and collection per image. */
let scratch: { width: number; height: number; ctx: OffscreenCanvasRenderingContext2D; chw: Float32Array } | undefined;

function toInput(bitmap: ImageBitmap): { chw: Float32Array; field: Circle | null } {
  const { width, height } = bitmap;
  if (!scratch || scratch.width !== width || scratch.height !== height) {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new AppError('inference', 'no 2D canvas in this worker');
    scratch = { width, height, ctx, chw: new Float32Array(3 * width * height) };
  }
  scratch.ctx.clearRect(0, 0, width, height); // a transparent image must not show the last one through
  scratch.ctx.drawImage(bitmap, 0, 0);
  const data = scratch.ctx.getImageData(0, 0, width, height).data;
  const chw = rgbaToCHW(data, width, height, scratch.chw);
  // an eyepiece photo: the black ring takes the disc's mean colour (core/quality/field.ts)
  const field = findCircularField({ data, width, height });
  // uneven light (a lamp off centre, a camera's vignetting) is evened out first (core/quality/illumination)
  evenLight(chw, width, height, field);
  if (field) fillOutsideField(chw, width, height, field);
  return { chw, field };
}

async function detect(req: DetectRequest) {
  if (!loaded) throw new AppError('session-create', 'the model is not loaded');
  const { ort, session } = await loaded;
  const { width, height } = req.bitmap;
  // Inside the queue: the shared input buffer must not be refilled before ORT has copied it in.
  const result = await queue.run(async () => {
    let chw: Float32Array;
    let field: Circle | null;
    try {
      ({ chw, field } = toInput(req.bitmap));
    } finally {
      req.bitmap.close();
    }
    const t = performance.now();
    const out = await session.run({ image: new ort.Tensor('float32', chw, [3, height, width]) });
    const inferenceMs = performance.now() - t;
    const boxes = new Float32Array(out.boxes.data as Float32Array);
    const labels = labelsToInt32(out.labels.data as BigInt64Array);
    const scores = new Float32Array(out.scores.data as Float32Array);
    disposeOutputs(out);
    return { boxes, labels, scores, inferenceMs, field };
  });
  post({ type: 'result', id: req.id, width, height, ...result }, [result.boxes.buffer, result.labels.buffer, result.scores.buffer]);
}

async function classify(req: ClassifyRequest) {
  const c = await classifier;
  if (!c) throw new AppError('session-create', 'the WBC classifier is not loaded');
  const { ort, session } = c;
  if (req.rule) {
    // the crop rule's normalisation here, off the page's thread: a soft crop's restoration takes ~20 ms
    const len = 3 * req.size * req.size;
    for (let i = 0; i < req.n; i++) req.crops.set(normaliseChw(req.crops.subarray(i * len, (i + 1) * len), req.rule), i * len);
  }
  const out = await classifyQueue.run(async () => {
    const t = performance.now();
    const r = await session.run({ crops: new ort.Tensor('float32', req.crops, [req.n, 3, req.size, req.size]) });
    const logits = new Float32Array(r.logits.data as Float32Array);
    const classes = r.logits.dims[1];
    const e = embeddingName ? r[embeddingName] : undefined;
    const embedding = e ? new Float32Array(e.data as Float32Array) : undefined;
    const dim = e ? e.dims[1] : undefined;
    disposeOutputs(r);
    return { logits, classes, ms: performance.now() - t, embedding, dim };
  });
  post({ type: 'classified', id: req.id, ...out }, out.embedding ? [out.logits.buffer, out.embedding.buffer] : [out.logits.buffer]);
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  if (req.type === 'init' && req.classifierOnly) {
    initTyping(req).catch((err) => {
      classifier = Promise.resolve(null);
      fail(req.id, err);
    });
  } else if (req.type === 'init') {
    loaded = init(req);
    loaded.catch((err) => {
      loaded = undefined;
      fail(req.id, err);
    });
  } else if (req.type === 'detect') {
    detect(req).catch((err) => fail(req.id, err));
  } else if (req.type === 'classify') {
    classify(req).catch((err) => fail(req.id, err));
  } else {
    post({ type: 'error', id: (req as { id?: number }).id ?? -1, code: 'bad-request', message: 'unknown request' });
  }
};
