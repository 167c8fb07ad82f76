/**
 * The detector's WASM thread count, chosen by measurement on this machine. ORT-web fixes its thread count
 * when its runtime starts (one global pool, env.wasm.numThreads, read at the first session), so a setting
 * can only be tried for a whole visit: each visit runs one candidate, a finished batch records its wall time
 * per image (what the user waits for: the page's work on the same cores included, which inference time
 * alone would leave out), and once both candidates have a figure the faster one is used, with the other
 * tried again now and then (every EXPLORE_EVERY-th batch) so that a figure taken on a busy day does not
 * stick. Pure: the page keeps the record in localStorage.
 */

export interface ThreadRecord {
  /** threads -> mean wall ms per image of the recorded batches (exponentially weighted) and their count */
  stats: Record<string, { msPerImage: number; batches: number }>;
  /** batches recorded in all, to schedule a retry of the slower setting */
  batches: number;
}

export const EMPTY_RECORD: ThreadRecord = { stats: {}, batches: 0 };
/** A batch shorter than this says too little about throughput to be recorded. */
export const MIN_IMAGES = 5;
const EXPLORE_EVERY = 8;
const WEIGHT = 0.5;

/** The settings worth comparing: the default (one core left to the page: cores - 1, at most 4) and one
 * other (1 where the default is more, else 2). One core or no cross-origin isolation: 1 only. */
export function candidates(cores: number, isolated: boolean): number[] {
  if (!isolated || cores < 2) return [1];
  const def = Math.max(1, Math.min(4, cores - 1));
  return [def, def > 1 ? 1 : 2];
}

export function chooseThreads(record: ThreadRecord, cores: number, isolated: boolean): number {
  const c = candidates(cores, isolated);
  const untried = c.find((t) => !record.stats[t]);
  if (untried !== undefined) return untried;
  const [fast, slow] = [...c].sort((a, b) => record.stats[a].msPerImage - record.stats[b].msPerImage);
  return slow !== undefined && record.batches % EXPLORE_EVERY === EXPLORE_EVERY - 1 ? slow : fast;
}

export function recordBatch(record: ThreadRecord, threads: number, images: number, ms: number): ThreadRecord {
  if (images < MIN_IMAGES || !(ms > 0)) return record;
  const per = ms / images;
  const old = record.stats[threads];
  const msPerImage = old ? (1 - WEIGHT) * old.msPerImage + WEIGHT * per : per;
  return { stats: { ...record.stats, [threads]: { msPerImage, batches: (old?.batches ?? 0) + 1 } }, batches: record.batches + 1 };
}

export function parseRecord(text: string | null): ThreadRecord {
  try {
    const r = JSON.parse(text ?? '') as ThreadRecord;
    if (r && typeof r.batches === 'number' && r.stats && typeof r.stats === 'object') return r;
  } catch {
    /* none yet, or damaged: start again */
  }
  return EMPTY_RECORD;
}
