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
import { detectionStats, qualityFlags, type DetectionStats, type FlagCode, type QualityCalibration } from './flags';
import { pixelStats, type PixelStats, type SmallImage } from './pixels';
import { applyWbcRule, type WbcRuleParams } from './wbcRule';

export interface Quality {
  flags: FlagCode[];
  pixels: PixelStats;
  detections: DetectionStats;
}

export function assessImage(
  small: SmallImage,
  raw: Detection[],
  size: { width: number; height: number },
  scale: ScaleInfo | undefined,
  card: Pick<ModelCard, 'postprocess' | 'scale'>,
  opts: { calibration?: QualityCalibration; wbcRule?: WbcRuleParams | null } = {},
): { raw: Detection[]; quality: Quality } {
  const rule = opts.wbcRule === undefined ? WBC_RULE : opts.wbcRule;
  const ruled = rule ? applyWbcRule(raw, small, rule) : raw;
  const post = postprocess(ruled, { ...card.postprocess, countRule: 'all' });
  const pixels = pixelStats(small);
  const detections = detectionStats(post, size.width, size.height, scale, card.scale);
  return { raw: ruled, quality: { flags: qualityFlags({ pixels, detections }, opts.calibration ?? CALIBRATION), pixels, detections } };
}
