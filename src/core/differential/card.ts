import { ModelCardError } from '../detection/card';
import type { CropRule } from './crop';
import type { CropRestore } from './restore';
import { WBC_TYPES, type WbcType } from './differential';

/** The parts of models/smearcount-wbc.json the app relies on. */
export interface ClassifierCard {
  name: string;
  file: string;
  sha256: string;
  bytes: number;
  classes: { name: WbcType; code: string; color: string }[];
  crop: CropRule;
  /** A type whose probability is under this is flagged for review. */
  lowConfidence: number;
  /** The ONNX output with the pooled features (the last Gemm's input), when the card lists one under
   * "outputs": what on-device adaptation learns from. Its size comes from the card, never a constant. */
  embedding?: { name: string; dim: number } | null;
  /** The type logits' output name. */
  logits?: string;
}

/** "outputs" as a list [{name, shape}] or a map {name: {shape}}; the embedding is the [N, D] one named
 * like "embedding". */
function parseOutputs(x: unknown): { logits: string; embedding: { name: string; dim: number } | null } {
  const list: { name: string; shape?: unknown }[] = Array.isArray(x)
    ? x.filter((o): o is { name: string; shape?: unknown } => typeof o?.name === 'string')
    : x && typeof x === 'object'
      ? Object.entries(x as Record<string, { name?: string; shape?: unknown }>).map(([k, v]) => ({ name: typeof v?.name === 'string' ? v.name : k, shape: v?.shape }))
      : [];
  const logits = list.find((o) => /logit/i.test(o.name))?.name ?? 'logits';
  const e = list.find((o) => o !== undefined && /embed|feature/i.test(o.name));
  const dim = Array.isArray(e?.shape) ? Number(e.shape[e.shape.length - 1]) : NaN;
  if (e && !(Number.isInteger(dim) && dim > 0 && dim <= 4096)) throw new ModelCardError(`classifier card: output ${e.name} needs a shape [N, D]`);
  return { logits, embedding: e ? { name: e.name, dim } : null };
}

/** The card's `crop.restore` (src/core/differential/restore): null when absent. */
function parseRestore(x: unknown, num: (x: unknown, what: string) => number): CropRestore | null {
  if (x === undefined || x === null) return null;
  if (typeof x !== 'object') throw new ModelCardError('classifier card: crop.restore must be an object');
  const r = x as Record<string, unknown>;
  const out: CropRestore = {
    sigma: num(r.sigma, 'crop.restore.sigma'),
    presmooth: num(r.presmooth, 'crop.restore.presmooth'),
    top: num(r.top, 'crop.restore.top'),
    border: num(r.border, 'crop.restore.border'),
    alpha: num(r.alpha, 'crop.restore.alpha'),
    eps: num(r.eps, 'crop.restore.eps'),
    pad: num(r.pad, 'crop.restore.pad'),
  };
  if (!(out.sigma > 0 && out.presmooth >= 0 && out.top > 0 && out.top <= 1 && out.border >= 0 && out.alpha > 0 && out.eps >= 0 && out.pad >= 0)) {
    throw new ModelCardError('classifier card: crop.restore needs sigma, top, alpha > 0 (top at most 1) and presmooth, border, eps, pad >= 0');
  }
  if (!Number.isInteger(out.border) || !Number.isInteger(out.pad)) throw new ModelCardError('classifier card: crop.restore.border and pad are whole pixels');
  return out;
}

export function parseClassifierCard(json: unknown): ClassifierCard {
  const j = (json ?? {}) as Record<string, unknown> & { classes?: unknown; crop?: Record<string, unknown> };
  if (typeof j.file !== 'string' || typeof j.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(j.sha256)) {
    throw new ModelCardError('classifier card: file and sha256 are required');
  }
  const classes = j.classes as { name?: unknown; code?: unknown; color?: unknown }[] | undefined;
  if (!Array.isArray(classes) || classes.length !== WBC_TYPES.length || classes.some((c, i) => c?.name !== WBC_TYPES[i])) {
    throw new ModelCardError(`classifier card: classes must be ${WBC_TYPES.join(', ')}`);
  }
  const c = j.crop ?? {};
  const num = (x: unknown, what: string) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ModelCardError(`classifier card: ${what} must be a number`);
    return x;
  };
  return {
    name: String(j.name ?? j.file),
    file: j.file,
    sha256: j.sha256,
    bytes: num(j.bytes, 'bytes'),
    classes: classes.map((x, i) => ({ name: WBC_TYPES[i], code: String(x.code), color: String(x.color ?? '#888') })),
    crop: {
      factor: num(c.factor, 'crop.factor'),
      size: num(c.size, 'crop.size'),
      pad: c.pad === 'edge' ? 'edge' : num(c.pad, 'crop.pad'),
      percentile: num(c.percentile, 'crop.percentile'),
      clip: num(c.clip, 'crop.clip'),
      restore: parseRestore(c.restore, num),
    },
    lowConfidence: typeof j.low_confidence === 'number' ? j.low_confidence : 0.6,
    ...parseOutputs(j.outputs ?? (j.embedding ? [j.embedding, { name: 'logits' }] : undefined)),
  };
}
