/**
 * Learning the lab's microscope: a small head fitted on the technician's verified cells, blended with
 * the shipped classifier's own output.
 *
 * The head is multinomial logistic regression on L2-normalised embeddings (the classifier's pooled
 * features, the input of its last Gemm), fitted by full-batch gradient descent from zero weights. It only
 * knows the types it has seen; the blend keeps the model's output for the rest and guards a microscope
 * the model already reads well:
 *
 *   p = (1 - a) p_model + a p_head,  a = maxWeight x n / (n + halfAt)
 *
 * where n is the number of verified cells. The defaults (DEFAULT_ADAPT) were chosen on validation cells
 * of the two microscopes in training (PBC and CBC validation splits, `npm run eval -- --adapt`), as the
 * largest weight that does not lower their accuracy at any K; the figures are in /work notes and README.
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
  /** The head's largest weight in the blend. */
  maxWeight: number;
  /** The number of verified cells at which the head gets half its largest weight. */
  halfAt: number;
  /** The model's error on the verified cells under which the head gets no weight... */
  gateFrom: number;
  /** ...and over which it gets its full weight. */
  gateTo: number;
}

export const DEFAULT_ADAPT: AdaptOptions = { steps: 300, lr: 0.05, l2: 1e-3, scale: 10, maxWeight: 1, halfAt: 0, gateFrom: 0.2, gateTo: 0.5 };

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
  /** Its weight in the blend. */
  weight: number;
  scale: number;
  /** The share of the verified cells the model itself typed wrong (null: not known). */
  modelError: number | null;
}

export function l2normalise(v: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * k;
  return out;
}

/**
 * The head's weight in the blend: it grows with the share of verified cells the model typed wrong
 * (`modelError`, from gateFrom to gateTo), so a microscope the model already reads well keeps the model's
 * output, and with the number of cells n (half at halfAt). Without modelError only n counts.
 */
export function blendWeight(n: number, modelError: number | null, o: Pick<AdaptOptions, 'maxWeight' | 'halfAt' | 'gateFrom' | 'gateTo'> = DEFAULT_ADAPT): number {
  if (n <= 0) return 0;
  const gate = modelError === null ? 1 : Math.min(1, Math.max(0, (modelError - o.gateFrom) / Math.max(1e-9, o.gateTo - o.gateFrom)));
  return (o.maxWeight * gate * n) / (n + o.halfAt);
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
  const a = new Float64Array(classes * n);
  const b = new Float64Array(classes);
  const ga = new Float64Array(classes * n);
  const gb = new Float64Array(classes);
  const z = new Float64Array(classes);
  const s = o.scale;
  for (let step = 0; step < o.steps; step++) {
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      for (let c = 0; c < classes; c++) {
        let acc = b[c];
        const ac = c * n;
        const gi = i * n;
        for (let j = 0; j < n; j++) acc += a[ac + j] * gram[gi + j];
        z[c] = s * acc;
        if (z[c] > m) m = z[c];
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += z[c] = Math.exp(z[c] - m);
      for (let c = 0; c < classes; c++) {
        // d(cross-entropy)/d(logit) = p - onehot; the logit is s (w.x + b)
        const g = (s * (z[c] / sum - (labels[i] === c ? 1 : 0))) / n;
        ga[c * n + i] = g;
        gb[c] += g;
      }
    }
    // W -= lr (G X + l2 W)  <=>  A -= lr (G + l2 A)
    for (let k = 0; k < a.length; k++) a[k] -= o.lr * (ga[k] + o.l2 * a[k]);
    for (let c = 0; c < classes; c++) b[c] -= o.lr * gb[c];
  }
  const w = new Float64Array(classes * dim);
  for (let c = 0; c < classes; c++)
    for (let i = 0; i < n; i++) {
      const v = a[c * n + i];
      if (v) for (let d = 0; d < dim; d++) w[c * dim + d] += v * x[i * dim + d];
    }
  let modelError: number | null = null;
  if (priors) {
    if (priors.length !== n) throw new RangeError(`${n} cells but ${priors.length} model outputs`);
    modelError = priors.filter((p, i) => argmax(p) !== labels[i]).length / n;
  }
  return { dim, classes, w, b, seen, n, modelError, weight: blendWeight(n, modelError, o), scale: s };
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

/** The blended type probabilities: the model's own where there is no head. */
export function adaptedProbs(h: Head | null, model: readonly number[], embedding: ArrayLike<number> | undefined): number[] {
  if (!h || !embedding || h.weight <= 0) return model as number[];
  const p = headProbs(h, embedding);
  return model.map((m, c) => (1 - h.weight) * m + h.weight * p[c]);
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
