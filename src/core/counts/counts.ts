import { perClass, type CellClass, type PerClass } from '../detection/classes';
import { fieldDispersion, smearEstimate, type SmearEstimate } from './estimate';
import { fixed } from '../formats/numbers';

export type Counts = PerClass<number>;

export const zeroCounts = (): Counts => perClass(() => 0);

export function countCells(dets: readonly { cls: CellClass }[]): Counts {
  const c = zeroCounts();
  for (const d of dets) c[d.cls]++;
  return c;
}

/** WBC-class boxes typed NRBC (erythroblast, by the classifier or by hand), not set aside as smudge or other: nucleated
 * red cells, which the detector finds as white cells but which are not leukocytes. */
export function nrbcBoxes(dets: readonly { cls: CellClass; wbc?: { type: string; category?: string } }[]): number {
  let n = 0;
  for (const d of dets) if (d.cls === 'WBC' && d.wbc?.type === 'erythroblast' && !d.wbc.category) n++;
  return n;
}

/**
 * A field's counts as the report gives them: WBC without its NRBC-typed boxes (a lab's WBC count is of leukocytes:
 * an analyser's is corrected for NRBC, core/differential wbcBasis), and those apart. Before, the report's WBC row
 * counted them as white cells, and printed no NRBC count.
 */
export function leukocyteCounts(dets: readonly { cls: CellClass; wbc?: { type: string; category?: string } }[]): { counts: Counts; nrbc: number } {
  const counts = countCells(dets);
  const nrbc = nrbcBoxes(dets);
  return { counts: { ...counts, WBC: counts.WBC - nrbc }, nrbc };
}

export function addCounts(a: Counts, b: Counts): Counts {
  return perClass((k) => a[k] + b[k]);
}

export interface BatchSummary {
  images: number;
  totals: Counts;
  meanPerImage: Counts;
  /** Variance over mean of the per-image counts (≥ 1; 1 below 3 images): how much more than chance the fields differ */
  dispersion: Counts;
  /** WBC per RBC and Platelets per RBC over the batch; null when no RBC was counted. */
  wbcPerRbc: number | null;
  plateletsPerRbc: number | null;
}

export function summarize(perImage: readonly Counts[]): BatchSummary {
  const totals = perImage.reduce(addCounts, zeroCounts());
  const n = perImage.length;
  return {
    images: n,
    totals,
    meanPerImage: perClass((k) => (n ? totals[k] / n : 0)),
    dispersion: perClass((k) => fieldDispersion(perImage.map((c) => c[k]))),
    wbcPerRbc: totals.RBC ? totals.WBC / totals.RBC : null,
    plateletsPerRbc: totals.RBC ? totals.Platelets / totals.RBC : null,
  };
}

/** The batch's smear estimate of one class at a factor (per µL per cell per field), with its sampling interval;
 * a minimum for platelets where `clumped` fields hold platelet clumps (core/quality/clumps). `locale`: as the
 * screen or the report shows its figures (smearEstimate). */
export function batchEstimate(summary: BatchSummary, k: CellClass, factorPerUL: number, clumped = 0, locale?: string): SmearEstimate {
  const minimum = k === 'Platelets' && clumped > 0 ? `a minimum: platelet clumps in ${clumped} field${clumped === 1 ? '' : 's'}` : undefined;
  const e = smearEstimate(summary.meanPerImage[k], factorPerUL, { total: summary.totals[k], fields: summary.images, dispersion: summary.dispersion[k], minimum }, locale);
  return k === 'Platelets' && e.perL9 < LOW_PLATELETS ? { ...e, caution: PLATELET_CLUMP_CHECK } : e;
}

/** ×10⁹/L: the lower reference limit of the platelet count in adults. */
export const LOW_PLATELETS = 150;
/** Below it, what a laboratory checks before it reports thrombocytopenia from a smear. The app sees few
 * platelets inside a clump (15-17% of those in synthetic clumps, core/quality/clumps.ts), so a clump it
 * does not flag still lowers the count. */
export const PLATELET_CLUMP_CHECK =
  'Below 150 ×10⁹/L: before reporting a low platelet count, scan the smear (its feathered edge first) for platelet clumps by eye. Clumping in EDTA makes the count falsely low, and the app finds few of the platelets inside a clump.';

/** "1 : 250" style ratio text for the counts panel ("one WBC per n RBC"); "none" where no such cell was
 * counted among the RBCs (one per n has no n then). */
export function formatRatio(r: number | null, locale?: string): string {
  if (r === null) return '–';
  if (r === 0) return 'none';
  return `1 : ${fixed(1 / r, 1, locale)}`;
}

/** A mean count per field as the report, the panel and the JSON print it: to 0.1, but a mean that is not zero
 * never as "0.0" (1 NRBC in 30 fields read "0.0 per field", as if none had been seen): under 0.05 it takes the
 * decimals its first significant digit needs ("0.03"), and under 0.001 reads "< 0.001". `locale` as `fixed`. */
export function perFieldText(x: number, locale?: string): string {
  if (!(x > 0) || Number(x.toFixed(1)) > 0) return fixed(x, 1, locale);
  for (const d of [2, 3]) if (Number(x.toFixed(d)) > 0) return fixed(x, d, locale);
  return `< ${fixed(0.001, 3, locale)}`;
}


/** An image's counts as a sentence a screen reader speaks ("26 RBC, 1 WBC, 1 platelet"): RBC and WBC are
 * abbreviations read the same for one or many; platelets are a word, singular for one. */
export function countsSentence(c: Counts): string {
  return `${c.RBC} RBC, ${c.WBC} WBC, ${c.Platelets} ${c.Platelets === 1 ? 'platelet' : 'platelets'}`;
}
