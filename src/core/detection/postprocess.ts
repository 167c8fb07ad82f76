import type { PostprocessParams } from './card';
import type { Detection } from './detection';
import { iou } from './geometry';
import { median } from './scale';

/**
 * Greedy NMS. Returns the kept detections in descending score order (ties keep input order).
 * A detection is dropped when a kept, higher-ranked one of the same group overlaps it with IoU > iouThr.
 * Mirrors models/postprocess.py, which tunes the card's defaults.
 */
export function nms<T extends Detection>(dets: readonly T[], iouThr: number, sameGroup?: (a: T, b: T) => boolean): T[] {
  const order = dets.map((_, i) => i).sort((a, b) => dets[b].score - dets[a].score || a - b);
  const suppressed = new Uint8Array(dets.length);
  const keep: T[] = [];
  for (let ia = 0; ia < order.length; ia++) {
    const a = dets[order[ia]];
    if (suppressed[ia]) continue;
    keep.push(a);
    for (let ib = ia + 1; ib < order.length; ib++) {
      if (suppressed[ib]) continue;
      const b = dets[order[ib]];
      if ((!sameGroup || sameGroup(a, b)) && iou(a.box, b.box) > iouThr) suppressed[ib] = 1;
    }
  }
  return keep;
}

/** Per-class score threshold, then NMS within each class, then optionally NMS across classes
 * (one cell labelled twice keeps its most confident label). Pure: sliders re-run only this. */
export function postprocess<T extends Detection>(raw: readonly T[], p: PostprocessParams): T[] {
  const passed = raw.filter((d) => d.score >= p.scoreThresholds[d.cls]);
  let kept = nms(passed, p.nmsIou, (a, b) => a.cls === b.cls);
  if (p.crossClassNms) kept = nms(kept, p.nmsIou);
  return kept;
}

/**
 * The count rule. 'all' (the default) counts every detected cell, those cut by the image border
 * included. 'interior' leaves out every cell cut by the border: one whose box comes within
 * borderTolerancePx of an edge (boxes of cut cells end at the edge; the tolerance absorbs the model's
 * localisation error). 'half' keeps a cut cell when at least half of it is inside: its box area is at
 * least half the squared median size of the same class's uncut cells in that image; without uncut cells of
 * its class, the uncut RBCs scaled by the typical size ratio (SIZE_VS_RBC) stand in; without either, the
 * cut cell is kept. 'top-left' is the two-edge (forbidden-line) rule of manual counting: a cell cut by
 * the top or left edge counts, one cut by the bottom or right edge does not (a cell touching both
 * kinds does not), so adjacent fields of a tiled smear count every cell exactly once.
 */
export type CountRule = 'all' | 'interior' | 'half' | 'top-left';

export const COUNT_RULES: Record<CountRule, string> = {
  all: 'every visible cell, cut cells at the border included',
  half: 'cells cut by the border counted when at least half inside',
  'top-left': 'cells cut by the top or left edge counted, by the bottom or right edge left out',
  interior: 'cells cut by the image border excluded',
};

/** The rules in the order the settings list them, with a short label each. */
export const COUNT_RULE_LABELS: Record<CountRule, string> = {
  all: 'Every visible cell (default)',
  half: 'Cut cells only when at least half inside',
  'top-left': 'Two-edge rule: cut cells on the top and left edges only',
  interior: 'Exclude cells cut by the border',
};

export const isCountRule = (x: unknown): x is CountRule => typeof x === 'string' && Object.hasOwn(COUNT_RULES, x);

export function borderTolerancePx(width: number, height: number): number {
  return Math.max(2, 0.005 * Math.min(width, height));
}

type Boxed = { box: { x1: number; y1: number; x2: number; y2: number } };

/** Which image edges cut the box (within borderTolerancePx). */
export function cutEdges(d: Boxed, width: number, height: number): { top: boolean; left: boolean; bottom: boolean; right: boolean } {
  const t = borderTolerancePx(width, height);
  return { left: d.box.x1 <= t, top: d.box.y1 <= t, right: d.box.x2 >= width - t, bottom: d.box.y2 >= height - t };
}

export function isCutByBorder(d: Boxed, width: number, height: number): boolean {
  const e = cutEdges(d, width, height);
  return e.left || e.top || e.right || e.bottom;
}

/** Typical cell size (sqrt of box area) relative to RBCs, measured on the complete labels of txl-pbc. */
export const SIZE_VS_RBC: Record<string, number> = { RBC: 1, WBC: 2, Platelets: 0.4 };

const boxArea = (d: Boxed) => Math.max(0, d.box.x2 - d.box.x1) * Math.max(0, d.box.y2 - d.box.y1);

/** Whether the rule counts each detection (same order as dets). */
export function countedByRule<T extends Boxed & { cls: string }>(dets: readonly T[], rule: CountRule, width: number, height: number): boolean[] {
  if (rule === 'all' || !(width > 0 && height > 0)) return dets.map(() => true);
  if (rule === 'interior') return dets.map((d) => !isCutByBorder(d, width, height));
  if (rule === 'top-left')
    return dets.map((d) => {
      const e = cutEdges(d, width, height);
      return !e.bottom && !e.right;
    });
  const whole = new Map<string, number[]>();
  for (const d of dets) if (!isCutByBorder(d, width, height)) whole.set(d.cls, [...(whole.get(d.cls) ?? []), boxArea(d)]);
  const half = new Map<string, number>();
  for (const [cls, areas] of whole) half.set(cls, 0.5 * median(areas)!);
  const rbc = half.get('RBC');
  const threshold = (cls: string) => half.get(cls) ?? (rbc !== undefined && SIZE_VS_RBC[cls] ? rbc * SIZE_VS_RBC[cls] ** 2 : undefined);
  return dets.map((d) => {
    if (!isCutByBorder(d, width, height)) return true;
    const t = threshold(d.cls);
    return t === undefined || boxArea(d) >= t;
  });
}

export function applyCountRule<T extends Boxed & { cls: string }>(dets: readonly T[], rule: CountRule, width: number, height: number): T[] {
  const keep = countedByRule(dets, rule, width, height);
  return dets.filter((_, i) => keep[i]);
}

/** The detections the rule leaves out: still drawn (dimmed), so the reviewer sees what was not counted. */
export function excludedByCountRule<T extends Boxed & { cls: string }>(dets: readonly T[], rule: CountRule, width: number, height: number): T[] {
  const keep = countedByRule(dets, rule, width, height);
  return dets.filter((_, i) => !keep[i]);
}
