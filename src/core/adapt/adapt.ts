/**
 * Learning the lab's microscope: a small head fitted on the technician's verified cells, blended with
 * the shipped classifier's own output, so that adapting only ever helps (issue 21).
 *
 * The head is multinomial logistic regression on L2-normalised embeddings (the classifier's pooled
 * features, the input of its last Gemm), fitted by full-batch gradient descent from zero weights. It only
 * knows the types it has seen. The blend therefore works inside those types alone:
 *
 *   unseen type c:  p(c) = p_model(c)                       (nobody verified it: the model's word stands)
 *   seen type c:    p(c) = (1 - U) q(c),  U = Σ_unseen p_model
 *                   q(c) ∝ (1 - w_c) p_model(c) / (1 - U) + w_c p_head(c | seen)
 *   w_c = min(1, λ n_c / (n_c + halfAt))                   (grows with the cells verified of that type;
 *                                                           1: the head alone reads that type)
 *
 * A microscope can also make the model lean to one type on every cell (a warm cast read as eosinophils).
 * A per-type bias on the model's log-probabilities, fitted on the verified cells (seen types only: the
 * unseen keep p_model), takes that lean off; the blend may then start from the biased output.
 *
 * λ (the scale of the head's weights), and whether the bias is used, are chosen by cross-validation on the
 * verified cells themselves: head and bias are refitted without each fold and the fold's cells are typed
 * by each candidate. A candidate other than the model alone only where it types more of them right, by at
 * least 2 cells and 5% of them, so on a microscope the model already reads, adapting changes nothing;
 * λ > 1 (weights reaching 1: the head alone) only where it beats the best λ ≤ 1 by the same margin.
 */

export interface AdaptOptions {
  /** Gradient steps (full batch). */
  steps: number;
  /** Learning rate. */
  lr: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
  /** Logit scale applied to the normalised embedding: the cosine similarities are small numbers. */
  scale: number;
  /** The λ to choose from by cross-validation (0, the model alone, is always a candidate); each type's
   * weight is capped at 1, so a large λ lets the head alone read the types verified often enough. */
  lambdas: readonly number[];
  /** Verified cells of one type at which that type gets half of λ. */
  halfAt: number;
  /** Cross-validation folds (at most one per cell). */
  folds: number;
  /** Gradient steps of the cross-validation refits (the shipped head takes `steps`). */
  cvSteps: number;
  /** The share of the verified cells by which the blend must beat the model in cross-validation. */
  minGain: number;
  /** ... and at least this many cells. */
  minCells: number;
  /** Also try a per-type bias on the model's own output (the microscope's systematic lean), fitted on the
   * verified cells, alone or under the head. */
  bias: boolean;
  /** L2 penalty on that bias. */
  biasL2: number;
}

/** λ up to 3: at 1.5 a type with 4 verified cells is read by the head alone, at 3 every verified type is.
 * On a synthetic camera the model reads at 0.32 (a deep warm cast and a defocus twice the synthetic camera's definition, PBC validation cells),
 * λ ≤ 1 left the blend at 0.50 after 5 cells per type where the head alone read 0.67; with these two
 * candidates the blend reads 0.66, and on the sets the model already reads nothing changes (README). */
export const DEFAULT_ADAPT: AdaptOptions = { steps: 300, lr: 0.05, l2: 1e-3, scale: 10, lambdas: [0.25, 0.5, 0.75, 1, 1.5, 3], halfAt: 2, folds: 4, cvSteps: 150, minGain: 0.1, minCells: 3, bias: true, biasL2: 0.01 };

export interface Head {
  /** Embedding dimension. */
  dim: number;
  /** Number of classes (the classifier's order). */
  classes: number;
  /** classes x dim, row-major. */
  w: Float64Array;
  b: Float64Array;
  /** Which classes the verified cells covered. */
  seen: boolean[];
  /** Verified cells it was fitted on. */
  n: number;
  /** Verified cells of each type. */
  perClass: number[];
  /** λ, the scale of the head's weights in the blend (0: the model alone; each weight at most 1). */
  weight: number;
  /** Each type's weight, λ n_c / (n_c + halfAt); 0 for a type nobody verified. */
  weights: number[];
  scale: number;
  /** The share of the verified cells the model itself typed wrong (null: not known). */
  modelError: number | null;
  /** Cross-validation on the verified cells: how many the model, and the chosen blend, typed right. */
  cv: { cells: number; model: number; adapted: number } | null;
  /** The per-type bias on the model's log-probabilities (0 for types nobody verified), where cross-validation
   * chose it; null: the model's output as it is. */
  bias: number[] | null;
}

export function l2normalise(v: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * k;
  return out;
}

/** Each type's weight in the blend: λ n_c / (n_c + halfAt), at most 1 (the head alone for that type),
 * 0 for a type nobody verified. */
export function classWeights(lambda: number, perClass: readonly number[], halfAt = DEFAULT_ADAPT.halfAt): number[] {
  return perClass.map((n) => (n > 0 && lambda > 0 ? Math.min(1, (lambda * n) / (n + halfAt)) : 0));
}

/** Logistic regression on rows `rows` of the normalised cells (their Gram matrix given). */
function fitRows(gram: Float64Array, n: number, rows: readonly number[], labels: readonly number[], classes: number, o: AdaptOptions, steps: number): Float64Array[] {
  const m = rows.length;
  const a = new Float64Array(classes * m);
  const b = new Float64Array(classes);
  const ga = new Float64Array(classes * m);
  const gb = new Float64Array(classes);
  const z = new Float64Array(classes);
  const s = o.scale;
  for (let step = 0; step < steps; step++) {
    gb.fill(0);
    for (let ii = 0; ii < m; ii++) {
      const gi = rows[ii] * n;
      let mx = -Infinity;
      for (let c = 0; c < classes; c++) {
        let acc = b[c];
        const ac = c * m;
        for (let jj = 0; jj < m; jj++) acc += a[ac + jj] * gram[gi + rows[jj]];
        z[c] = s * acc;
        if (z[c] > mx) mx = z[c];
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += z[c] = Math.exp(z[c] - mx);
      for (let c = 0; c < classes; c++) {
        // d(cross-entropy)/d(logit) = p - onehot; the logit is s (w.x + b)
        const g = (s * (z[c] / sum - (labels[rows[ii]] === c ? 1 : 0))) / m;
        ga[c * m + ii] = g;
        gb[c] += g;
      }
    }
    // W -= lr (G X + l2 W)  <=>  A -= lr (G + l2 A)
    for (let k = 0; k < a.length; k++) a[k] -= o.lr * (ga[k] + o.l2 * a[k]);
    for (let c = 0; c < classes; c++) b[c] -= o.lr * gb[c];
  }
  return [a, b];
}

/** The head's probabilities for cell `i` from a fit on `rows` (through the Gram matrix). */
function rowProbs(gram: Float64Array, n: number, rows: readonly number[], [a, b]: Float64Array[], i: number, classes: number, scale: number): number[] {
  const m = rows.length;
  const z = new Float64Array(classes);
  let mx = -Infinity;
  for (let c = 0; c < classes; c++) {
    let acc = b[c];
    for (let jj = 0; jj < m; jj++) acc += a[c * m + jj] * gram[i * n + rows[jj]];
    z[c] = scale * acc;
    if (z[c] > mx) mx = z[c];
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += z[c] = Math.exp(z[c] - mx);
  return Array.from(z, (v) => v / sum);
}

/**
 * The blend of the model's probabilities with the head's (the formula at the top): unseen types keep the
 * model's probability; the seen types share the rest.
 */
export function blend(model: readonly number[], head: readonly number[], weights: readonly number[], seen: readonly boolean[]): number[] {
  let unseen = 0;
  let headSeen = 0;
  for (let c = 0; c < model.length; c++) {
    if (seen[c]) headSeen += head[c];
    else unseen += model[c];
  }
  const rest = 1 - unseen;
  if (rest <= 1e-12 || headSeen <= 0 || !weights.some((w) => w > 0)) return model as number[];
  const q = model.map((m, c) => (seen[c] ? (1 - weights[c]) * (m / rest) + weights[c] * (head[c] / headSeen) : 0));
  const qs = q.reduce((x, y) => x + y, 0);
  return model.map((m, c) => (seen[c] ? (rest * q[c]) / qs : m));
}

/**
 * The model's output with a per-type bias on the verified types: a type nobody verified keeps its
 * probability, the verified types share the rest in proportion to p(c) e^bias(c).
 */
export function applyBias(model: readonly number[], bias: readonly number[], seen: readonly boolean[]): number[] {
  let unseen = 0;
  let z = 0;
  for (let c = 0; c < model.length; c++) {
    if (seen[c]) z += model[c] * Math.exp(bias[c]);
    else unseen += model[c];
  }
  const rest = 1 - unseen;
  if (rest <= 1e-12 || z <= 0) return model as number[];
  return model.map((m, c) => (seen[c] ? (rest * m * Math.exp(bias[c])) / z : m));
}

/**
 * The bias of `applyBias` that best types cells `rows` back (cross-entropy within the verified types, an L2
 * penalty, gradient descent from 0): a microscope that makes the model lean to one type (a warm cast read as
 * eosinophils) is corrected by the cells the technician verified.
 */
function fitBias(priors: readonly (readonly number[])[], labels: readonly number[], rows: readonly number[], seen: readonly boolean[], l2: number, steps = 200, lr = 0.5): number[] {
  const k = seen.length;
  const beta = new Float64Array(k);
  const logp = rows.map((i) => priors[i].map((v) => Math.log(Math.max(v, 1e-12))));
  const g = new Float64Array(k);
  const q = new Float64Array(k);
  for (let step = 0; step < steps; step++) {
    g.fill(0);
    rows.forEach((i, r) => {
      let mx = -Infinity;
      for (let c = 0; c < k; c++) if (seen[c]) mx = Math.max(mx, (q[c] = logp[r][c] + beta[c]));
      let sum = 0;
      for (let c = 0; c < k; c++) if (seen[c]) sum += q[c] = Math.exp(q[c] - mx);
      for (let c = 0; c < k; c++) if (seen[c]) g[c] += (q[c] / sum - (labels[i] === c ? 1 : 0)) / rows.length;
    });
    for (let c = 0; c < k; c++) if (seen[c]) beta[c] -= lr * (g[c] + l2 * beta[c]);
  }
  return Array.from(beta);
}

/**
 * Fits the head on verified cells: `embeddings[i]` (any scale; normalised here) of type `labels[i]`
 * (class index). Deterministic. Returns null without cells.
 */
export function fitHead(
  embeddings: readonly ArrayLike<number>[],
  labels: readonly number[],
  classes: number,
  opts: Partial<AdaptOptions> = {},
  priors?: readonly (readonly number[])[],
): Head | null {
  const o = { ...DEFAULT_ADAPT, ...opts };
  const n = embeddings.length;
  if (!n) return null;
  if (labels.length !== n) throw new RangeError(`${n} embeddings but ${labels.length} labels`);
  const dim = embeddings[0].length;
  const x = new Float64Array(n * dim);
  embeddings.forEach((e, i) => {
    if (e.length !== dim) throw new RangeError(`embedding ${i} has ${e.length} values, expected ${dim}`);
    x.set(l2normalise(e), i * dim);
  });
  const seen = Array<boolean>(classes).fill(false);
  for (const l of labels) {
    if (!(l >= 0 && l < classes && Number.isInteger(l))) throw new RangeError(`label ${l} is not a class index below ${classes}`);
    seen[l] = true;
  }
  // Gradient descent from zero keeps W in the span of the cells: W = A X. So the fit runs on the n x n
  // Gram matrix (C n^2 per step instead of 2 C n D), which keeps 100 cells well under 50 ms in a browser.
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      for (let d = 0; d < dim; d++) acc += x[i * dim + d] * x[j * dim + d];
      gram[i * n + j] = gram[j * n + i] = acc;
    }
  const all = labels.map((_, i) => i);
  const [a, b] = fitRows(gram, n, all, labels, classes, o, o.steps);
  const w = new Float64Array(classes * dim);
  for (let c = 0; c < classes; c++)
    for (let i = 0; i < n; i++) {
      const v = a[c * n + i];
      if (v) for (let d = 0; d < dim; d++) w[c * dim + d] += v * x[i * dim + d];
    }
  const perClass = Array<number>(classes).fill(0);
  for (const l of labels) perClass[l]++;
  let modelError: number | null = null;
  let lambda = Math.max(0, ...o.lambdas);
  let cv: Head['cv'] = null;
  let bias: number[] | null = null;
  if (priors) {
    if (priors.length !== n) throw new RangeError(`${n} cells but ${priors.length} model outputs`);
    modelError = priors.filter((p, i) => argmax(p) !== labels[i]).length / n;
    let useBias: boolean;
    ({ lambda, useBias, cv } = chooseBlend(gram, n, labels, classes, priors, o));
    if (useBias) bias = fitBias(priors, labels, all, seen, o.biasL2);
  }
  return { dim, classes, w, b, seen, n, perClass, modelError, weight: lambda, weights: classWeights(lambda, perClass, o.halfAt), scale: o.scale, cv, bias };
}

/**
 * λ and the bias by cross-validation on the verified cells: folds interleaved within each type (so every
 * fold holds each type's cells in turn), head and bias refitted without the fold, the fold typed by every
 * candidate (each λ, on the model's output and on its biased output). The largest count of right types
 * wins; any candidate but the model alone must beat it by the margin, λ > 1 the best λ ≤ 1 by the margin
 * too, and among equals the earlier candidate (no bias, smaller λ) wins.
 */
function chooseBlend(gram: Float64Array, n: number, labels: readonly number[], classes: number, priors: readonly (readonly number[])[], o: AdaptOptions) {
  const folds = Math.min(o.folds, n);
  const fold = Array<number>(n);
  const next = new Map<number, number>();
  labels.forEach((l, i) => {
    const k = next.get(l) ?? l % folds;
    fold[i] = k;
    next.set(l, (k + 1) % folds);
  });
  const lambdas = [0, ...[...o.lambdas].filter((l) => l > 0).sort((x, y) => x - y)];
  // the candidates in order of preference: each λ on the model's own output, then each λ on its biased output
  const cands = [false, ...(o.bias ? [true] : [])].flatMap((b) => lambdas.map((l) => ({ l, b })));
  const right = cands.map(() => 0);
  for (let f = 0; f < folds; f++) {
    const rows = fold.flatMap((k, i) => (k === f ? [] : [i]));
    const held = fold.flatMap((k, i) => (k === f ? [i] : []));
    if (!rows.length || !held.length) continue;
    const per = Array<number>(classes).fill(0);
    for (const i of rows) per[labels[i]]++;
    const seen = per.map((c) => c > 0);
    const fit = fitRows(gram, n, rows, labels, classes, o, o.cvSteps);
    const beta = o.bias ? fitBias(priors, labels, rows, seen, o.biasL2) : null;
    for (const i of held) {
      const h = rowProbs(gram, n, rows, fit, i, classes, o.scale);
      const biased = beta && applyBias(priors[i], beta, seen);
      cands.forEach(({ l, b }, ci) => {
        const prior = b ? biased! : priors[i];
        const p = l > 0 ? blend(prior, h, classWeights(l, per, o.halfAt), seen) : prior;
        if (argmax(p) === labels[i]) right[ci]++;
      });
    }
  }
  // λ > 0 must win by a margin: with a few dozen verified cells a one-cell edge is noise (measured: on a
  // synthetic unseen camera the model read at 0.87, a one-cell rule lost 0.007 at K = 5). 10% and 3 cells:
  // with the 40-epoch classifier, 5% and 2 cells lost CBC validation 0.004 at K = 3 and 0.007 at K = 10;
  // these lose nothing on any validation set and keep the warm camera's gains at K = 5 and 10 (README).
  const margin = Math.max(o.minCells, Math.ceil(o.minGain * n));
  let best = 0;
  for (let ci = 1; ci < cands.length; ci++) if (right[ci] > right[best] && right[ci] - right[0] >= margin) best = ci;
  if (cands[best].l > 1) {
    // Beyond 1 (the head alone for the types verified most) only by the same margin over the best blend
    // up to 1: on synthetic cameras the model reads at 0.82-0.85, a smaller edge there cost 0.003 at K = 5
    // and 10 (PBC validation cells), where the camera it reads at 0.32 still gains 0.14 at K = 5.
    let b1 = 0;
    for (let ci = 1; ci < cands.length; ci++) if (cands[ci].l <= 1 && right[ci] > right[b1] && right[ci] - right[0] >= margin) b1 = ci;
    if (right[best] - right[b1] < margin) best = b1;
  }
  return { lambda: cands[best].l, useBias: cands[best].b, cv: { cells: n, model: right[0], adapted: right[best] } };
}

const argmax = (p: readonly number[]) => p.reduce((bi, v, i) => (v > p[bi] ? i : bi), 0);

/** The head's type probabilities for one embedding. */
export function headProbs(h: Head, embedding: ArrayLike<number>): number[] {
  if (embedding.length !== h.dim) throw new RangeError(`embedding has ${embedding.length} values, the head expects ${h.dim}`);
  const x = l2normalise(embedding);
  const z = new Float64Array(h.classes);
  let m = -Infinity;
  for (let c = 0; c < h.classes; c++) {
    let acc = h.b[c];
    for (let d = 0; d < h.dim; d++) acc += h.w[c * h.dim + d] * x[d];
    z[c] = h.scale * acc;
    if (z[c] > m) m = z[c];
  }
  let sum = 0;
  for (let c = 0; c < h.classes; c++) sum += z[c] = Math.exp(z[c] - m);
  return Array.from(z, (v) => v / sum);
}

/** The blended type probabilities: the model's own where there is no head, or the head has no weight. */
export function adaptedProbs(h: Head | null, model: readonly number[], embedding: ArrayLike<number> | undefined): number[] {
  if (!h || !embedding || !adapts(h)) return model as number[];
  const prior = h.bias ? applyBias(model, h.bias, h.seen) : model;
  return h.weight > 0 ? blend(prior, headProbs(h, embedding), h.weights, h.seen) : (prior as number[]);
}

/** Whether the head changes anything: a blend weight, or a bias on the model's output. */
export function adapts(h: Head | null): boolean {
  return !!h && (h.weight > 0 || h.bias !== null);
}

/** How many of the verified cells a head was fitted on the model alone typed right (null: not known, no head
 * or no model output kept). A head that does not adapt (`adapts` false) is no sign that the model types them
 * all right: adapting may only have done no better by cross-validation. */
export function modelRight(h: Pick<Head, 'n' | 'modelError'> | null): { right: number; of: number } | null {
  if (!h || h.modelError === null || !(h.n > 0)) return null;
  return { right: h.n - Math.round(h.modelError * h.n), of: h.n };
}

/** Why the model's own types are kept (a head that does not adapt), after "the model": "already types the 7
 * verified cells right", or "types 5 of the 7 verified cells right, and adapting to them did no better".
 * `right`: modelRight of the head; `of`: words after "verified cells" (" of the microscope profile"). */
export function keptWhy(right: { right: number; of: number } | null, cells: number, of = ''): string {
  const them = `${cells} verified cell${cells === 1 ? '' : 's'}${of}`;
  if (!right || right.of !== cells || right.right >= right.of) return `already types the ${them} right`;
  return `types ${right.right} of the ${them} right, and adapting to them did no better`;
}

/** The same head at another λ (the eval's "head alone" is λ = 1). */
export function withWeight(h: Head, lambda: number, halfAt = DEFAULT_ADAPT.halfAt): Head {
  return { ...h, weight: lambda, weights: classWeights(lambda, h.perClass, halfAt) };
}

/** A seeded generator (mulberry32): the same seed picks the same cells in the CLI and the tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The simulation of `npm run eval -- --adapt K`: per type, a seeded pick of K cells (all but one where the
 * type has K or fewer) acts as verified; the rest is scored. Returns the indices of both.
 */
export function pickVerified(labels: readonly number[], k: number, seed: number): { verified: number[]; scored: number[] } {
  const rnd = seededRandom(seed);
  const byType = new Map<number, number[]>();
  labels.forEach((l, i) => byType.set(l, [...(byType.get(l) ?? []), i]));
  const verified: number[] = [];
  for (const idx of [...byType.keys()].sort((a, b) => a - b).map((t) => byType.get(t)!)) {
    const a = [...idx];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    verified.push(...a.slice(0, a.length > k ? k : Math.max(0, a.length - 1)));
  }
  const v = new Set(verified);
  return { verified: verified.sort((a, b) => a - b), scored: labels.map((_, i) => i).filter((i) => !v.has(i)) };
}
