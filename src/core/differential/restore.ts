/**
 * Restoring a soft WBC crop before the classifier (the card's `crop.restore`): the crop's defocus is read
 * on the crop itself, and only a crop far softer than any the classifier trained on is deconvolved, by a
 * Wiener (Tikhonov) inverse of a Gaussian whose strength comes from the crop's own noise, down to that
 * blur and no further. A sharp crop, noisy or not, is returned unchanged.
 *
 * - Blur (blurSigma): the re-blur ratio of the grey crop after a pre-smoothing of `presmooth` px (which
 *   makes it hold under grain): at the strongest `top` of its gradients (`border` px in from the edge),
 *   R = |∇g| / |∇(G₁∗g)|, σ = 1/√(R²−1), the median, then the pre-smoothing taken off in quadrature.
 * - Noise (noiseSigma): per channel, the median |Immerkær residual| / 0.6745 / 6 (the second-difference mask
 *   cancels smooth intensity, so on a soft crop it reads the grain).
 * - Restoration (restoreCrop): where σ > `sigma`, each channel is deconvolved by a Gaussian of
 *   √(σ² − sigma²) with X = H·Y / (H² + λ·|∇|²), λ = alpha·(noise² + (eps/255)²) / mean |∇x|² (the channel's
 *   own gradient power), on the crop mirrored by `pad` px on every side, then clipped to [0, 1].
 *
 * Chosen on validation sets only (2026-12-05; the figures are in the README); mirrors the study's
 * numpy code (scipy gaussian_filter mode "nearest", truncate 4; np.pad "symmetric").
 */

export interface CropRestore {
  /** Blur (64-px crop pixels) above which a crop is restored, and down to which. */
  sigma: number;
  /** Pre-smoothing of the blur estimate (px); taken off in quadrature. */
  presmooth: number;
  /** Fraction of the strongest gradients the re-blur ratio is read at. */
  top: number;
  /** Pixels left out at each edge of the blur estimate. */
  border: number;
  /** Regularisation weight on the noise-to-signal ratio. */
  alpha: number;
  /** Noise floor in 8-bit grey levels (quantisation, JPEG), added in quadrature to the measured noise. */
  eps: number;
  /** Mirror padding (px) around the crop before the Fourier transform. */
  pad: number;
}

const GREY = [0.299, 0.587, 0.114];

/** scipy.ndimage.gaussian_filter1d weights (truncate 4). */
function gaussKernel(sigma: number): Float64Array {
  const r = Math.floor(4 * sigma + 0.5);
  const w = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += w[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < w.length; i++) w[i] /= s;
  return w;
}

/** Separable Gaussian blur of an n x n plane, edge pixels replicated (mode "nearest"). */
export function gaussianBlur(src: Float64Array, n: number, sigma: number): Float64Array {
  const w = gaussKernel(sigma);
  const r = (w.length - 1) / 2;
  const clamp = (i: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);
  const tmp = new Float64Array(n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      let a = 0;
      for (let j = -r; j <= r; j++) a += w[j + r] * src[clamp(y + j) * n + x];
      tmp[y * n + x] = a;
    }
  const out = new Float64Array(n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      let a = 0;
      for (let j = -r; j <= r; j++) a += w[j + r] * tmp[y * n + clamp(x + j)];
      out[y * n + x] = a;
    }
  return out;
}

/** |∇| by central differences: d/dx 0 on the first and last columns, d/dy on the first and last rows. */
function gradMag(g: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      const gx = x > 0 && x < n - 1 ? (g[i + 1] - g[i - 1]) / 2 : 0;
      const gy = y > 0 && y < n - 1 ? (g[i + n] - g[i - n]) / 2 : 0;
      out[i] = Math.hypot(gx, gy);
    }
  return out;
}

const median = (a: Float64Array | number[]) => {
  const s = Float64Array.from(a).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The crop's defocus σ in crop pixels (see the module comment). chw: float CHW in [0, 1], size x size. */
export function blurSigma(chw: Float32Array | Float64Array, size: number, r: Pick<CropRestore, 'presmooth' | 'top' | 'border'>): number {
  const n = size * size;
  let g: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = GREY[0] * chw[i] + GREY[1] * chw[n + i] + GREY[2] * chw[2 * n + i];
  if (r.presmooth > 0) g = gaussianBlur(g, size, r.presmooth);
  const a = gradMag(g, size);
  const b = gradMag(gaussianBlur(g, size, 1), size);
  const idx: number[] = [];
  for (let y = r.border; y < size - r.border; y++) for (let x = r.border; x < size - r.border; x++) idx.push(y * size + x);
  const k = Math.max(1, Math.round(r.top * idx.length));
  idx.sort((i, j) => a[j] - a[i]);
  const s = idx.slice(0, k).map((i) => {
    const ratio = a[i] / Math.max(b[i], 1e-9);
    return 1 / Math.sqrt(Math.max(ratio * ratio - 1, 1e-6));
  });
  const m = median(s);
  return r.presmooth > 0 ? Math.sqrt(Math.max(m * m - r.presmooth * r.presmooth, 0)) : m;
}

/** Per-channel noise σ (in [0, 1] units): median |Immerkær residual| / 0.6745 / 6 over the interior. */
export function noiseSigma(chw: Float32Array | Float64Array, size: number): number[] {
  const n = size * size;
  return [0, 1, 2].map((c) => {
    const o = c * n;
    const v = new Float64Array((size - 2) * (size - 2));
    let p = 0;
    for (let y = 1; y < size - 1; y++)
      for (let x = 1; x < size - 1; x++) {
        const i = o + y * size + x;
        const r =
          chw[i - size - 1] - 2 * chw[i - size] + chw[i - size + 1] - 2 * chw[i - 1] + 4 * chw[i] - 2 * chw[i + 1] + chw[i + size - 1] - 2 * chw[i + size] + chw[i + size + 1];
        v[p++] = Math.abs(r);
      }
    return median(v) / 0.6745 / 6;
  });
}

const twiddles = new Map<number, { cos: Float64Array; sin: Float64Array }>();
/** cos and sin of 2πj/n, j < n (cached per length). */
function twiddle(n: number) {
  let t = twiddles.get(n);
  if (!t) {
    t = { cos: new Float64Array(n), sin: new Float64Array(n) };
    for (let j = 0; j < n; j++) {
      t.cos[j] = Math.cos((2 * Math.PI * j) / n);
      t.sin[j] = Math.sin((2 * Math.PI * j) / n);
    }
    twiddles.set(n, t);
  }
  return t;
}

/** In-place FFT of any length (mixed radix: recursive on the smallest factor, the last factor by its direct
 * sum); sign -1 forward, +1 inverse (unscaled). */
export function fft(re: Float64Array, im: Float64Array, sign: -1 | 1): void {
  const N = re.length;
  if (N <= 1) return;
  const { cos, sin } = twiddle(N);
  const inRe = Float64Array.from(re);
  const inIm = Float64Array.from(im);
  let tr = new Float64Array(2);
  let ti = new Float64Array(2);
  // out[outOff .. outOff+n) = DFT of in[off], in[off+stride], ... (n of them)
  const rec = (off: number, stride: number, n: number, outOff: number) => {
    if (n === 1) {
      re[outOff] = inRe[off];
      im[outOff] = inIm[off];
      return;
    }
    let p = 2;
    while (n % p) p++;
    const m = n / p;
    for (let r = 0; r < p; r++) rec(off + r * stride, stride * p, m, outOff + r * m);
    if (tr.length < p) {
      tr = new Float64Array(p);
      ti = new Float64Array(p);
    }
    const step = N / n; // W_n^e = W_N^(e * step)
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < p; q++) {
        const kk = k + q * m;
        let ar = 0;
        let ai = 0;
        for (let r = 0; r < p; r++) {
          const e = (((r * kk) % n) * step) % N;
          const c = cos[e];
          const s = sign * sin[e];
          const xr = re[outOff + r * m + k];
          const xi = im[outOff + r * m + k];
          ar += xr * c - xi * s;
          ai += xr * s + xi * c;
        }
        tr[q] = ar;
        ti[q] = ai;
      }
      for (let q = 0; q < p; q++) {
        re[outOff + q * m + k] = tr[q];
        im[outOff + q * m + k] = ti[q];
      }
    }
  };
  rec(0, 1, N, 0);
}

/** 2-D FFT of an n x n complex plane, in place. */
function fft2(re: Float64Array, im: Float64Array, n: number, sign: -1 | 1) {
  const lr = new Float64Array(n);
  const li = new Float64Array(n);
  for (let y = 0; y < n; y++) {
    lr.set(re.subarray(y * n, (y + 1) * n));
    li.set(im.subarray(y * n, (y + 1) * n));
    fft(lr, li, sign);
    re.set(lr, y * n);
    im.set(li, y * n);
  }
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) {
      lr[y] = re[y * n + x];
      li[y] = im[y * n + x];
    }
    fft(lr, li, sign);
    for (let y = 0; y < n; y++) {
      re[y * n + x] = lr[y];
      im[y * n + x] = li[y];
    }
  }
}

/** Deconvolve each channel by a Gaussian of `sigma` with the regularised inverse H / (H² + λ_c |∇|²). */
export function wienerGaussian(chw: Float32Array | Float64Array, size: number, sigma: number, lambda: readonly number[], pad: number): Float64Array {
  const n = size + 2 * pad;
  const src = (i: number) => (i < 0 ? -i - 1 : i >= size ? 2 * size - 1 - i : i); // np.pad "symmetric"
  const f = (k: number) => (k < n / 2 ? k : k - n) / n; // np.fft.fftfreq
  const h = new Float64Array(n * n);
  const p2 = new Float64Array(n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const fy = f(y);
      const fx = f(x);
      h[y * n + x] = Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * (fx * fx + fy * fy));
      p2[y * n + x] = 4 * Math.sin(Math.PI * fx) ** 2 + 4 * Math.sin(Math.PI * fy) ** 2;
    }
  const out = new Float64Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    const o = c * size * size;
    const re = new Float64Array(n * n);
    const im = new Float64Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) re[y * n + x] = chw[o + src(y - pad) * size + src(x - pad)];
    fft2(re, im, n, -1);
    for (let i = 0; i < n * n; i++) {
      const g = h[i] / (h[i] * h[i] + lambda[c] * p2[i]);
      re[i] *= g;
      im[i] *= g;
    }
    fft2(re, im, n, 1);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[o + y * size + x] = re[(y + pad) * n + x + pad] / (n * n);
  }
  return out;
}

/** The crop restored when its blur is past `r.sigma` (see the module comment), else the same array. */
export function restoreCrop(chw: Float32Array, size: number, r: CropRestore): { crop: Float32Array; sigma: number; restored: boolean } {
  const n = size * size;
  if (chw.length !== 3 * n) throw new RangeError(`expected ${3 * n} values, got ${chw.length}`);
  const sigma = blurSigma(chw, size, r);
  if (!(sigma > r.sigma)) return { crop: chw, sigma, restored: false };
  const noise = noiseSigma(chw, size);
  const floor = (r.eps / 255) ** 2;
  const lambda = [0, 1, 2].map((c) => {
    const g = gradMag(Float64Array.from(chw.subarray(c * n, (c + 1) * n)), size);
    let power = 0;
    for (let i = 0; i < n; i++) power += g[i] * g[i];
    return (r.alpha * (noise[c] ** 2 + floor)) / Math.max(power / n, 1e-6);
  });
  const x = wienerGaussian(chw, size, Math.sqrt(sigma * sigma - r.sigma * r.sigma), lambda, r.pad);
  const crop = new Float32Array(3 * n);
  for (let i = 0; i < 3 * n; i++) crop[i] = Math.min(1, Math.max(0, x[i]));
  return { crop, sigma, restored: true };
}
