/**
 * Artefacts of the instrument are not cells (issue 21). Dust on a camera sensor or a lens stays at the same
 * pixel while the slide moves under it; a cell never does. One image cannot tell a grey speck from a
 * platelet, but a batch can: a detection that reappears at the same position, with the same size, in
 * several images of one camera, while the cells around it change, is on the optics.
 *
 * The decision is statistical rather than a fixed count, so it holds for a crowded class (RBCs: 25 per
 * field make chance coincidences common) and a sparse one (platelets: about one per field) alike. For each
 * detection we count the other fields holding a same-class detection at that position and size (`k`), and
 * the number of such coincidences chance alone would give (`λ`, from each field's own density of that
 * class). It is an artefact when `k` reaches `minImages - 1` and a Poisson tail P(X ≥ k; λ) is below
 * `pValue`. Fields that are the same view (at least 3 and half of their larger cells coincide: the same
 * photo twice, or a live capture of an unmoved slide) count as one field. Only speck-sized objects take part (at most
 * `maxVsRbc` of the field's median RBC; platelets whatever their size when a field has too few RBCs): an
 * analyser's single-cell images centre every WBC at one pixel by design (PBC's 360x363 crops: all 78 WBCs
 * of the validation set sat there), and that is a cell, not dust. Cells at the frame's edge take no part:
 * the edge clips their boxes to the same x or y in every field (measured on CBC Testing: the corner and edge
 * RBCs coincided across fields far more than uniform chance allows), and a speck cut by the frame is rare.
 */
import type { CellClass } from '../detection/classes';
import type { ImageBox } from '../detection/geometry';
import { borderTolerancePx } from '../detection/postprocess';

export interface FieldCells {
  width: number;
  height: number;
  cells: readonly { id: string; cls: CellClass; box: ImageBox }[];
}

export interface OpticsOptions {
  /** Fields (this one included) that must show the object: never fewer than 3. */
  minImages: number;
  /** Chance-coincidence tail probability below which a repeat is the optics, not chance. */
  pValue: number;
  /** Centre tolerance as a share of the object's size (at least `minTolPx`). */
  tolerance: number;
  minTolPx: number;
  /** Same size: the larger side of the two boxes within this ratio. */
  sizeRatio: number;
  /** Two fields are one view when at least this share of the smaller one's cells coincide. */
  sameView: number;
  /** The largest object tested, as a share of the field's median RBC size. */
  maxVsRbc: number;
}

export const OPTICS_DEFAULTS: OpticsOptions = { minImages: 3, pValue: 1e-4, tolerance: 0.2, minTolPx: 3, sizeRatio: 1.35, sameView: 0.5, maxVsRbc: 0.75 };

const centre = (b: ImageBox) => [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2] as const;
const size = (b: ImageBox) => Math.max(1, ((b.x2 - b.x1) + (b.y2 - b.y1)) / 2);

/** P(X ≥ k) for X ~ Poisson(λ). */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  let term = Math.exp(-lambda);
  let below = term;
  for (let i = 1; i < k; i++) {
    term *= lambda / i;
    below += term;
  }
  return Math.max(0, 1 - below);
}

interface Cell {
  id: string;
  cls: CellClass;
  box: ImageBox;
  x: number;
  y: number;
  s: number;
  /** Small enough to be tested (every inner cell still tells whether two fields are one view). */
  speck: boolean;
}

/** One object seen twice: centres within the tolerance of the smaller, sizes within the ratio. */
function coincide(a: Cell, b: Cell, o: OpticsOptions): boolean {
  if (Math.max(a.s, b.s) / Math.min(a.s, b.s) > o.sizeRatio) return false;
  const tol = Math.max(o.minTolPx, o.tolerance * Math.min(a.s, b.s));
  return (a.x - b.x) ** 2 + (a.y - b.y) ** 2 <= tol * tol;
}

// Centres bucketed on a coarse grid: a batch of hundreds of fields compares each cell with its few
// neighbours, not with every cell of every other field: a match lies within the cell's tolerance.
const BUCKET = 16;
const key = (bx: number, by: number) => bx * 65536 + by;


/** How many of `sorted` lie within [lo, hi]. */
function between(sorted: readonly number[], lo: number, hi: number): number {
  const first = (v: number) => {
    let a = 0;
    let b = sorted.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (sorted[m] < v) a = m + 1;
      else b = m;
    }
    return a;
  };
  return first(hi + 1e-9) - first(lo - 1e-9);
}

/**
 * Ids of the detections that sit on the optics, per field (same order as `fields`). Fields are compared
 * only with fields of the same pixel size (one camera); a camera with fewer than `minImages` fields has none.
 */
export function opticsArtefacts(fields: readonly FieldCells[], options: Partial<OpticsOptions> = {}): string[][] {
  const o = { ...OPTICS_DEFAULTS, ...options, minImages: Math.max(3, options.minImages ?? OPTICS_DEFAULTS.minImages) };
  const out: string[][] = fields.map(() => []);
  const groups = new Map<string, number[]>();
  fields.forEach((f, i) => {
    const k = `${f.width}x${f.height}`;
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  for (const idx of groups.values()) {
    if (idx.length < o.minImages) continue;
    const { width, height } = fields[idx[0]];
    const edge = borderTolerancePx(width, height);
    const n = idx.length;
    const cells: Cell[][] = idx.map((i) => {
      const rbc = fields[i].cells.filter((c) => c.cls === 'RBC').map((c) => size(c.box)).sort((a, b) => a - b);
      const maxSize = rbc.length >= 3 ? o.maxVsRbc * rbc[rbc.length >> 1] : 0;
      return fields[i].cells.flatMap((c) => {
        const s = size(c.box);
        const speck = maxSize ? s <= maxSize : c.cls === 'Platelets';
        const m = Math.max(edge, 0.1 * s);
        if (!(c.box.x1 > m && c.box.y1 > m && c.box.x2 < width - m && c.box.y2 < height - m)) return [];
        const [x, y] = centre(c.box);
        return [{ id: c.id, cls: c.cls, box: c.box, x, y, s, speck }];
      });
    });
    const grid = new Map<number, { f: number; c: Cell }[]>();
    cells.forEach((list, f) =>
      list.forEach((c) => {
        const k = key(Math.floor(c.x / BUCKET), Math.floor(c.y / BUCKET));
        const b = grid.get(k);
        if (b) b.push({ f, c });
        else grid.set(k, [{ f, c }]);
      }),
    );
    // for each cell, the other fields holding a coincident cell; per pair of fields, how many of the
    // first one's cells coincide with the second's
    const pairHits: Map<number, number>[] = cells.map(() => new Map());
    const hitFields: number[][][] = cells.map((list, a) =>
      list.map((c) => {
        const found = new Set<number>();
        const r = Math.ceil(Math.max(o.minTolPx, o.tolerance * c.s) / BUCKET);
        const bx = Math.floor(c.x / BUCKET);
        const by = Math.floor(c.y / BUCKET);
        for (let i = bx - r; i <= bx + r; i++)
          for (let j = by - r; j <= by + r; j++)
            for (const e of grid.get(key(i, j)) ?? []) if (e.f !== a && !found.has(e.f) && e.c.cls === c.cls && coincide(c, e.c, o)) found.add(e.f);
        // one view is told by the larger cells: the specks under test (dust among them) never make two
        // fields one view
        if (!c.speck) for (const b of found) pairHits[a].set(b, (pairHits[a].get(b) ?? 0) + 1);
        return [...found];
      }),
    );
    // Fields that show one view (at least 3 and half of their larger cells coincide: the same photo twice,
    // an unmoved slide) are one piece of evidence. Direct pairs only, never chained: neighbouring fields of
    // one slide overlap pairwise, and chaining them made a whole batch one view (measured: PBC crops).
    const large = cells.map((list) => list.filter((c) => !c.speck).length);
    const oneView = new Set<number>();
    pairHits.forEach((m, a) =>
      m.forEach((hits, b) => {
        if (hits >= 3 && hits / Math.min(large[a], large[b]) >= o.sameView) oneView.add(a * n + b).add(b * n + a);
      }),
    );
    const same = (a: number, b: number) => oneView.has(a * n + b);
    // chance: every field's cells of the class and a similar size, each covering a disc of the tolerance
    const sizes = cells.map((list) => {
      const by = new Map<string, number[]>();
      for (const c of list) {
        const l = by.get(c.cls);
        if (l) l.push(c.s);
        else by.set(c.cls, [c.s]);
      }
      for (const l of by.values()) l.sort((x, y) => x - y);
      return by;
    });
    cells.forEach((list, a) => {
      list.forEach((c, ci) => {
        if (!c.speck) return;
        // independent fields that show it: none one view with this field or with one already counted
        const counted: number[] = [];
        for (const b of hitFields[a][ci]) if (!same(a, b) && !counted.some((x) => same(x, b))) counted.push(b);
        const k = counted.length;
        if (k < o.minImages - 1) return;
        // where the centre of an inner cell of this size can fall, and the widest tolerance a match can have:
        // chance is never underestimated
        const m = Math.max(edge, 0.1 * c.s);
        const area = Math.max(1, (width - 2 * m - c.s) * (height - 2 * m - c.s));
        const tol = Math.max(o.minTolPx, o.tolerance * c.s);
        let similar = 0;
        for (let b = 0; b < n; b++) if (b !== a && !same(a, b)) similar += between(sizes[b].get(c.cls) ?? [], c.s / o.sizeRatio, c.s * o.sizeRatio);
        const lambda = (similar * Math.PI * tol * tol) / area;
        if (poissonTail(k, lambda) < o.pValue) out[idx[a]].push(c.id);
      });
    });
  }
  return out;
}
