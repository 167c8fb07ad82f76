/**
 * The differential's rules, after the practice in CLSI H20: a target of 100 or 200 cells, unverified and
 * unsure cells kept apart, the released percentages on verified cells only (up to the target; cells past
 * it kept apart), fewer than the target only with the technician's reason for flags, cells the classifier
 * cannot type (smudge, other) reported apart; reference intervals with their source, H/L flags and
 * absolute counts from the analyser's WBC count.
 */
import type { Detection } from '../detection/detection';
import { AppError } from '../errors';
import { binomialInterval } from './binomial';
import { differential, IN_DIFFERENTIAL, typeUnsure, type Differential, type WbcType } from './differential';
import { fixed, plain } from '../formats/numbers';

export type DiffTarget = 100 | 200;
/** What the panel's % column shows: verified cells (default), or every typed cell as a preliminary
 * view. The report releases on verified cells only, whatever this says. */
export type ReleaseBasis = 'verified' | 'all';

export interface DiffRules {
  target: DiffTarget;
  basis: ReleaseBasis;
}

export const DEFAULT_RULES: DiffRules = { target: 100, basis: 'verified' };

/** Stored rules, checked: anything unknown falls back to the default, field by field. */
export function parseRules(x: unknown): DiffRules {
  const j = (x ?? {}) as Partial<Record<keyof DiffRules, unknown>>;
  return {
    target: j.target === 100 || j.target === 200 ? j.target : DEFAULT_RULES.target,
    basis: j.basis === 'verified' || j.basis === 'all' ? j.basis : DEFAULT_RULES.basis,
  };
}

export interface DifferentialState {
  /** The released differential: verified cells only, the first `target` of them in batch order
   * (image, then cell); erythroblasts met before the target is reached count per 100 WBC. */
  released: Differential;
  /** Whether the report may print `released` with figures: the target is reached, or every WBC there is
   * has been typed and verified (fewer than the target then needs the technician's reason). */
  releasable: boolean;
  /** Every typed cell, verified or not: the panel's preliminary view when `basis` is 'all'; never released. */
  preliminary: Differential;
  /** The cells only the model has typed (not verified): what `modelLean` judges. */
  modelOnly: Differential;
  basis: ReleaseBasis;
  /** Cells the released differential rests on (verified, in the 100%, erythroblasts apart). */
  basedOn: number;
  target: DiffTarget;
  /** Typed cells not in a manual category. */
  typed: number;
  verified: number;
  unverified: number;
  /** Unverified model types under the card's confidence threshold. */
  unsure: number;
  smudge: number;
  other: number;
  /** WBCs still waiting for a type. */
  untyped: number;
  /** basedOn >= target */
  reached: boolean;
  /** Verified cells beyond the target: kept apart, not in the percentages. */
  over: number;
}

/**
 * Which of the cells (in batch order) are verified beyond the target: their positions in `dets`. The count
 * stops at the target, as at the microscope; later verified cells (erythroblasts included) are kept apart,
 * out of the percentages. One rule for the figures (differentialState's `over`) and the gallery's marks, so
 * the cells marked there are the ones the report leaves out.
 */
export function beyondTarget(dets: readonly Detection[], target: DiffTarget): Set<number> {
  const out = new Set<number>();
  let inDiff = 0;
  dets.forEach((d, i) => {
    const w = d.cls === 'WBC' ? d.wbc : undefined;
    if (!w || !w.verified || w.category) return;
    if (inDiff >= target) out.add(i);
    else if (w.type !== 'erythroblast') inDiff++;
  });
  return out;
}

/** The differential state of a set of shown detections (any number of images), in batch order. */
export function differentialState(input: Iterable<Detection>, rules: DiffRules, lowConfidence: number): DifferentialState {
  const dets = [...input];
  const beyond = beyondTarget(dets, rules.target);
  const counted: WbcType[] = [];
  const allTypes: WbcType[] = [];
  const modelTypes: WbcType[] = [];
  let verified = 0;
  let over = 0;
  let unsure = 0;
  let smudge = 0;
  let other = 0;
  let untyped = 0;
  for (const [i, d] of dets.entries()) {
    if (d.cls !== 'WBC') continue;
    const w = d.wbc;
    if (!w) {
      untyped++;
      continue;
    }
    if (w.category === 'smudge') smudge++;
    else if (w.category === 'other') other++;
    else {
      allTypes.push(w.type);
      if (w.verified) {
        verified++;
        if (beyond.has(i)) over++;
        else counted.push(w.type);
      } else {
        modelTypes.push(w.type);
        if (typeUnsure(w, lowConfidence)) unsure++;
      }
    }
  }
  const released = differential(counted);
  const unverified = allTypes.length - verified;
  const reached = released.total >= rules.target;
  return {
    released,
    releasable: released.total > 0 && (reached || (unverified === 0 && untyped === 0)),
    preliminary: differential(allTypes),
    modelOnly: differential(modelTypes),
    basis: rules.basis,
    basedOn: released.total,
    target: rules.target,
    typed: allTypes.length,
    verified,
    unverified,
    unsure,
    smudge,
    other,
    untyped,
    reached,
    over,
  };
}

/** Whether the report may print H/L flags: on the full target, or on fewer with the technician's reason. */
export function flagsAllowed(s: DifferentialState, shortReason: string): boolean {
  return s.releasable && (s.reached || shortReason.trim() !== '');
}

/** The progress line: how many verified cells the differential rests on, against the target. */
export function rulesProgressText(s: DifferentialState): string {
  // the target is what verification aims at, not the WBCs there are ("0 of 100 verified" read as 100 found)
  if (s.over > 0) return `${s.basedOn} WBC verified: target ${s.target} reached, ${s.over} beyond it (kept apart)`;
  if (s.reached) return `${s.basedOn} WBC verified: target ${s.target} reached`;
  return `${s.basedOn} WBC verified (target ${s.target})`;
}

/** The WBCs the released differential does not rest on, each kind once: typed by the model and not verified (the
 * unsure among them), waiting for a type, smudge and other. Empty when there is none. The panel said the typed
 * cells three times over ("5 WBC classified (target 100)", "3 WBC verified (target 100)", "3 verified · 2
 * unverified"): the verified cells and the target are rulesProgressText's, said once above this. */
export function apartText(s: DifferentialState): string {
  return [
    s.unverified ? `${s.unverified} typed, not verified${s.unsure ? ` (${s.unsure} unsure)` : ''}` : '',
    s.untyped ? `${s.untyped} waiting for a type` : '',
    s.smudge ? `${s.smudge} smudge` : '',
    s.other ? `${s.other} other` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** A type the model's own reading puts far outside any plausible differential. */
export interface Lean {
  type: WbcType;
  /** % of the 100% (erythroblasts: per 100 WBC) among the cells only the model typed */
  value: number;
  /** The reference interval it is judged against (absent: none is set, 0-0 assumed). */
  interval: Interval | null;
  cells: number;
}

/** Cells the model must have typed before its reading is judged. */
export const LEAN_MIN_CELLS = 20;

/**
 * On a microscope the classifier has not learnt, its types can lean to one class on every cell (a warm
 * camera read as eosinophils, a soft one as erythroblasts), each typed with confidence. No single cell
 * shows it; the batch does: a type at max(3 × its reference high, high + 20 points) or more, among at
 * least LEAN_MIN_CELLS model-typed cells, is far beyond a differential and worth a check (the largest
 * excess is returned). A real patient can be there too (an eosinophilia, a leukaemia): the technician
 * decides, by verifying cells in the gallery.
 */
export function modelLean(d: Differential, ref: ReferenceIntervals, minCells = LEAN_MIN_CELLS): Lean | null {
  if (d.classified < minCells || d.total === 0) return null;
  let best: (Lean & { excess: number }) | null = null;
  for (const t of [...IN_DIFFERENTIAL, 'erythroblast'] as const) {
    const value = t === 'erythroblast' ? d.nrbcPer100! : d.percent[t];
    const interval = ref.percent[t] ?? null;
    const high = interval?.high ?? 0;
    const excess = value - Math.max(3 * high, high + 20);
    if (excess >= 0 && (!best || excess > best.excess)) best = { type: t, value, interval, cells: d.counts[t], excess };
  }
  if (!best) return null;
  const { excess: _, ...lean } = best;
  return lean;
}

// -------------------------------------------------------------------------------------------------
// Reference intervals

export interface Interval {
  low: number;
  high: number;
}

export interface ReferenceIntervals {
  /** Where the figures come from (shown on the report). */
  source: string;
  /** % of the differential, per type (absent: no interval). */
  percent: Partial<Record<WbcType, Interval>>;
  /** ×10⁹/L, per type. */
  absolute: Partial<Record<WbcType, Interval>>;
}

/** Adult defaults. Erythroblasts are per 100 WBC; they are not expected in adult blood. */
export const ADULT_REFERENCE: ReferenceIntervals = {
  source: 'Adults; Bain BJ, Bates I, Laffan MA, Lewis SM. Dacie and Lewis Practical Haematology, 12th ed. (2017), chapter 2, normal adult values',
  percent: {
    neutrophil: { low: 40, high: 80 },
    lymphocyte: { low: 20, high: 40 },
    monocyte: { low: 2, high: 10 },
    eosinophil: { low: 1, high: 6 },
    basophil: { low: 0, high: 2 },
    erythroblast: { low: 0, high: 0 },
  },
  absolute: {
    neutrophil: { low: 2, high: 7 },
    lymphocyte: { low: 1, high: 3 },
    monocyte: { low: 0.2, high: 1 },
    eosinophil: { low: 0.02, high: 0.5 },
    basophil: { low: 0.02, high: 0.1 },
  },
};

export type Flag = 'H' | 'L' | '';

export function flagOf(value: number | null, iv: Interval | undefined): Flag {
  if (value === null || !iv || !Number.isFinite(value)) return '';
  // compared at the precision the report prints (0.1% / 0.01 ×10⁹/L): a printed 40.0 is not L
  if (value > iv.high + 1e-9) return 'H';
  if (value < iv.low - 1e-9) return 'L';
  return '';
}

export interface ReportRow {
  type: WbcType;
  n: number;
  /** % of the differential (erythroblasts: per 100 WBC); null without cells. */
  percent: number | null;
  /** ×10⁹/L from the analyser's WBC count; null without it. */
  absolute: number | null;
  percentInterval?: Interval;
  absoluteInterval?: Interval;
  /** The count's 95% binomial interval in the unit of `percent` (Rümke); null without cells. */
  sampling: Interval | null;
  flag: Flag;
  absoluteFlag: Flag;
  /** A flag the printed figure alone would carry, withheld because the count's sampling interval
   * reaches into the reference interval: too few cells to call it. */
  withheld: Flag;
  absoluteWithheld: Flag;
}

/** The count's 95% binomial interval in the report's unit: % of the differential; erythroblasts per
 * 100 WBC (k of the k + n nucleated cells counted, p / (1 - p) per WBC). */
export function samplingInterval(t: WbcType, d: Differential): Interval | null {
  if (!d.total) return null;
  if (t !== 'erythroblast') {
    const b = binomialInterval(d.counts[t], d.total);
    return { low: 100 * b.low, high: 100 * b.high };
  }
  const k = d.counts.erythroblast;
  const b = binomialInterval(k, k + d.total);
  return { low: (100 * b.low) / (1 - b.low), high: b.high >= 1 ? Infinity : (100 * b.high) / (1 - b.high) };
}

/** A flag the count can support: L only when even the top of the sampling interval is under the reference
 * low, H only when even its bottom is over the reference high (Rümke: a count inside its own sampling
 * error of the interval is not out of it). Returns the flag to print and the one withheld. */
export function supportedFlag(point: Flag, sampling: Interval | null, iv: Interval | undefined): { flag: Flag; withheld: Flag } {
  if (!point || !iv || !sampling) return { flag: point, withheld: '' };
  const supported = point === 'L' ? sampling.high < iv.low : sampling.low > iv.high;
  return supported ? { flag: point, withheld: '' } : { flag: '', withheld: point };
}

/**
 * The WBC count the absolute counts rest on. An analyser that does not tell nucleated red cells apart counts
 * them as white cells, so a lab corrects its count by the NRBC the differential counted per 100 WBC (ICSH;
 * Dacie and Lewis): corrected WBC = WBC × 100 / (100 + NRBC per 100 WBC). An analyser that counts NRBC apart
 * gives a count already corrected (`analyserCorrected`, said on the sample record): corrected again, every
 * absolute count would be too low.
 */
export interface WbcBasis {
  /** The analyser's count as entered (×10⁹/L). */
  analyser: number;
  /** NRBC per 100 WBC of the differential the absolute counts come from (null: no cell in it). */
  nrbcPer100: number | null;
  /** The count the absolute counts rest on: the analyser's × 100 / (100 + NRBC) where the correction is
   * applied, else the analyser's. */
  used: number;
  /** `applied`: corrected here; `none`: no NRBC counted, nothing to correct; `analyser`: the analyser's count
   * was entered already corrected for NRBC. */
  correction: 'applied' | 'none' | 'analyser';
}

export function wbcBasis(wbcCount: number | null, nrbcPer100: number | null, analyserCorrected = false): WbcBasis | null {
  if (wbcCount === null) return null;
  if (analyserCorrected) return { analyser: wbcCount, nrbcPer100, used: wbcCount, correction: 'analyser' };
  if (!nrbcPer100) return { analyser: wbcCount, nrbcPer100, used: wbcCount, correction: 'none' };
  return { analyser: wbcCount, nrbcPer100, used: (wbcCount * 100) / (100 + nrbcPer100), correction: 'applied' };
}

/** The corrected count as the report prints it: to 0.01 ×10⁹/L, as the absolute counts. */
export const correctedText = (b: WbcBasis, locale?: string) => fixed(b.used, 2, locale);

/** Which WBC count the absolute counts rest on, in the report's words (and the exports'). */
export function wbcBasisWords(b: WbcBasis, locale?: string): string {
  const analyser = `analyser WBC ${plain(b.analyser, locale)} ×10⁹/L`;
  if (b.correction === 'analyser') return `absolute counts ×10⁹/L from the ${analyser}, entered as already corrected for NRBC by the analyser (not corrected again)`;
  if (b.correction === 'none') return `absolute counts ×10⁹/L from the ${analyser} (no NRBC counted in the differential: no correction)`;
  return `absolute counts ×10⁹/L from the WBC corrected for ${fixed(b.nrbcPer100!, 1, locale)} NRBC per 100 WBC: ${correctedText(b, locale)} ×10⁹/L (${analyser} uncorrected, × 100 / (100 + NRBC))`;
}

/** The report's differential table: % with flags, absolute counts when the analyser's WBC count
 * (×10⁹/L) is known: % × the WBC count corrected for the NRBC the differential counted (wbcBasis; the
 * analyser's as entered where `analyserCorrected`). Before, the count was used uncorrected: with 10 NRBC per
 * 100 WBC every absolute count was 10% too high. Erythroblasts (NRBC, outside the 100%) get the NRBC absolute count
 * an analyser gives, NRBC per 100 WBC × the corrected WBC count (= the uncorrected count × NRBC / (100 + NRBC)):
 * the corrected count is used, so nothing is corrected twice; before, the row had none. A flag is printed only
 * where the number of cells supports it (supportedFlag). */
export function reportRows(d: Differential, wbcCount: number | null, ref: ReferenceIntervals, flags = true, analyserCorrected = false): ReportRow[] {
  const rows: ReportRow[] = [];
  const basis = wbcBasis(wbcCount, d.nrbcPer100, analyserCorrected);
  const wbc = basis?.used ?? null;
  for (const t of [...IN_DIFFERENTIAL, 'erythroblast' as const]) {
    const percent = t === 'erythroblast' ? d.nrbcPer100 : d.total ? d.percent[t] : null;
    const absolute = percent !== null && wbc !== null ? (percent / 100) * wbc : null;
    const rounded = percent === null ? null : Math.round(percent * 10) / 10;
    const absRounded = absolute === null ? null : Math.round(absolute * 100) / 100;
    const sampling = samplingInterval(t, d);
    const absSampling = sampling && absolute !== null && wbc !== null ? { low: (sampling.low / 100) * wbc, high: (sampling.high / 100) * wbc } : null;
    const pf = supportedFlag(flags ? flagOf(rounded, ref.percent[t]) : '', sampling, ref.percent[t]);
    const af = supportedFlag(flags ? flagOf(absRounded, ref.absolute[t]) : '', absSampling, ref.absolute[t]);
    rows.push({
      type: t,
      n: d.counts[t],
      percent,
      absolute,
      percentInterval: ref.percent[t],
      absoluteInterval: ref.absolute[t],
      sampling,
      flag: pf.flag,
      absoluteFlag: af.flag,
      withheld: pf.withheld,
      absoluteWithheld: af.withheld,
    });
  }
  return rows;
}

/** Reference intervals from user input: every interval low <= high, finite, non-negative. */
export function parseIntervals(x: unknown): ReferenceIntervals {
  const j = (x ?? {}) as Partial<ReferenceIntervals>;
  if (typeof j.source !== 'string' || !j.source.trim()) throw new AppError('reference-intervals', 'reference intervals need a source');
  const table = (t: unknown, what: string) => {
    const out: Partial<Record<WbcType, Interval>> = {};
    for (const [k, v] of Object.entries((t ?? {}) as Record<string, Interval>)) {
      if (!([...IN_DIFFERENTIAL, 'erythroblast'] as string[]).includes(k)) throw new AppError('reference-intervals', `${what}: unknown type ${k}`);
      if (!(Number.isFinite(v?.low) && Number.isFinite(v?.high) && v.low >= 0 && v.low <= v.high)) throw new AppError('reference-intervals', `${what} ${k}: low and high must be numbers, 0 <= low <= high`);
      out[k as WbcType] = { low: v.low, high: v.high };
    }
    return out;
  };
  return { source: j.source.trim(), percent: table(j.percent, 'percent'), absolute: table(j.absolute, 'absolute') };
}

/** The differential exactly as the report prints it: figures only when `releasable`, H/L only when
 * `flagsAllowed` and the count supports them, % to 0.1 and ×10⁹/L to 0.01 ('–' where none is printed);
 * `note` says why a row has no flag where a reader would look for one. The report's table and every
 * export read this one function. */
export interface PrintedDifferential {
  shown: boolean;
  flags: boolean;
  /** Some flag was withheld for too few cells (the report's footnote says so once). */
  withheld: boolean;
  rows: (ReportRow & { percentText: string; absoluteText: string; flagText: string; withheldText: string; note: '' | 'no interval set' | 'too few cells to call H/L' })[];
  /** The WBC count the absolute counts rest on, corrected for NRBC or not (null: no analyser count entered). */
  wbc: WbcBasis | null;
}

const flagWords = (pct: Flag, abs: Flag) => [pct, abs && abs !== pct ? `${abs} (abs)` : ''].filter(Boolean).join(' ');

export const TOO_FEW_CELLS = 'too few cells to call H/L';

/** `analyserCorrected`: the analyser's WBC count was entered already corrected for NRBC (the sample record).
 * `locale`: the figures' texts as the printed report shows them ("45,5" in de-DE); undefined, as the exports keep them. */
export function printedDifferential(st: DifferentialState, wbcCount: number | null, ref: ReferenceIntervals, shortReason: string, analyserCorrected = false, locale?: string): PrintedDifferential {
  const shown = st.releasable;
  const flags = flagsAllowed(st, shortReason);
  const rows = reportRows(st.released, wbcCount, ref, flags, analyserCorrected).map((r) => {
    const withheldText = shown ? flagWords(r.withheld, r.absoluteWithheld) : '';
    const none = !r.percentInterval && !(r.absoluteInterval && r.absolute !== null);
    return {
      ...r,
      percentText: !shown || r.percent === null ? '–' : fixed(r.percent, 1, locale),
      // a type seen never reads 0.00: 1 basophil in 100 cells at a WBC of 0.4 is 0.004 ×10⁹/L ("< 0.01", the footnote's 0.01)
      absoluteText: !shown || r.absolute === null ? '–' : r.n > 0 && Number(r.absolute.toFixed(2)) === 0 ? `< ${fixed(0.01, 2, locale)}` : fixed(r.absolute, 2, locale),
      flagText: shown ? flagWords(r.flag, r.absoluteFlag) : '',
      withheldText,
      note: !shown ? ('' as const) : none ? ('no interval set' as const) : withheldText ? (TOO_FEW_CELLS as typeof TOO_FEW_CELLS) : ('' as const),
    };
  });
  return { shown, flags, withheld: rows.some((r) => r.withheldText !== ''), rows, wbc: wbcBasis(wbcCount, st.released.nrbcPer100, analyserCorrected) };
}
