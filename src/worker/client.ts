import type { CropRule } from '../core/differential/crop';
/**
 * The page's side of the detector worker, and the only caller of postMessage to it.
 */
import { AppError } from '../core/errors';
import type { InitRequest, WorkerRequest, WorkerResponse } from './protocol';

/** The shapes of the worker's replies, derived from the protocol (declared once, there). */
export type ReadyInfo = Omit<Extract<WorkerResponse, { state: 'ready' }>, 'type' | 'id' | 'state'>;
export type DetectOutput = Omit<Extract<WorkerResponse, { type: 'result' }>, 'type' | 'id'>;
export type ClassifyOutput = Omit<Extract<WorkerResponse, { type: 'classified' }>, 'type' | 'id'>;


type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
type Pending = { resolve: (v: never) => void; reject: (e: Error) => void };

export class DetectorClient {
  private worker: Pick<Worker, 'postMessage' | 'terminate' | 'onmessage' | 'onerror'>;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private progressCb?: (loaded: number, total: number) => void;

  constructor(worker?: Pick<Worker, 'postMessage' | 'terminate' | 'onmessage' | 'onerror'>) {
    this.worker = worker ?? new Worker(new URL('./detector.worker.ts', import.meta.url), { type: 'module', name: 'detector' });
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => this.onMessage(e.data);
    this.worker.onerror = (e) => {
      const err = new AppError('worker', `the detector stopped: ${e.message || 'worker error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  private onMessage(m: WorkerResponse) {
    const p = this.pending.get(m.id);
    if (m.type === 'status') {
      if (m.state === 'progress') this.progressCb?.(m.loaded, m.total);
      if (m.state === 'ready' && p) {
        this.pending.delete(m.id);
        const { type: _t, id: _i, state: _s, ...info } = m;
        (p.resolve as (v: ReadyInfo) => void)(info);
      }
      return;
    }
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'error') p.reject(new AppError(m.code, m.message));
    else (p.resolve as (v: unknown) => void)(m);
  }

  private request<T>(msg: DistributiveOmit<WorkerRequest, 'id'>, transfer: Transferable[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: never) => void, reject });
      this.worker.postMessage({ ...msg, id } as WorkerRequest, transfer);
    });
  }

  init(opts: Omit<InitRequest, 'type' | 'id'> & { onProgress?: (loaded: number, total: number) => void }): Promise<ReadyInfo> {
    this.progressCb = opts.onProgress;
    const { onProgress: _, ...rest } = opts;
    return this.request<ReadyInfo>({ type: 'init', ...rest });
  }

  /** The bitmap is transferred to the worker and closed there. */
  detect(bitmap: ImageBitmap): Promise<DetectOutput> {
    return this.request<DetectOutput>({ type: 'detect', bitmap }, [bitmap]);
  }

  /** n normalised crops [n,3,size,size] -> logits [n,classes]. The buffer is transferred. */
  /** With `rule`, `crops` are RGB in [0, 1] and the worker normalises them by the rule (protocol.ts). */
  classify(crops: Float32Array, n: number, size: number, rule?: CropRule): Promise<ClassifyOutput> {
    return this.request<ClassifyOutput>({ type: 'classify', crops, n, size, ...(rule ? { rule } : {}) }, [crops.buffer]);
  }

  terminate() {
    this.worker.terminate();
    const err = new AppError('terminated', 'the detector was stopped');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
