import { describe, expect, it } from 'vitest';
import { averagePrecision, countErrors, evaluateDetections, matchImage, precisionRecall, type EvalImage } from './ap';

const b = (x: number, y = 0, s = 10) => ({ x1: x, y1: y, x2: x + s, y2: y + s });

describe('VOC all-point AP', () => {
  it('is 1 for perfect detections', () => {
    const images: EvalImage[] = [{ gt: [{ cls: 'RBC', box: b(0) }], dets: [{ cls: 'RBC', box: b(0), score: 0.9 }] }];
    expect(averagePrecision(images, 'RBC')).toBe(1);
    expect(evaluateDetections(images).ap5095.RBC).toBe(1);
  });
  it('matches a hand-computed curve', () => {
    // 2 GT. Ranked: TP (0.9), FP (0.8), TP (0.7). Precision envelope: 1 @ r=.5, 2/3 @ r=1.
    const images: EvalImage[] = [
      {
        gt: [{ cls: 'RBC', box: b(0) }, { cls: 'RBC', box: b(100) }],
        dets: [
          { cls: 'RBC', box: b(0), score: 0.9 },
          { cls: 'RBC', box: b(50), score: 0.8 },
          { cls: 'RBC', box: b(100), score: 0.7 },
        ],
      },
    ];
    expect(averagePrecision(images, 'RBC')).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 10);
  });
  it('counts a duplicate detection of one cell as a false positive', () => {
    const images: EvalImage[] = [
      { gt: [{ cls: 'WBC', box: b(0) }], dets: [{ cls: 'WBC', box: b(0), score: 0.9 }, { cls: 'WBC', box: b(1), score: 0.8 }] },
    ];
    expect(averagePrecision(images, 'WBC')).toBe(1);
    const pr = precisionRecall(images);
    expect(pr.WBC).toEqual({ precision: 0.5, recall: 1 });
  });
  it('ignores other classes and is NaN without ground truth', () => {
    const images: EvalImage[] = [{ gt: [{ cls: 'RBC', box: b(0) }], dets: [{ cls: 'WBC', box: b(0), score: 0.9 }] }];
    expect(averagePrecision(images, 'RBC')).toBe(0);
    expect(averagePrecision(images, 'Platelets')).toBeNaN();
  });
  it('averages over IoU 0.5:0.95 for the COCO figure', () => {
    // IoU of det and gt = 100/120 = 0.833 -> TP at 0.50 ... 0.80 (7 of 10 thresholds).
    const images: EvalImage[] = [{ gt: [{ cls: 'RBC', box: { x1: 0, y1: 0, x2: 10, y2: 10 } }], dets: [{ cls: 'RBC', box: { x1: 0, y1: 0, x2: 12, y2: 10 }, score: 0.9 }] }];
    const m = evaluateDetections(images);
    expect(m.ap50.RBC).toBe(1);
    expect(m.ap5095.RBC).toBeCloseTo(0.7, 10);
  });
});

describe('count errors and per-image matching', () => {
  it('computes count accuracy and MAE', () => {
    const images: EvalImage[] = [
      { gt: [{ cls: 'RBC', box: b(0) }, { cls: 'RBC', box: b(20) }], dets: [{ cls: 'RBC', box: b(0), score: 1 }] },
      { gt: [{ cls: 'RBC', box: b(0) }, { cls: 'RBC', box: b(20) }], dets: [{ cls: 'RBC', box: b(0), score: 1 }, { cls: 'RBC', box: b(40), score: 1 }, { cls: 'RBC', box: b(60), score: 1 }] },
    ];
    const e = countErrors(images);
    expect(e.RBC.accuracy).toBe(1 - 2 / 4);
    expect(e.RBC.mae).toBe(1);
    expect(e.RBC.predicted).toBe(4);
  });
  it('labels TP, FP and misses in one image', () => {
    const r = matchImage(
      [{ cls: 'RBC', box: b(0) }, { cls: 'RBC', box: b(100) }],
      [{ cls: 'RBC', box: b(0), score: 0.5 }, { cls: 'RBC', box: b(200), score: 0.9 }],
    );
    expect(r.detOutcome).toEqual(['tp', 'fp']);
    expect(r.gtMatched).toEqual([true, false]);
  });
});
