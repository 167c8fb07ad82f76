/** Written by scripts/calibrateFlags.ts --write (re-run it when the detector changes). Chosen on four fifths of the training folders' images; the fifth held out by group is what its false-flag figures are measured on. */
import type { QualityCalibration } from './flags';
import type { WbcRuleParams } from './wbcRule';

export const CALIBRATION: QualityCalibration = {
  "source": "scripts/calibrateFlags.ts on 943 images of the training folders (txl-pbc bccd/bcd/pbc, cbc/Training; a fifth held out by group), 2026-12-06",
  "colour": {
    "models": [
      {
        "name": "bccd",
        "mean": [0.057683, 0.029925, 0.176471, 0.177878],
        "invCov": [
          [891.546034, -32.105103, -111.254348, -23.82803],
          [-32.105103, 922.099803, -27.230901, -160.504143],
          [-111.254348, -27.230901, 761.510386, -56.516923],
          [-23.82803, -160.504143, -56.516923, 244.049264]
        ]
      },
      {
        "name": "bcd",
        "mean": [0.07278, 0.046877, 0.229514, 0.280721],
        "invCov": [
          [808.121679, -77.689415, -155.458926, -43.841764],
          [-77.689415, 790.887356, 79.914797, -175.199576],
          [-155.458926, 79.914797, 217.670517, -118.90682],
          [-43.841764, -175.199576, -118.90682, 161.560682]
        ]
      },
      {
        "name": "pbc",
        "mean": [0.156377, -0.029492, 0.312416, 0.281314],
        "invCov": [
          [807.730765, 43.261777, -144.054593, 16.897833],
          [43.261777, 673.53058, 55.136911, -182.004078],
          [-144.054593, 55.136911, 457.912186, -148.295076],
          [16.897833, -182.004078, -148.295076, 200.861109]
        ]
      }
    ],
    "maxDistance": 4.67,
    "minStainChroma": 0.061
  },
  "focus": {
    "minSharpness": 0.349
  },
  "noise": {
    "maxNoise": 4.97,
    "atBrightness": 92
  },
  "jpeg": {
    "maxBlockiness": 7.1
  },
  "monochrome": {
    "maxColourSpread": 2.54,
    "atBrightness": 92
  },
  "exposure": {
    "minBrightness": 26,
    "maxClipped": 0.608
  },
  "smear": {
    "minRbc": 4,
    "minRbcScore": 0.54,
    "minRbcSizeCv": 0.007,
    "minStainChroma": 0.029,
    "maxRbcAligned": 0.58
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
  "maxSizeRatio": 1.6,
  "minNucleusFraction": 0.1
};
