/**
 * Platelets in a clump (issue 21). Platelets that clump (EDTA-induced clumping, a slow smear) lie on one
 * another, and a count per platelet reads a heap short: on synthetic clumps of real platelets laid on
 * validation fields (models/make_clump_sets.py) the shipped detector found 15-17% of the clumped platelets
 * and read 15-31% of the clumps as a white cell. A clump makes the platelet count, and any estimate made
 * from it, a minimum: a laboratory reports "platelet clumps seen" instead of a low count
 * (pseudothrombocytopenia). The flag is raised where 3 or more shown platelets touch: it flags 1 of 943
 * validation fields, none of 216 held out and none of CBC Testing (README, "Platelet clumps"). It is
 * advisory: the image stays in the totals, and the sentence says what the count then is.
 */
import type { Detection } from '../detection/detection';
import { median } from '../detection/scale';

/** Two platelets are in one clump when the gap between their boxes is at most this share of the field's
 * median red cell (its box's √(w·h)). */
export const CLUMP_GAP = 0.1;
/** Platelets in one clump before the field is flagged. */
export const CLUMP_MIN = 3;
/** Red cells the field needs for its reference size; with fewer, no clump is judged. */
const MIN_RBCS = 3;

const side = (d: Detection) => Math.sqrt(Math.max(0, d.box.x2 - d.box.x1) * Math.max(0, d.box.y2 - d.box.y1));

/** The clumps among the shown detections: each a list of platelet ids, largest first; [] where none. */
export function plateletClumps(shown: readonly Detection[], gap = CLUMP_GAP, min = CLUMP_MIN): string[][] {
  const plt = shown.filter((d) => d.cls === 'Platelets');
  if (plt.length < min) return [];
  const rbc = shown.filter((d) => d.cls === 'RBC');
  if (rbc.length < MIN_RBCS) return [];
  const reach = gap * median(rbc.map(side))!;
  const parent = plt.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < plt.length; i++) {
    for (let j = i + 1; j < plt.length; j++) {
      const a = plt[i].box;
      const b = plt[j].box;
      const dx = Math.max(0, Math.max(a.x1, b.x1) - Math.min(a.x2, b.x2));
      const dy = Math.max(0, Math.max(a.y1, b.y1) - Math.min(a.y2, b.y2));
      if (Math.max(dx, dy) <= reach) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, string[]>();
  plt.forEach((d, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), d.id]);
  });
  return [...groups.values()].filter((g) => g.length >= min).sort((a, b) => b.length - a.length);
}
