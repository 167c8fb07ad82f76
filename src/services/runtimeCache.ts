/**
 * Leaves Chrome's compiled copy of ORT's WebAssembly beside the copy the next visit loads.
 *
 * V8 stores a module's optimised code beside the response it was compiled from, once enough of it has run
 * hot (and only for streaming compilation). A first visit takes the runtime from the network before the
 * service worker has precached it; the next visit takes it from the precache, where nothing is stored
 * yet. Traced on 2 cores (README, issue 24), that second visit compiled each function lazily on its first
 * call (Liftoff, about 400 ms of its first count, one function alone 195 ms) while TurboFan recompiled the
 * hot ones on the other core (1.8-2.5 s of CPU beside the page's work); a third visit read 37 ms of cached
 * code instead.
 *
 * So the visit that installed the service worker, once the app is idle, starts a second detector worker
 * (a worker's fetches go through the service worker, so it loads the precached runtime and models), runs
 * the detector on a blank field until V8 has tiered up its hot code, and stops. It stops at once when
 * the user's work starts, and the next visit then fills the cache itself, as before.
 */

/** What the warm-up needs of a detector worker (DetectorClient). */
export interface WarmClient {
  ready: Promise<unknown>;
  detect(bitmap: ImageBitmap): Promise<unknown>;
  terminate(): void;
}

export type WarmState = 'idle' | 'waiting' | 'running' | 'done' | 'stopped' | 'skipped';

export interface RuntimeCacheOptions {
  /** Starts a detector worker fetched through the service worker, loaded like the app's. */
  start(): WarmClient;
  /** The model's native input size: the runs take the code path the user's images take. */
  size: { width: number; height: number };
  /** Resolves when the app's own detector is ready and nothing else waits on the CPU (no batch, no camera). */
  whenIdle(): Promise<void>;
  /** Calls back when the user's work starts (a batch, the camera); returns the unsubscribe. */
  onBusy(cb: () => void): () => void;
  onState?(s: WarmState): void;
  /** Detections on the blank field. */
  runs?: number;
  /** How long the worker stays after its runs. V8 writes the cache at once after 1 MB of new optimised
   * code, else 2 s after the last optimised function (wasm_caching_timeout_ms), and the background
   * TurboFan jobs may finish well after the runs on a busy machine: one warm-up of six traced left no
   * cache when it stayed 3 s. The worker is idle meanwhile, and ends at once if the user starts working. */
  lingerMs?: number;
  /** The field the runs detect on (tests; default: blankField). */
  field?: (size: { width: number; height: number }) => Promise<ImageBitmap>;
}

/** A blank, mid-grey field of the model's native size. Measured (Chromium 156): after its three runs the
 * next visit found cached code in five warm-ups of six traced; a field of synthetic cells ran faster,
 * tiered up less, and left no cache within the same time. */
function blankField(size: { width: number; height: number }): Promise<ImageBitmap> {
  const c = new OffscreenCanvas(size.width, size.height);
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = 'rgb(128,128,128)';
  ctx.fillRect(0, 0, size.width, size.height);
  return createImageBitmap(c);
}

/**
 * Warms the code cache once, on the visit whose runtime did not come from the service worker (`controlled`
 * false at page load) after the service worker is active (`swReady`). Returns a stop function.
 */
export function warmRuntimeCache(controlled: boolean, swReady: Promise<unknown> | null, o: RuntimeCacheOptions): () => void {
  const set = (s: WarmState) => o.onState?.(s);
  if (controlled || !swReady) {
    set('skipped');
    return () => undefined;
  }
  let stopped = false;
  let client: WarmClient | undefined;
  const stop = (why: WarmState = 'stopped') => {
    if (stopped) return;
    stopped = true;
    client?.terminate();
    client = undefined;
    set(why);
  };
  set('waiting');
  void (async () => {
    await swReady;
    await o.whenIdle();
    if (stopped) return;
    const off = o.onBusy(() => stop());
    try {
      // onBusy calls back at once when the user's work began between the idle check and now (a batch
      // dropped before the idle callback ran): then no worker starts. Without this, the warm-up started
      // anyway with nothing left to stop it (traced: a second detector worker compiling the runtime and
      // running beside a 30-image batch dropped at "ready", 3.2 s of CPU in a 12 s batch on 2 cores).
      if (stopped) return;
      set('running');
      client = o.start();
      await client.ready;
      for (let i = 0; i < (o.runs ?? 3) && !stopped; i++) await client?.detect(await (o.field ?? blankField)(o.size));
      await new Promise((r) => setTimeout(r, o.lingerMs ?? 8000));
      stop('done');
    } catch {
      stop(); // a warm-up that fails changes nothing: the next visit compiles as it always did
    } finally {
      off();
    }
  })();
  return () => stop();
}
