import { describe, expect, it } from 'vitest';
import { releaseGaps } from './releaseCheck';

const diff = (verified: number, releasable = false) => ({ verified, target: 100, reached: verified >= 100, releasable });

describe('releaseGaps: what a release would sign unchecked', () => {
  it('nothing reviewed, uncertain boxes left and the differential short: three sentences, in that order', () => {
    expect(releaseGaps({ images: 2, reviewed: 0, uncertain: 5, differential: diff(0) })).toEqual([
      "No image was reviewed: the counts of both images are the detector's, not checked by a person.",
      '5 uncertain boxes are not yet resolved (U visits them).',
      'The WBC differential is below its target: 0 of 100 cells verified, so it prints as not released.',
    ]);
    expect(releaseGaps({ images: 3, reviewed: 0, uncertain: 0, differential: null })).toEqual(["No image was reviewed: the counts of all 3 images are the detector's, not checked by a person."]);
    expect(releaseGaps({ images: 1, reviewed: 0, uncertain: 1, differential: null })).toEqual([
      "No image was reviewed: the counts of the image are the detector's, not checked by a person.",
      '1 uncertain box is not yet resolved (U visits them).',
    ]);
  });

  it('a reviewed batch with its differential at the target has no gap; every WBC verified short of it is said', () => {
    expect(releaseGaps({ images: 3, reviewed: 1, uncertain: 0, differential: diff(100) })).toEqual([]);
    expect(releaseGaps({ images: 3, reviewed: 3, uncertain: 0, differential: null })).toEqual([]);
    expect(releaseGaps({ images: 3, reviewed: 3, uncertain: 0, differential: diff(4, true) })).toEqual(['The WBC differential rests on 4 verified cells, below its target of 100.']);
  });
});
