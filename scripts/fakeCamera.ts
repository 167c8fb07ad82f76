/**
 * Chromium's fake camera for live mode: a YUV4MPEG2 file built at test time from dataset images
 * (nothing of it is committed). A "slide" is a script of steps: hold a field still, pan from one field to
 * the next (the slide moving under the objective), or dark frames (the lamp off). Chromium plays the file
 * at its frame rate and loops it, so the first field comes back after the last step.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from './evaluation/decode';
import { gaussianBlur } from './nonSmear';

export const CAMERA = { width: 640, height: 480, fps: 10 };

/** The flags that give the page a camera playing `file` and answer its permission prompt with yes. */
export const fakeCameraArgs = (file: string, answerPrompt = true) => [
  '--use-fake-device-for-media-stream',
  ...(answerPrompt ? ['--use-fake-ui-for-media-stream'] : []),
  `--use-file-for-fake-video-capture=${file}`,
];

export type Step =
  | {
      hold: number;
      field: number;
      /** the view shifted this fraction of the width toward the next field */
      shift?: number;
      /** the lamp's light, 1 = as photographed */
      gain?: number;
      /** the fine focus off: a Gaussian blur of this sigma, in frame pixels */
      blur?: number;
      /** a dim field at a high camera gain: Gaussian grain of this sigma, in grey levels (seeded, the same
       * on the three channels, as a sensor's luminance noise) */
      noise?: number;
      /** a hand-held phone: each frame the view is shifted by up to this many frame pixels each way (seeded) */
      shake?: number;
      /** a real sensor's temporal noise: each frame its own Gaussian grain of this sigma, in grey levels (seeded,
       * the same on the three channels). A still field's frames then differ as a phone camera's do, where the
       * other options give the same frame over and over, which the detector reads the same each time */
      frameNoise?: number;
      /** the phone held back from the eyepiece: the eyepiece's view shrunk into a disc of this share of the
       * frame, black about it (with `eyepiece`) */
      fieldOfView?: number;
      /** the objective a step down (or the phone's camera zoomed out): the view an n x n mosaic of fields from
       * `field` on, each shrunk n times (pixel blocks averaged), so its cells are 1/n their size */
      mosaic?: number;
    }
  | { pan: number; from: number; to: number }
  | { dark: number };

interface Yuv {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

/** RGB fields side by side, sampled at any horizontal offset. */
export type Rgb = { data: Uint8Array; width: number; height: number };

function toYuv(rgbAt: (x: number, y: number) => [number, number, number], w: number, h: number): Yuv {
  const y = new Uint8Array(w * h);
  const u = new Uint8Array((w / 2) * (h / 2));
  const v = new Uint8Array((w / 2) * (h / 2));
  const cu = new Float32Array((w / 2) * (h / 2));
  const cv = new Float32Array((w / 2) * (h / 2));
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      // a light above the photograph's (gain > 1) clips at white, as a sensor does: unclamped, a channel over
      // 255 wrapped round in the Uint8Array to a dark, grainy view
      const [r, g, b] = rgbAt(i, j).map((c) => Math.max(0, Math.min(255, c)));
      // BT.601, limited range: what Chromium assumes for I420 from a file
      y[j * w + i] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
      const k = (j >> 1) * (w / 2) + (i >> 1);
      cu[k] += (-37.797 * r - 74.203 * g + 112.0 * b) / 255 / 4;
      cv[k] += (112.0 * r - 93.786 * g - 18.214 * b) / 255 / 4;
    }
  }
  for (let k = 0; k < u.length; k++) {
    u[k] = Math.max(0, Math.min(255, Math.round(128 + cu[k])));
    v[k] = Math.max(0, Math.min(255, Math.round(128 + cv[k])));
  }
  return { y, u, v };
}

/** The view at `offset` pixels from field a toward field b (b sits right of a on the slide). */
/** The black ring of an eyepiece photo: the disc's radius, as a fraction of the frame's height. */
export const EYEPIECE_RADIUS = 0.47;

function panned(a: Rgb, b: Rgb, offset: number, w: number, h: number, gain = 1, eyepiece = false, dy = 0, fieldOfView?: number): Yuv {
  const r2 = (EYEPIECE_RADIUS * h) ** 2;
  // a field of view of `fieldOfView` of the frame shows the eyepiece's whole disc, shrunk by k
  const k = eyepiece && fieldOfView ? (EYEPIECE_RADIUS * h) / Math.sqrt((fieldOfView * w * h) / Math.PI) : 1;
  return toYuv(
    (fx, fy) => {
      const x = k === 1 ? fx : Math.round(w / 2 + (fx + 0.5 - w / 2) * k - 0.5);
      const y = k === 1 ? fy : Math.round(h / 2 + (fy + 0.5 - h / 2) * k - 0.5);
      if (eyepiece && (x + 0.5 - w / 2) ** 2 + (y + 0.5 - h / 2) ** 2 > r2) return [4, 3, 4];
      const sx = Math.max(0, x + offset);
      const sy = Math.min(h - 1, Math.max(0, y + dy));
      const src = sx < w ? a : b;
      const i = (sy * w + (sx < w ? sx : sx - w)) * 3;
      return [src.data[i] * gain, src.data[i + 1] * gain, src.data[i + 2] * gain];
    },
    w,
    h,
  );
}

/** A field through a fine focus turned off by `sigma` px (none: the field itself). */
function blurred(f: Rgb, sigma?: number): Rgb {
  if (!sigma) return f;
  const rgba = new Uint8Array(f.width * f.height * 4);
  for (let p = 0; p < f.width * f.height; p++) rgba.set([f.data[p * 3], f.data[p * 3 + 1], f.data[p * 3 + 2], 255], p * 4);
  const b = gaussianBlur({ name: 'soft', width: f.width, height: f.height, data: rgba }, sigma);
  const data = new Uint8Array(f.width * f.height * 3);
  for (let p = 0; p < f.width * f.height; p++) data.set(b.data.subarray(p * 4, p * 4 + 3), p * 3);
  return { data, width: f.width, height: f.height };
}

/** A field with sensor grain of `sigma` grey levels (none: the field itself). */
function grainy(f: Rgb, sigma?: number, seed = 11): Rgb {
  if (!sigma) return f;
  let s = seed;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const data = new Uint8Array(f.data.length);
  for (let p = 0; p < f.width * f.height; p++) {
    const n = sigma * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(f.data[p * 3 + c] + n)));
  }
  return { data, width: f.width, height: f.height };
}

/** An n x n mosaic of `fields` from `first` on (row by row, wrapping), shrunk into one field's size: cells 1/n
 * their size, as at a lower magnification. Each output pixel is the mean of its n x n block. */
export function mosaicField(fields: Rgb[], first: number, n: number): Rgb {
  const { width: w, height: h } = fields[0];
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const sum = [0, 0, 0];
      for (let j = 0; j < n; j++)
        for (let i = 0; i < n; i++) {
          const mx = x * n + i;
          const my = y * n + j;
          const f = fields[(first + Math.floor(mx / w) + n * Math.floor(my / h)) % fields.length];
          const k = ((my % h) * w + (mx % w)) * 3;
          for (let c = 0; c < 3; c++) sum[c] += f.data[k + c];
        }
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.round(sum[c] / (n * n));
    }
  return { data, width: w, height: h };
}

async function loadField(path: string, w: number, h: number): Promise<Rgb> {
  const img = await decodeImage(path);
  if (img.width !== w || img.height !== h) throw new Error(`${path}: ${img.width}x${img.height}, the fake camera is ${w}x${h}`);
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) data.set(img.data.subarray(p * 4, p * 4 + 3), p * 3);
  return { data, width: w, height: h };
}

/** Bumped when the frames a script gives change (2: a light above the photograph's clips at white). */
const FORMAT = 2;

/**
 * Writes the script as a .y4m under the system's temp folder and returns its path. The file is reused while
 * the script, its images and the camera are the same: they are kept beside it (NAME.json). Before, a file of the
 * same size was reused, so a script changed in anything but its length (a gain, a blur, a shift) played the
 * old video. `name` is the file's: one script at a time per name.
 */
export async function buildFakeCamera(name: string, images: string[], steps: Step[], cam = CAMERA, opts: { eyepiece?: boolean } = {}): Promise<string> {
  const { width: w, height: h, fps } = cam;
  const dir = join(tmpdir(), 'smearcount-fake-camera');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.y4m`);
  const frames = steps.reduce((n, s) => n + Math.round(('hold' in s ? s.hold : 'pan' in s ? s.pan : s.dark) * fps), 0);
  const header = `YUV4MPEG2 W${w} H${h} F${fps}:1 Ip A1:1 C420jpeg\n`;
  const frameBytes = 6 + (w * h * 3) / 2;
  const key = JSON.stringify({ format: FORMAT, images, steps, cam, opts });
  const keyFile = join(dir, `${name}.json`);
  if (existsSync(file) && statSync(file).size === header.length + frames * frameBytes && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return file;
  const fields = await Promise.all(images.map((p) => loadField(p, w, h)));
  const fd = openSync(file + '.part', 'w');
  try {
    writeSync(fd, header);
    const put = (f: Yuv, n: number) => {
      const buf = Buffer.concat([Buffer.from('FRAME\n'), f.y, f.u, f.v]);
      for (let i = 0; i < n; i++) writeSync(fd, buf);
    };
    const dark = toYuv(() => [0, 0, 0], w, h);
    for (const s of steps) {
      if ('dark' in s) put(dark, Math.round(s.dark * fps));
      else if ('hold' in s) {
        const a = grainy(blurred(s.mosaic && s.mosaic > 1 ? mosaicField(fields, s.field, s.mosaic) : fields[s.field], s.blur), s.noise);
        const b = grainy(blurred(fields[(s.field + 1) % fields.length], s.blur), s.noise);
        const n = Math.round(s.hold * fps);
        if (s.frameNoise && s.blur) {
          const sharp = s.mosaic && s.mosaic > 1 ? mosaicField(fields, s.field, s.mosaic) : fields[s.field];
          // the grain under the soft focus, frame by frame: a soft view stays soft (grain on top of it reads as
          // sharp detail to the focus measure), and still its frames differ
          for (let k = 0; k < n; k++) {
            const f = blurred(grainy(sharp, s.frameNoise, 101 + k), s.blur);
            put(panned(f, b, Math.round((s.shift ?? 0) * w), w, h, s.gain, opts.eyepiece, 0, s.fieldOfView), 1);
          }
        } else if (s.frameNoise) {
          const clean = panned(a, b, Math.round((s.shift ?? 0) * w), w, h, s.gain, opts.eyepiece, 0, s.fieldOfView);
          let seed = 13;
          const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
          // on the luma plane (the grain the same on the three channels leaves the chroma as it was)
          const y = new Uint8Array(clean.y.length);
          for (let k = 0; k < n; k++) {
            for (let p = 0; p < y.length; p++) {
              const g = s.frameNoise * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
              y[p] = Math.max(16, Math.min(235, Math.round(clean.y[p] + g)));
            }
            put({ ...clean, y }, 1);
          }
        } else if (!s.shake) put(panned(a, b, Math.round((s.shift ?? 0) * w), w, h, s.gain, opts.eyepiece, 0, s.fieldOfView), n);
        else {
          // each frame its own shift, uniform in [-shake, shake] (an eyepiece ring, where drawn, stays put)
          let seed = 7;
          const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
          for (let k = 0; k < n; k++) {
            const dx = Math.round((rnd() * 2 - 1) * s.shake);
            const dy = Math.round((rnd() * 2 - 1) * s.shake);
            put(panned(a, b, Math.round((s.shift ?? 0) * w) + dx, w, h, s.gain, opts.eyepiece, dy), 1);
          }
        }
      } else {
        const n = Math.round(s.pan * fps);
        // the frames strictly between the two held views: the slide moves the whole way in `pan` seconds
        for (let k = 1; k <= n; k++) put(panned(fields[s.from], fields[s.to], Math.round((k / (n + 1)) * w), w, h, 1, opts.eyepiece), 1);
      }
    }
  } finally {
    closeSync(fd);
  }
  renameSync(file + '.part', file);
  writeFileSync(keyFile, key);
  return file;
}

/** The slide: each field held `hold` s, a `pan` s slide between them, a dark tail. */
export function fieldTour(n: number, hold = 2.5, pan = 1, dark = 2): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < n; i++) {
    steps.push({ hold, field: i });
    if (i < n - 1) steps.push({ pan, from: i, to: i + 1 });
  }
  steps.push({ dark });
  return steps;
}

/** Seconds the script lasts (one pass of the loop). */
export const scriptSeconds = (steps: Step[]) => steps.reduce((t, s) => t + ('hold' in s ? s.hold : 'pan' in s ? s.pan : s.dark), 0);
