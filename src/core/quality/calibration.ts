/** Written by scripts/calibrateFlags.ts --write (re-run it when the detector changes). Chosen on validation images only. */
import type { QualityCalibration } from './flags';
import type { WbcRuleParams } from './wbcRule';

export const CALIBRATION: QualityCalibration = {
  "source": "scripts/calibrateFlags.ts on 1159 validation images (txl-pbc bccd/bcd/pbc, cbc/Training), 2026-11-30",
  "colour": {
    "models": [
      {
        "name": "bccd",
        "mean": [0.057737, 0.030076, 0.177082, 0.179879],
        "invCov": [
          [892.177102, -29.897157, -99.04784, -26.018371],
          [-29.897157, 922.80878, -23.122221, -163.046587],
          [-99.04784, -23.122221, 768.118107, -68.300458],
          [-26.018371, -163.046587, -68.300458, 222.886065]
        ]
      },
      {
        "name": "bcd",
        "mean": [0.07016, 0.046401, 0.218547, 0.279065],
        "invCov": [
          [814.895202, -77.716029, -135.904704, -47.469746],
          [-77.716029, 816.858232, 56.86365, -157.137719],
          [-135.904704, 56.86365, 197.864, -86.82885],
          [-47.469746, -157.137719, -86.82885, 128.345752]
        ]
      },
      {
        "name": "pbc",
        "mean": [0.158278, -0.030541, 0.318289, 0.28746],
        "invCov": [
          [849.882176, 0.462544, -134.359172, 3.863281],
          [0.462544, 708.382642, 32.779666, -157.186136],
          [-134.359172, 32.779666, 461.51501, -168.560258],
          [3.863281, -157.186136, -168.560258, 178.591708]
        ]
      }
    ],
    "maxDistance": 4.66,
    "minStainChroma": 0.065
  },
  "focus": {
    "minSharpness": 0.057
  },
  "smear": {
    "minRbc": 4,
    "minRbcScore": 0.54,
    "minRbcSizeCv": 0.008,
    "minStainChroma": 0.029
  },
  "scale": {
    "min": 0.5,
    "max": 2
  }
};

export const WBC_RULE: WbcRuleParams = {
  "rbcMinScore": 0.5,
  "minRbcs": 3,
  "minRbcPx": 12,
  "refQuantile": 0.05,
  "maxSizeRatio": 1.52,
  "minNucleusFraction": 0.1
};
