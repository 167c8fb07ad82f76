import { AppError } from '../errors';
import { CLASS_NAMES, type CellClass, type PerClass } from './classes';
import { COUNT_RULES, type CountRule } from './postprocess';
import type { ScaleConfig } from './scale';

/** The parts of models/<name>.json that the app relies on. */
export interface PostprocessParams {
  scoreThresholds: PerClass<number>;
  nmsIou: number;
  crossClassNms: boolean;
  /** Which detections count (postprocess.ts applyCountRule). */
  countRule: CountRule;
}

export interface ModelCard {
  name: string;
  file: string;
  sha256: string;
  bytes: number;
  classes: { label: number; name: CellClass; color: string }[];
  nativeSize: { width: number; height: number };
  postprocess: PostprocessParams;
  /** null: an older card without magnification awareness (one pass at the plan scale). */
  scale: ScaleConfig | null;
}

/** A model card that cannot be used (code 'model-card'). */
export class ModelCardError extends AppError {
  constructor(detail: string) {
    super('model-card', detail);
  }
}

function num(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new ModelCardError(`model card: ${what} must be a number`);
  return x;
}

/** The card's JSON as models/train.py writes it; every field is checked before use. */
interface CardJson {
  name?: unknown;
  file?: unknown;
  sha256?: unknown;
  bytes?: unknown;
  classes?: unknown;
  input?: { native_size?: unknown[] };
  postprocess?: { score_thresholds?: Record<string, unknown>; nms_iou?: unknown; cross_class_nms?: unknown };
  count_rule?: { default?: unknown };
  scale?: Record<string, unknown>;
}

/** Validates the JSON card written by models/train.py and maps it to the app's names. */
export function parseModelCard(json: unknown): ModelCard {
  if (!json || typeof json !== 'object') throw new ModelCardError('model card: not an object');
  const j = json as CardJson;
  if (typeof j.file !== 'string' || typeof j.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(j.sha256)) {
    throw new ModelCardError('model card: file and sha256 are required');
  }
  const classes = j.classes;
  if (!Array.isArray(classes) || classes.length !== CLASS_NAMES.length) {
    throw new ModelCardError('model card: classes must list RBC, WBC and Platelets');
  }
  classes.forEach((c: { name?: unknown; label?: unknown } | null, i: number) => {
    if (c?.name !== CLASS_NAMES[i] || c?.label !== i + 1) {
      throw new ModelCardError(`model card: class ${i + 1} must be ${CLASS_NAMES[i]}`);
    }
  });
  const pp = j.postprocess ?? {};
  const thr = pp.score_thresholds ?? {};
  const native = j.input?.native_size;
  if (!Array.isArray(native) || native.length !== 2) throw new ModelCardError('model card: input.native_size [width, height] is required');
  const [w, h] = native;
  return {
    name: String(j.name ?? j.file),
    file: j.file,
    sha256: j.sha256,
    bytes: num(j.bytes, 'bytes'),
    classes: (classes as { label: number; name: CellClass; color?: unknown }[]).map((c) => ({ label: c.label, name: c.name, color: String(c.color ?? '#888') })),
    nativeSize: { width: num(w, 'native width'), height: num(h, 'native height') },
    postprocess: {
      scoreThresholds: {
        RBC: num(thr.RBC, 'RBC threshold'),
        WBC: num(thr.WBC, 'WBC threshold'),
        Platelets: num(thr.Platelets, 'Platelets threshold'),
      },
      nmsIou: num(pp.nms_iou, 'nms_iou'),
      crossClassNms: Boolean(pp.cross_class_nms),
      countRule: countRule(j.count_rule?.default),
    },
    scale: j.scale ? parseScale(j.scale) : null,
  };
}

/** The card's default count rule: any rule the app offers; absent means 'all'. */
function countRule(x: unknown): CountRule {
  if (x === undefined || x === null) return 'all';
  if (typeof x === 'string' && Object.hasOwn(COUNT_RULES, x)) return x as CountRule;
  throw new ModelCardError(`model card: count_rule.default must be one of ${Object.keys(COUNT_RULES).join(', ')}`);
}

function parseScale(s: Record<string, unknown>): ScaleConfig {
  const cfg: ScaleConfig = {
    referenceRbcPx: num(s.reference_rbc_px, 'scale.reference_rbc_px'),
    tolerance: num(s.tolerance, 'scale.tolerance'),
    estimateMinScore: num(s.estimate_min_score, 'scale.estimate_min_score'),
    estimateMinCells: num(s.estimate_min_cells, 'scale.estimate_min_cells'),
    maxPixels: num(s.max_pixels, 'scale.max_pixels'),
    minScale: num(s.min_scale, 'scale.min_scale'),
    maxScale: num(s.max_scale, 'scale.max_scale'),
  };
  const shift = s.enlarged_logit_shift;
  if (shift !== undefined && shift !== null) {
    if (typeof shift !== 'object') throw new ModelCardError('model card: scale.enlarged_logit_shift must map classes to numbers');
    const out: Partial<Record<CellClass, number>> = {};
    for (const [c, v] of Object.entries(shift as Record<string, unknown>)) {
      if (!(CLASS_NAMES as readonly string[]).includes(c)) throw new ModelCardError(`model card: scale.enlarged_logit_shift names an unknown class ${c}`);
      out[c as CellClass] = num(v, `scale.enlarged_logit_shift.${c}`);
    }
    cfg.enlargedLogitShift = out;
  }
  if (!(cfg.referenceRbcPx > 0 && cfg.tolerance >= 1 && cfg.maxPixels > 0 && cfg.minScale > 0 && cfg.maxScale >= cfg.minScale)) {
    throw new ModelCardError('model card: scale settings out of range');
  }
  return cfg;
}

/** Class name -> display colour, from the card (the canvas, the legend, the counts and the PNG export). */
export function classColors(card: Pick<ModelCard, 'classes'>): Record<CellClass, string> {
  return Object.fromEntries(card.classes.map((c) => [c.name, c.color])) as Record<CellClass, string>;
}
