/**
 * What a new release would sign for that no person has checked. The report preview says it in a
 * confirmation step before releasing, so that one Enter cannot sign a batch nobody reviewed (audit s49,
 * major 2): the report's body says the same, but under a bold "Released" header nobody reads it.
 */
import { doneApart, selectUncertainCounted } from './selectors';
import type { AppState } from './store';
export interface ReleaseCheckInput {
  /** The images the counts rest on (done, in the totals). */
  images: number;
  /** Of those, marked reviewed. */
  reviewed: number;
  /** Uncertain boxes U would still visit on those (selectUncertainCounted). */
  uncertain: number;
  /** Flagged images left out of the counts: the uncertain boxes named are those on the images in the counts, fewer
   * than the main window's figure, which counts the left-out images' too (U visits them). */
  leftOut?: number;
  /** The WBC differential, when the report has one (a classifier and WBCs in the counted fields): `basedOn`,
   * the verified cells inside the 100% that count towards the target (core differentialState), not every
   * verified cell (erythroblasts are per 100 WBC, outside it). */
  differential: { basedOn: number; target: number; reached: boolean; releasable: boolean } | null;
  /** How the technician is working (features/useInputMode): on a touch screen the way to the uncertain boxes is
   * the Next uncertain button, not the U key. */
  touch?: boolean;
}

/** One sentence per gap, in the order a reviewer would go back to them; none: release at once. */
export function releaseGaps({ images, reviewed, uncertain, leftOut = 0, differential: d, touch = false }: ReleaseCheckInput): string[] {
  const gaps: string[] = [];
  if (images > 0 && reviewed === 0) gaps.push(`No image was reviewed: the counts of ${images === 1 ? 'the image are' : images === 2 ? 'both images are' : `all ${images} images are`} the detector's, not checked by a person.`);
  if (uncertain > 0) gaps.push(`${uncertain} uncertain box${uncertain === 1 ? '' : 'es'}${leftOut ? ' on the images in the counts' : ''} ${uncertain === 1 ? 'is' : 'are'} not yet resolved (${touch ? 'Next uncertain visits them' : 'U visits them'}).`);
  if (d && !d.reached) {
    // the cells the target counts: 97 in the 100% and 3 erythroblasts verified read "rests on 100 verified cells,
    // below its target of 100"
    gaps.push(
      d.releasable
        ? `The WBC differential rests on ${d.basedOn} verified cell${d.basedOn === 1 ? '' : 's'}, below its target of ${d.target}.`
        : `The WBC differential is below its target: ${d.basedOn} of ${d.target} cells verified, so it prints as not released.`,
    );
  }
  return gaps;
}

/** The images the report's figures rest on, the ones of them reviewed, and the uncertain boxes left on them: a
 * flagged image left out of the counts, reviewed or not and however uncertain its boxes, changes no figure signed
 * (its uncertain boxes held a release back, and were named in its number, though the screen's figure, what U
 * visits, rightly keeps them). */
export function releaseCounts(s: AppState, lowConfidence?: number): Pick<ReleaseCheckInput, 'images' | 'reviewed' | 'uncertain' | 'leftOut'> {
  const { counted, leftOut } = doneApart(s);
  return { images: counted.length, reviewed: counted.filter((im) => im.reviewed).length, uncertain: selectUncertainCounted(s, lowConfidence), leftOut: leftOut.length };
}
