/** Written by scripts/calibrateFlags.ts --write (re-run it when the detector changes). Chosen on four fifths of the training folders' images; the fifth held out by group is what its false-flag figures are measured on. */
import type { QualityCalibration } from './flags';
import type { WbcRuleParams } from './wbcRule';

export const CALIBRATION: QualityCalibration = {
  "source": "scripts/calibrateFlags.ts on 943 images of the training folders (txl-pbc bccd/bcd/pbc, cbc/Training; a fifth held out by group), 2026-12-07",
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
        "mean": [0.072881, 0.046883, 0.229892, 0.279199],
        "invCov": [
          [811.079698, -73.997657, -155.118122, -46.419667],
          [-73.997657, 795.668806, 79.234021, -179.492653],
          [-155.118122, 79.234021, 213.610911, -117.808269],
          [-46.419667, -179.492653, -117.808269, 165.370529]
        ]
      },
      {
        "name": "pbc",
        "mean": [0.156212, -0.029428, 0.312409, 0.281267],
        "invCov": [
          [812.34854, 46.433597, -141.009093, 16.833698],
          [46.433597, 670.903295, 53.025274, -181.166089],
          [-141.009093, 53.025274, 456.24414, -147.565895],
          [16.833698, -181.166089, -147.565895, 200.700117]
        ]
      }
    ],
    "maxDistance": 4.67,
    "minStainChroma": 0.061
  },
  "focus": {
    "minSharpness": 0.349,
    "minEdges": 0.182
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
    "maxRbcAligned": 0.56
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
