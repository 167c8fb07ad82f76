import { describe, expect, it } from 'vitest';
import type { EvalResult } from './evaluate';
import { formatReport } from './report';

const result = (fixed: number | null): EvalResult => ({
  images: 1,
  annotated: 0,
  unreadable: [],
  unknownLabels: {},
  postprocess: { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.3, crossClassNms: false, countRule: 'all' },
  scale: { secondPass: 0, estimated: 0, medianEstimate: null, fixed },
  inferenceMs: { mean: 1, p50: 1, p95: 1 },
  flags: { flagged: 0, excluded: 0, byCode: {} as EvalResult['flags']['byCode'], wbcRule: true, optics: { rule: true, leftOut: 0 }, debris: { rule: true, leftOut: 0 } },
  summary: { all: { images: 1, totals: { RBC: 0, WBC: 0, Platelets: 0 } }, unflagged: { images: 1, totals: { RBC: 0, WBC: 0, Platelets: 0 } } },
  perImage: [],
});

describe('formatReport', () => {
  it('says what a fixed scale does: --fixed-scale 2 enlarges the images 2x because the cells look half size', () => {
    const line = formatReport(result(2)).split('\n').find((l) => l.startsWith('scale:'));
    expect(line).toContain('images enlarged 2x');
    expect(line).toContain("cells at 0.50x the model's reference size");
  });
});
