/**
 * Pictures that are not blood smears, made procedurally (no dataset file): what a new user might drop
 * by mistake. The calibration script measures the quality flags on them and the e2e test drops them
 * into the app. Also a Gaussian blur, to make an out-of-focus copy of a real or drawn smear.
 */
import { PNG } from 'pngjs';
import { seededRandom } from '../src/core/adapt/adapt';

export interface Picture {
  name: string;
  width: number;
  height: number;
  data: Uint8Array;
}

function make(name: string, width: number, height: number, f: (x: number, y: number) => [number, number, number]): Picture {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = f(x, y);
      const i = (y * width + x) * 4;
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      data[i + 3] = 255;
    }
  }
  return { name, width, height, data };
}

// The same pictures on every run: core's seeded generator (mulberry32).
const rng = seededRandom;

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** 1/f ("pink") noise: a sum of value-noise octaves with amplitude proportional to their scale. */
function pinkNoise(width: number, height: number, seed: number): Float32Array {
  const out = new Float32Array(width * height);
  const r = rng(seed);
  for (let cell = 128; cell >= 2; cell /= 2) {
    const gw = Math.ceil(width / cell) + 2;
    const gh = Math.ceil(height / cell) + 2;
    const grid = Float32Array.from({ length: gw * gh }, () => r() - 0.5);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const fx = x / cell;
        const fy = y / cell;
        const x0 = Math.floor(fx);
        const y0 = Math.floor(fy);
        const tx = fx - x0;
        const ty = fy - y0;
        const v =
          grid[y0 * gw + x0] * (1 - tx) * (1 - ty) + grid[y0 * gw + x0 + 1] * tx * (1 - ty) + grid[(y0 + 1) * gw + x0] * (1 - tx) * ty + grid[(y0 + 1) * gw + x0 + 1] * tx * ty;
        out[y * width + x] += v * cell;
      }
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of out) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - lo) / (hi - lo || 1);
  return out;
}

/** A page of text: dark word-shaped strokes in lines on white paper. */
function textPage(width: number, height: number, seed: number): Picture {
  const r = rng(seed);
  const ink = new Uint8Array(width * height);
  for (let line = 30; line < height - 20; line += 22) {
    let x = 30;
    while (x < width - 40) {
      const word = 15 + Math.floor(r() * 50);
      for (let c = x; c < Math.min(width - 30, x + word); c += 7) {
        // one glyph: a few vertical and horizontal strokes in a 6x11 cell
        const tall = r() < 0.3 ? 4 : 0;
        for (let y = line - tall; y < line + 9; y++) if (r() < 0.8) ink[y * width + c] = ink[y * width + c + 1] = 1;
        if (r() < 0.6) for (let k = 0; k < 5; k++) ink[(line + Math.floor(r() * 9)) * width + c + k] = 1;
      }
      x += word + 8;
    }
  }
  return make('text-page', width, height, (x, y) => (ink[y * width + x] ? [30, 30, 35] : [245, 244, 240]));
}

/** Separable Gaussian blur of RGBA (edges clamped). */
export function gaussianBlur(p: Picture, sigma: number, name = `${p.name}-blur${sigma}`): Picture {
  const rad = Math.ceil(3 * sigma);
  const k = Array.from({ length: 2 * rad + 1 }, (_, i) => Math.exp(-((i - rad) ** 2) / (2 * sigma * sigma)));
  const ks = k.reduce((a, b) => a + b, 0);
  const { width: w, height: h } = p;
  const tmp = new Float32Array(w * h * 4);
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 4; c++) {
        let a = 0;
        for (let j = -rad; j <= rad; j++) a += p.data[(y * w + Math.min(w - 1, Math.max(0, x + j))) * 4 + c] * k[j + rad];
        tmp[(y * w + x) * 4 + c] = a / ks;
      }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 4; c++) {
        let a = 0;
        for (let j = -rad; j <= rad; j++) a += tmp[(Math.min(h - 1, Math.max(0, y + j)) * w + x) * 4 + c] * k[j + rad];
        out[(y * w + x) * 4 + c] = clamp(a / ks);
      }
  return { name, width: w, height: h, data: out };
}

/** A 640x480 smear-like drawing: pale red discs with lighter centres, one lobed purple white cell. */
export function drawnSmear(seed = 1, width = 640, height = 480): Picture {
  const r = rng(seed);
  const cells: { x: number; y: number; rad: number }[] = [];
  for (let t = 0; t < 400 && cells.length < 45; t++) {
    const c = { x: r() * width, y: r() * height, rad: 30 + r() * 6 };
    if (cells.every((o) => Math.hypot(o.x - c.x, o.y - c.y) > o.rad + c.rad - 4)) cells.push(c);
  }
  const wbc = { x: width * 0.5, y: height * 0.5, rad: 40 };
  return make(`drawn-smear-${seed}`, width, height, (x, y) => {
    const dw = Math.hypot(x - wbc.x, y - wbc.y);
    if (dw < wbc.rad) {
      const lobe = Math.sin(Math.atan2(y - wbc.y, x - wbc.x) * 3) * 8 + 24;
      return dw < lobe ? [95, 50, 135] : [200, 170, 200];
    }
    for (const c of cells) {
      const d = Math.hypot(x - c.x, y - c.y);
      if (d < c.rad && Math.hypot(c.x - wbc.x, c.y - wbc.y) > wbc.rad + c.rad) return d < c.rad * 0.45 ? [228, 160, 160] : [205, 120, 125];
    }
    return [238, 226, 214];
  });
}

/** The non-smear set: each is a picture the app must flag rather than count. */
export function nonSmearPictures(width = 640, height = 480): Picture[] {
  const noise = pinkNoise(width, height, 7);
  const wr = rng(11);
  return [
    make('checkerboard', width, height, (x, y) => ((Math.floor(x / 40) + Math.floor(y / 40)) % 2 ? [20, 20, 20] : [235, 235, 235])),
    make('checkerboard-small', width, height, (x, y) => ((Math.floor(x / 12) + Math.floor(y / 12)) % 2 ? [60, 60, 60] : [200, 200, 200])),
    make('checkerboard-pink', width, height, (x, y) => ((Math.floor(x / 64) + Math.floor(y / 64)) % 2 ? [200, 110, 130] : [240, 225, 215])),
    make('gradient', width, height, (x) => [clamp((x / width) * 255), clamp((x / width) * 255), clamp((x / width) * 255)]),
    make('gradient-colour', width, height, (x, y) => [clamp(255 - (y / height) * 120), clamp(90 + (x / width) * 100), clamp(150 + (y / height) * 100)]),
    textPage(width, height, 3),
    make('pink-noise', width, height, (x, y) => {
      const v = noise[y * width + x];
      return [clamp(150 + 100 * v), clamp(90 + 110 * v), clamp(120 + 100 * v)];
    }),
    make('white-noise', width, height, () => [clamp(wr() * 255), clamp(wr() * 255), clamp(wr() * 255)]),
    make('blank-white', width, height, () => [250, 250, 250]),
    make('blank-pink', width, height, () => [236, 214, 212]),
    gaussianBlur(drawnSmear(2, width, height), 8, 'drawn-smear-blur8'),
  ];
}

export function toPng(p: Picture): Buffer {
  const png = new PNG({ width: p.width, height: p.height });
  png.data = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.length);
  return PNG.sync.write(png);
}
