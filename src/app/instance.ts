/** The app's singletons: the model card, the store, the detector client and the batch runner. */
import cardJson from '../../models/smearcount-frcnn.json';
import modelUrl from '../../models/smearcount-frcnn.onnx?url';
import { parseModelCard } from '../core/detection/card';
import { createAppStore } from '../store/store';
import { DetectorClient, DetectorError } from '../worker/client';
import type { BackendChoice } from '../worker/protocol';
import { modelErrorMessage } from './errors';
import { imageFiles } from './files';
import { Persistence } from './persist';
import { BatchRunner } from './runner';
import { forgetThumbnails } from './thumbnails';

export const card = parseModelCard(cardJson);
export const useAppStore = createAppStore(card.postprocess);

/** Test and benchmark override: ?model=<url> loads another model (its card hash must match via ?sha256=). */
const params = new URLSearchParams(location.search);

let client: Promise<DetectorClient> | undefined;
const BACKEND_KEY = 'smearcount.backend';

/** The engine choice persists; switching restarts the page (the batch is restored from IndexedDB). */
export function chooseBackend(b: BackendChoice) {
  localStorage.setItem(BACKEND_KEY, b);
  void persistence.flush().then(() => location.reload());
}

export function loadDetector(): Promise<DetectorClient> {
  if (client) return client;
  const st = useAppStore.getState();
  const c = new DetectorClient();
  st.setModel({ status: 'loading', loaded: 0, total: card.bytes, error: undefined });
  const backendParam = params.get('backend') ?? localStorage.getItem(BACKEND_KEY);
  const backend = backendParam === 'wasm' || backendParam === 'webgpu' ? backendParam : st.backendChoice;
  st.setBackendChoice(backend);
  client = c
    .init({
      modelUrl: new URL(params.get('model') ?? modelUrl, location.href).href,
      sha256: params.get('sha256') ?? card.sha256,
      bytes: card.bytes,
      backend,
      wasmBase: new URL(`${import.meta.env.BASE_URL}ort/`, location.href).href,
      numThreads: Number(params.get('threads') ?? 0),
      onProgress: (loaded, total) => useAppStore.getState().setModel({ loaded, total }),
    })
    .then((info) => {
      useAppStore.getState().setModel({ status: 'ready', ...info });
      return c;
    })
    .catch((e: unknown) => {
      const err = e instanceof DetectorError ? e : new DetectorError('session-create', String(e));
      useAppStore.getState().setModel({ status: 'error', error: modelErrorMessage(err.code, err.message) });
      c.terminate();
      client = undefined;
      throw err;
    });
  return client;
}

export const runner = new BatchRunner(useAppStore, loadDetector, card);

export const persistence = new Persistence(useAppStore);

/** Restores a stored batch, then keeps the store saved and finishes any images left queued. */
let session: Promise<void> | undefined;
export function startSession(): Promise<void> {
  // Once per page, although React's StrictMode runs effects twice in development.
  return (session ??= (async () => {
    try {
      await persistence.restore();
    } catch (e) {
      console.warn('could not restore the previous batch', e);
    }
    persistence.start();
    runner.resume();
  })());
}

export async function clearSession(): Promise<void> {
  runner.cancel();
  useAppStore.getState().clearBatch();
  imageFiles.clear();
  forgetThumbnails();
  await persistence.clear();
}
