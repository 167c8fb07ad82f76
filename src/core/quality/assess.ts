/**
 * One image's quality assessment, the same in the app (services/runner) and `npm run eval`: the WBC
 * rule on the raw detections, then the flags from the pixels and the detections at the card's
 * thresholds (count rule `all`, so the flags do not move with the user's count rule).
 */
import type { ModelCard } from '../detection/card';
import type { Detection } from '../detection/detection';
import { postprocess } from '../detection/postprocess';
import type { ScaleInfo } from '../detection/scale';
import { CALIBRATION, WBC_RULE } from './calibration';
import { detectionStats, overExposedField, qualityFlags, underExposed, type DetectionStats, type FlagCode, type QualityCalibration } from './flags';
import { fieldShare, findCircularField, findTinyField, inCircle, type Circle } from './field';
import { pixelStats, type PixelStats, type SmallImage } from './pixels';
import { applyWbcRule, type WbcRuleParams } from './wbcRule';
import { DEBRIS_RULE, debrisEvidence, debrisRuleId, type DebrisParams } from './debris';

export interface Quality {
  flags: FlagCode[];
  pixels: PixelStats;
  detections: DetectionStats;
  /** Platelet detections (raw ids) that are grey where the field's cells are stained: debris or dust, not
   * cells (core/quality/debris). Left out of the counts like specks on the optics; absent when none. */
  debris?: string[];
  /** The debris rule the verdict above was made under (debrisRuleId), kept with it: a batch restored after
   * the rule changed still carries the old verdict, which `debrisStale` tells and `rejudgeDebris` redoes.
   * Absent: a verdict from before the rule was named, as stale as any. */
  debrisRule?: string;
}

type Card = Pick<ModelCard, 'postprocess' | 'scale'>;
type DebrisOpts = { calibration?: QualityCalibration; debris?: DebrisParams | null };

/** The debris verdict on the WBC rule's detections (`ruled`), and the detection statistics and flags that
 * rest on it (the grey specks are no platelets there either): what assessImage and rejudgeDebris share. */
function judgeDebris(small: SmallImage, ruled: Detection[], pixels: PixelStats, size: { width: number; height: number }, scale: ScaleInfo | undefined, card: Card, opts: DebrisOpts): Quality {
  const shown = postprocess(ruled, { ...card.postprocess, countRule: 'all' });
  const calibration = opts.calibration ?? CALIBRATION;
  const debrisRule = opts.debris === undefined ? DEBRIS_RULE : opts.debris;
  // In a field too dark to count a speck's colour is 8-bit rounding (a few grey levels a channel), and in one
  // washed out to white it is clipped, as the exposure flags say: "grey" there is no evidence of dust, and a
  // platelet the technician counts anyway (Count it anyway) is not taken away as an unstained speck.
  const debris = debrisRule && !underExposed(pixels, calibration) && !overExposedField(pixels, calibration) ? debrisEvidence(small, ruled, shown, debrisRule).debris : [];
  const post = debris.length ? shown.filter((d) => !debris.includes(d.id)) : shown;
  const detections = detectionStats(post, size.width, size.height, scale, card.scale);
  const quality: Quality = { flags: qualityFlags({ pixels, detections }, calibration), pixels, detections };
  if (debris.length) quality.debris = debris;
  quality.debrisRule = debrisRuleId(debrisRule);
  return quality;
}

/** Whether an image's debris verdict was made under another rule than the one in force (`rule`). */
export function debrisStale(q: Quality | undefined, rule: DebrisParams | null = DEBRIS_RULE): boolean {
  return !!q && q.debrisRule !== debrisRuleId(rule);
}

/**
 * The debris verdict redone under the rule in force, for an image counted under another (a batch restored
 * after an update): the same judgement as assessImage on the stored detections (`raw` is already the WBC
 * rule's, in the eyepiece field) and the image's stored pixel statistics, so only the small copy of the
 * pixels is read again. The flags that rest on the platelet count are redone with it.
 */
export function rejudgeDebris(small: SmallImage, raw: Detection[], quality: Quality, size: { width: number; height: number }, scale: ScaleInfo | undefined, card: Card, opts: DebrisOpts = {}): Quality {
  return judgeDebris(small, raw, quality.pixels, size, scale, card, opts);
}

/** The statistics of the field of view: on its own copy where it is small (SmallImage.field), with the frame's
 * JPEG blockiness and long side, and the share of the frame it covers. */
export function fieldStats(small: SmallImage, field: Circle | null): PixelStats {
  const own = small.field;
  const p = own ? { ...pixelStats(own, own.circle), blockiness: small.blockiness ?? null, longSide: Math.round(Math.max(small.width, small.height) / small.scale) } : pixelStats(small, field);
  return field ? { ...p, fieldShare: fieldShare(field, small.width, small.height) } : p;
}

export function assessImage(
  small: SmallImage,
  raw: Detection[],
  size: { width: number; height: number },
  scale: ScaleInfo | undefined,
  card: Pick<ModelCard, 'postprocess' | 'scale'>,
  opts: { calibration?: QualityCalibration; wbcRule?: WbcRuleParams | null; debris?: DebrisParams | null } = {},
): { raw: Detection[]; quality: Quality } {
  const rule = opts.wbcRule === undefined ? WBC_RULE : opts.wbcRule;
  // An eyepiece photo: only the circular field is smear. Detections centred in the black ring are not
  // cells, and the ring is no evidence about the smear (see field.ts).
  const field = findCircularField(small);
  const inField = field
    ? raw.filter((d) => inCircle(field, ((d.box.x1 + d.box.x2) / 2) * small.scale, ((d.box.y1 + d.box.y2) / 2) * small.scale))
    : raw;
  const ruled = rule ? applyWbcRule(inField, small, rule) : inField;
  // a field of view too small to count: the frame's statistics, with the share that says so (flags.ts fieldTooSmall)
  const tiny = field ? null : findTinyField(small);
  const pixels = tiny === null ? fieldStats(small, field) : { ...pixelStats(small), fieldShare: tiny };
  const quality = judgeDebris(small, ruled, pixels, size, scale, card, opts);
  return { raw: ruled, quality };
}
