/**
 * onnxruntime-node on the exact tensors the browser bench feeds the app's worker, with the same
 * thread counts, and ORT's per-op profile (shared with the browser side: same event format).
 */
import * as ort from 'onnxruntime-node';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpRow {
  op: string;
  /** summed kernel time per inference, ms */
  ms: number;
  /** kernels of that type in the graph (executed per inference) */
  count: number;
}

export interface ProfileEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string; provider?: string };
}

/** ORT profile events (Chrome trace format, microseconds) -> per-op-type ms per inference. */
export function opTable(all: ProfileEvent[], warmups = 0): { rows: OpRow[]; kernelMs: number; runMs: number; runs: number } {
  // The warm-up runs are in the profile too: keep what follows the last of them.
  const runEvents = all.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const cut = warmups > 0 && runEvents.length > warmups ? runEvents[warmups - 1].ts! + runEvents[warmups - 1].dur! : -Infinity;
  const events = all.filter((e) => (e.ts ?? 0) > cut);
  const runs = Math.max(1, runEvents.length - warmups);
  const by = new Map<string, { us: number; n: number }>();
  let runUs = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') runUs += e.dur ?? 0;
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const r = by.get(e.args.op_name) ?? { us: 0, n: 0 };
    r.us += e.dur ?? 0;
    r.n += 1;
    by.set(e.args.op_name, r);
  }
  const rows = [...by].map(([op, r]) => ({ op, ms: r.us / 1000 / runs, count: Math.round(r.n / runs) })).sort((a, b) => b.ms - a.ms);
  return { rows, kernelMs: rows.reduce((a, r) => a + r.ms, 0), runMs: runUs / 1000 / runs, runs };
}

export type Input = { data: Float32Array; width: number; height: number };

/** One onnxruntime-node session over the bench's tensors, kept open so that runs can be interleaved. */
export class NativeSession {
  private dir?: string;
  private constructor(
    private session: ort.InferenceSession,
    private inputs: Input[],
    readonly createMs: number,
  ) {}

  static async open(model: string, inputs: Input[], threads: number, opts: { profile?: boolean } = {}): Promise<NativeSession> {
    const dir = opts.profile ? mkdtempSync(join(tmpdir(), 'ortprof-')) : undefined;
    const t0 = performance.now();
    const session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      ...(dir ? { enableProfiling: true, profileFilePrefix: join(dir, 'p') } : {}),
    });
    const s = new NativeSession(session, inputs, performance.now() - t0);
    s.dir = dir;
    // Two warm-up runs, as the app does.
    await s.run(0);
    await s.run(0);
    return s;
  }

  async run(k: number): Promise<number> {
    const i = this.inputs[k];
    const t = performance.now();
    await this.session.run({ image: new ort.Tensor('float32', i.data, [3, i.height, i.width]) });
    return performance.now() - t;
  }

  /** Releases the session; a profiled one returns ORT's events. */
  async close(): Promise<ProfileEvent[]> {
    let events: ProfileEvent[] = [];
    if (this.dir) {
      this.session.endProfiling();
      const f = readdirSync(this.dir).find((x) => x.endsWith('.json'));
      if (f) events = JSON.parse(readFileSync(join(this.dir, f), 'utf8'));
      rmSync(this.dir, { recursive: true, force: true });
    }
    await this.session.release();
    return events;
  }
}
