import { describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection/detection';
import type { WbcType } from '../core/differential/differential';
import { DEFAULT_RULES, differentialState } from '../core/differential/rules';
import { releaseCounts, releaseGaps } from './releaseCheck';
import { selectUncertainLeft } from './selectors';
import { createAppStore } from './store';

const diff = (basedOn: number, releasable = false) => ({ basedOn, target: 100, reached: basedOn >= 100, releasable });

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

  it('on a touch screen the uncertain boxes are visited with the Next uncertain button, not the U key', () => {
    expect(releaseGaps({ images: 1, reviewed: 1, uncertain: 2, differential: null, touch: true })).toEqual(['2 uncertain boxes are not yet resolved (Next uncertain visits them).']);
  });

  it('a reviewed batch with its differential at the target has no gap; every WBC verified short of it is said', () => {
    expect(releaseGaps({ images: 3, reviewed: 1, uncertain: 0, differential: diff(100) })).toEqual([]);
    expect(releaseGaps({ images: 3, reviewed: 3, uncertain: 0, differential: null })).toEqual([]);
    expect(releaseGaps({ images: 3, reviewed: 3, uncertain: 0, differential: diff(4, true) })).toEqual(['The WBC differential rests on 4 verified cells, below its target of 100.']);
  });
});

describe('releaseGaps on a differential with erythroblasts', () => {
  let k = 0;
  const cell = (type: WbcType, verified: boolean): Detection => ({
    id: `m${k++}`,
    cls: 'WBC',
    score: 0.9,
    box: { x1: 0, y1: 0, x2: 10, y2: 10 } as Detection['box'],
    origin: 'model',
    wbc: { type, p: 0.9, origin: 'model', verified },
  });

  it('counts the verified cells in the 100% against the target, not the erythroblasts beside them', () => {
    // 97 WBC and 3 NRBC verified, 5 WBC still to verify: 97 of the 100 the target asks for
    const dets = [...Array.from({ length: 97 }, () => cell('neutrophil', true)), ...Array.from({ length: 3 }, () => cell('erythroblast', true)), ...Array.from({ length: 5 }, () => cell('lymphocyte', false))];
    const st = differentialState(dets, DEFAULT_RULES, 0.6);
    expect(st.verified).toBe(100);
    expect(releaseGaps({ images: 1, reviewed: 1, uncertain: 0, differential: st })).toEqual(['The WBC differential is below its target: 97 of 100 cells verified, so it prints as not released.']);
    // every WBC verified short of the target: the report prints on 97 cells, and says so
    const all = differentialState(dets.map((d) => ({ ...d, wbc: { ...d.wbc!, verified: true } })).slice(0, 100), DEFAULT_RULES, 0.6);
    expect(releaseGaps({ images: 1, reviewed: 1, uncertain: 0, differential: all })).toEqual(['The WBC differential rests on 97 verified cells, below its target of 100.']);
  });
});

describe('releaseCounts: the check counts what the report signs', () => {
  const near = (id: string, cls: Detection['cls'], x: number): Detection => ({ id, cls, score: 0.55, box: { x1: x, y1: 100, x2: x + 40, y2: 140 } as Detection['box'], origin: 'model' });

  it('uncertain boxes on a flagged image left out of the counts hold no release back; the screen still counts them, and accepting the image counts them here too', () => {
    const store = createAppStore({ scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' });
    const st = store.getState();
    st.addImage({ id: 'a', name: 'a.jpg', bytes: 10 });
    st.updateImage('a', { status: 'done', width: 640, height: 480, raw: [near('m0', 'RBC', 100)] });
    // a grid, not a smear: left out of the counts, three boxes near their threshold
    st.addImage({ id: 'c', name: 'grid.png', bytes: 10 });
    st.updateImage('c', { status: 'done', width: 640, height: 480, raw: [near('m0', 'RBC', 100), near('m1', 'RBC', 200), near('m2', 'RBC', 300)], quality: { flags: ['not-smear'] } as never });
    st.setReviewed('a', true);
    // U visits the left-out image's boxes (the main window's "3 uncertain"); the report's figures rest on a.jpg alone,
    // reviewed: nothing unchecked (it said "3 uncertain boxes are not yet resolved" before)
    expect(selectUncertainLeft(store.getState())).toBe(3);
    expect(releaseCounts(store.getState())).toEqual({ images: 1, reviewed: 1, uncertain: 0, leftOut: 1 });
    expect(releaseGaps({ ...releaseCounts(store.getState()), differential: null })).toEqual([]);
    // accepted by the technician, the image is counted: its boxes are what the release would sign unchecked
    store.getState().acceptFlags('c', true);
    expect(releaseCounts(store.getState())).toEqual({ images: 2, reviewed: 1, uncertain: 3, leftOut: 0 });
    expect(releaseGaps({ ...releaseCounts(store.getState()), differential: null })).toEqual(['3 uncertain boxes are not yet resolved (U visits them).']);
    // with an image left out, the number is said to be of the images in the counts (the screen's is larger)
    expect(releaseGaps({ images: 2, reviewed: 1, uncertain: 1, leftOut: 1, differential: null })).toEqual(['1 uncertain box on the images in the counts is not yet resolved (U visits them).']);
  });
});
