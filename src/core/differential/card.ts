import { ModelCardError } from '../detection/card';
import type { CropRule } from './crop';
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
    crop: { factor: num(c.factor, 'crop.factor'), size: num(c.size, 'crop.size'), pad: num(c.pad, 'crop.pad'), percentile: num(c.percentile, 'crop.percentile'), clip: num(c.clip, 'crop.clip') },
    lowConfidence: typeof j.low_confidence === 'number' ? j.low_confidence : 0.6,
  };
}
