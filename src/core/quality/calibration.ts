/** Placeholder until scripts/calibrateFlags.ts --write runs. */
import type { QualityCalibration } from './flags';
import type { WbcRuleParams } from './wbcRule';

export const CALIBRATION: QualityCalibration = {
  source: 'placeholder',
  colour: { models: [0, 1, 2].map((i) => ({ name: `m${i}`, mean: [0, 0, 0, 0], invCov: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] })), maxDistance: 2 },
  focus: { minSharpness: 0.1 },
  smear: { minRbc: 3, minRbcScore: 0.5, minRbcSizeCv: 0.02 },
  scale: { min: 0.5, max: 2 },
};

export const WBC_RULE: WbcRuleParams = { rbcMinScore: 0.5, minRbcs: 3, refQuantile: 0.05, maxSizeRatio: 1.3, minNucleusFraction: 0.05 };
