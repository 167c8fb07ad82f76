import { describe, expect, it } from 'vitest';
import { CALIBRATION } from './calibration';
import { outOfFocus } from './flags';
import { blockiness, blockWindow, boxPixels, cropRgba, MAX_BLOCKINESS, pixelStats, quantile, readSize, shrinkArea, smallOf, statsSize, toSmall, STATS_READ_SIDE, STATS_SIDE } from './pixels';

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]) {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = f(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  return { data, width: w, height: h };
}

describe('sizes', () => {
  it('fits the long side to STATS_SIDE and never enlarges', () => {
    expect(statsSize(640, 480)).toEqual({ width: STATS_SIDE, height: 192 });
    expect(statsSize(480, 640)).toEqual({ width: 192, height: STATS_SIDE });
    expect(statsSize(100, 50)).toEqual({ width: 100, height: 50 });
    expect(readSize(4000, 3000)).toEqual({ width: 1024, height: 768 });
  });
});

describe('shrinkArea', () => {
  it('averages exactly over integer and fractional footprints', () => {
    const img = image(4, 2, (x) => (x % 2 ? [200, 100, 0] : [0, 100, 200]));
    expect(Array.from(shrinkArea(img, 2, 1))).toEqual([100, 100, 100, 255, 100, 100, 100, 255]);
    // 3 -> 2: output 0 covers input 0 fully and half of input 1
    const row = image(3, 1, (x) => [[0, 90, 180][x], 0, 0]);
    const out = shrinkArea(row, 2, 1);
    expect(out[0]).toBe(Math.round((0 * 1 + 90 * 0.5) / 1.5));
    expect(out[4]).toBe(Math.round((90 * 0.5 + 180 * 1) / 1.5));
  });
  it('refuses to enlarge or a wrong buffer', () => {
    expect(() => shrinkArea(image(2, 2, () => [0, 0, 0]), 3, 3)).toThrow(RangeError);
    expect(() => shrinkArea({ data: new Uint8Array(3), width: 2, height: 2 }, 1, 1)).toThrow(RangeError);
  });
  it('toSmall records the mapping from image pixels', () => {
    const s = toSmall(image(512, 384, () => [1, 2, 3]), 1024);
    expect(s.width).toBe(256);
    expect(s.scale).toBe(0.25);
  });
});

describe('pixelStats', () => {
  const edges = image(128, 96, (x, y) => ((Math.floor(x / 8) + Math.floor(y / 8)) % 2 ? [220, 160, 170] : [120, 60, 120]));
  it('sharpness falls with blur and ignores contrast', () => {
    const blurred = image(128, 96, (x, y) => {
      // the same pattern averaged over a 5x5 window
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          const i = (Math.min(95, Math.max(0, y + dy)) * 128 + Math.min(127, Math.max(0, x + dx))) * 4;
          r += edges.data[i];
          g += edges.data[i + 1];
          b += edges.data[i + 2];
        }
      return [r / 25, g / 25, b / 25];
    });
    const low = image(128, 96, (x, y) => {
      const i = (y * 128 + x) * 4;
      return [100 + edges.data[i] / 4, 100 + edges.data[i + 1] / 4, 100 + edges.data[i + 2] / 4];
    });
    const s = pixelStats(edges).sharpness;
    expect(pixelStats(blurred).sharpness).toBeLessThan(s / 2);
    expect(pixelStats(low).sharpness).toBeCloseTo(s, 1);
  });
  it('grain over a blurred field is not read as focus: a sensor adds it after the blur, each pixel its own', () => {
    // a smear's pale background with red cells (discs 28 px across on this 256-px copy, as a CBC field's), blurred
    // as a field out of focus by some 5 px at 640 px, then grain of sigma 1.2 here (3 at 640 px, averaged down): the
    // stress sets' defocus-5-grain-3, which lost an eighth of its platelets unflagged
    let seed = 9;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const cells: [number, number][] = [];
    for (let y = 16; y < 192; y += 34) for (let x = 16; x < 256; x += 34) if (rnd() < 0.6) cells.push([x + (rnd() - 0.5) * 8, y + (rnd() - 0.5) * 8]);
    const field = (x: number, y: number): [number, number, number] => (cells.some(([cx, cy]) => (x - cx) ** 2 + (y - cy) ** 2 < 14 * 14) ? [205, 125, 135] : [236, 226, 232]);
    const sharp = image(256, 192, field);
    const blur = (img: ReturnType<typeof image>, r: number) =>
      image(256, 192, (x, y) => {
        const acc = [0, 0, 0];
        let n = 0;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) {
            const i = (Math.min(191, Math.max(0, y + dy)) * 256 + Math.min(255, Math.max(0, x + dx))) * 4;
            for (let c = 0; c < 3; c++) acc[c] += img.data[i + c];
            n++;
          }
        return [acc[0] / n, acc[1] / n, acc[2] / n];
      });
    const grain = (img: ReturnType<typeof image>) =>
      image(256, 192, (x, y) => {
        const g = 1.2 * Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
        const i = (y * 256 + x) * 4;
        return [img.data[i] + g, img.data[i + 1] + g, img.data[i + 2] + g];
      });
    const soft = blur(blur(sharp, 2), 2); // two 5x5 boxes: a blur of sigma 2 px here, 5 px at 640 px
    const [g, s, gs] = [grain(sharp), soft, grain(soft)].map((im) => pixelStats(im));
    expect(outOfFocus(g, CALIBRATION)).toBe(false);
    expect(outOfFocus(s, CALIBRATION)).toBe(true);
    expect(outOfFocus(gs, CALIBRATION)).toBe(true);
    // as read, the grain's own edges lift the soft field's sharpness; through the grain (smoothed) they do not
    expect(gs.sharpness).toBeGreaterThan(s.sharpness);
    expect(gs.edges!).toBeLessThan(CALIBRATION.focus.minEdges!);
  });
  it("noise reads the grain of the flat parts, not the edges: a clean pattern's is near 0, a grainy copy's grows with the grain", () => {
    let seed = 5;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const grainy = (sd: number) =>
      image(128, 96, (x, y) => {
        const i = (y * 128 + x) * 4;
        const n = (rnd() + rnd() + rnd() - 1.5) * 2 * sd; // about sd
        return [edges.data[i] + n, edges.data[i + 1] + n, edges.data[i + 2] + n];
      });
    const clean = pixelStats(edges).noise!;
    expect(clean).toBeLessThan(0.5);
    const a = pixelStats(grainy(5)).noise!;
    const b = pixelStats(grainy(20)).noise!;
    expect(a).toBeGreaterThan(5);
    expect(b).toBeGreaterThan(2 * a);
  });
  it('sharpness keeps falling under heavy blur with 8-bit rounding and sensor noise (no floor from the noise)', () => {
    // a field of dark discs (cells) on a light background, blurred by sigma px, rounded to 8 bits, +-1 noise
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const discs = Array.from({ length: 40 }, () => [rand() * 256, rand() * 192]);
    const W = 256;
    const H = 192;
    const field = new Float32Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) field[y * W + x] = discs.some(([cx, cy]) => (x - cx) ** 2 + (y - cy) ** 2 < 100) ? 120 : 220;
    const blurredField = (sigma: number) => {
      // separable Gaussian, edges clamped
      const r = Math.ceil(3 * sigma);
      const wts = Array.from({ length: 2 * r + 1 }, (_, k) => (sigma ? Math.exp(-((k - r) ** 2) / (2 * sigma * sigma)) : 1));
      const tot = wts.reduce((a, b) => a + b, 0);
      const pass = (src: Float32Array, dx: number, dy: number) => {
        const out = new Float32Array(W * H);
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            let v = 0;
            for (let k = -r; k <= r; k++) v += wts[k + r] * src[Math.min(H - 1, Math.max(0, y + k * dy)) * W + Math.min(W - 1, Math.max(0, x + k * dx))];
            out[y * W + x] = v / tot;
          }
        return out;
      };
      const b = pass(pass(field, 1, 0), 0, 1);
      return image(W, H, (x, y) => {
        const n = Math.round(b[y * W + x] + (rand() - 0.5) * 2);
        return [n, n - 40, n];
      });
    };
    const s = [0, 1, 2, 4].map((sigma) => pixelStats(blurredField(sigma)).sharpness);
    expect(s[1]).toBeLessThan(s[0]);
    expect(s[2]).toBeLessThan(s[1]);
    expect(s[3]).toBeLessThan(s[2]);
    expect(s[3]).toBeLessThan(s[0] / 4);
  });
  it('a flat image has zero sharpness; a grey one has a zero colour signature', () => {
    const flat = pixelStats(image(32, 32, () => [128, 128, 128]));
    expect(flat.sharpness).toBe(0);
    expect(flat.colour).toEqual([0, 0, 0, 0]);
  });
  it('a pink-purple picture has red and blue above green', () => {
    const c = pixelStats(edges).colour;
    expect(c[0]).toBeGreaterThan(0.2);
    expect(c[1]).toBeGreaterThan(0.1);
    // the darkest fifth is the purple squares
    expect(c[3]).toBeCloseTo(Math.log(121 / 61), 2);
  });
});

describe('blockiness', () => {
  // a smooth field of soft discs (cells) with a little grain, as a well-kept photo
  let seed = 11;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const cells = Array.from({ length: 30 }, () => [rnd() * 200, rnd() * 150]);
  const smooth = (x: number, y: number) => {
    let v = 215;
    for (const [cx, cy] of cells) v -= 90 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 120);
    return Math.max(0, v) + (rnd() - 0.5) * 3;
  };
  const W = 200;
  const H = 152;
  const field = Array.from({ length: W * H }, (_, p) => smooth(p % W, Math.floor(p / W)));
  const photo = image(W, H, (x, y) => {
    const v = field[y * W + x];
    return [v + 20, v - 20, v + 10];
  });
  /** What a JPEG at a very low quality keeps: each 8x8 block's mean, starting `off` pixels in. */
  const blocky = (off: number) => {
    const mean = new Map<string, number>();
    const key = (x: number, y: number) => `${Math.floor((x + off) / 8)},${Math.floor((y + off) / 8)}`;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) mean.set(key(x, y), (mean.get(key(x, y)) ?? 0) + field[y * W + x] / 64);
    return image(W, H, (x, y) => {
      const v = mean.get(key(x, y))! + (field[y * W + x] - mean.get(key(x, y))!) * 0.2;
      return [v + 20, v - 20, v + 10];
    });
  };
  it('reads near 1 on a smooth photo and far above on one kept as its 8x8 blocks, on the grid or cropped off it', () => {
    const b0 = blockiness(photo)!;
    expect(b0).toBeGreaterThan(0.9);
    expect(b0).toBeLessThan(1.3);
    expect(blockiness(blocky(0))!).toBeGreaterThan(3 * b0);
    expect(blockiness(blocky(3))!).toBeGreaterThan(3 * b0);
  });
  it('a picture of flat blocks reads the cap; a flat picture and a tiny one read nothing', () => {
    const flatBlocks = image(64, 64, (x, y) => {
      const v = ((Math.floor(x / 8) * 7 + Math.floor(y / 8) * 13) % 9) * 20;
      return [v, v, v];
    });
    expect(blockiness(flatBlocks)).toBe(MAX_BLOCKINESS);
    expect(blockiness(image(64, 64, () => [200, 180, 190]))).toBeNull();
    expect(blockiness(image(40, 40, (x) => [x, x, x]))).toBeNull();
  });
  it('toSmall measures it only where the image was read at its own size, as the page reads images up to 1024 px', () => {
    expect(toSmall(photo, W).blockiness).toBeCloseTo(blockiness(photo)!, 6);
    expect(toSmall(photo, 2 * W).blockiness).toBeNull(); // read at half the original's size: the blocks are gone
    expect(pixelStats(toSmall(blocky(0), W)).blockiness!).toBeGreaterThan(3);
    expect(pixelStats(photo).blockiness).toBeNull(); // a bare RGBA picture carries none
  });
  it("a large image's blocks are judged on a centred window at its own resolution, as the page crops it", () => {
    expect(blockWindow(4032, 3024)).toEqual({ x: 1504, y: 1000, width: STATS_READ_SIDE, height: STATS_READ_SIDE });
    expect(blockWindow(1280, 720)).toEqual({ x: 128, y: 0, width: STATS_READ_SIDE, height: 720 });
    expect(blockWindow(640, 480)).toEqual({ x: 0, y: 0, width: 640, height: 480 });
    const cut = cropRgba(photo, { x: 10, y: 20, width: 30, height: 5 });
    expect([cut.width, cut.height]).toEqual([30, 5]);
    expect(Array.from(cut.data.subarray(4 * 31, 4 * 32))).toEqual(Array.from(photo.data.subarray(4 * (21 * W + 11), 4 * (21 * W + 12))));
    // a blocky picture 6 times as large as the read size on its long side: read smaller, its window still shows the blocks
    const big = { data: new Uint8ClampedArray(6 * STATS_READ_SIDE * 200 * 4), width: 6 * STATS_READ_SIDE, height: 200 };
    const tile = blocky(0);
    for (let y = 0; y < big.height; y++)
      for (let x = 0; x < big.width; x++) big.data.set(tile.data.subarray(4 * ((y % H) * W + (x % W)), 4 * ((y % H) * W + (x % W)) + 4), 4 * (y * big.width + x));
    expect(toSmall({ data: new Uint8ClampedArray(4), width: 1, height: 1 }, big.width).blockiness).toBeNull();
    expect(smallOf(big).blockiness!).toBeGreaterThan(3);
    expect(smallOf(photo).blockiness).toBeCloseTo(blockiness(photo)!, 6); // within the read size: the whole image
  });
});

describe('colourSpread', () => {
  it('is 0 for a monochrome picture, small for one saved as RGB with chroma noise, and large for a stained one', () => {
    expect(pixelStats(image(32, 32, (x, y) => [x * 4 + y, x * 4 + y, x * 4 + y])).colourSpread).toBe(0);
    expect(pixelStats(image(32, 32, (x, y) => [x * 4 + ((x + y) % 2), x * 4, x * 4 + ((x * y) % 2)])).colourSpread!).toBeLessThan(1);
    expect(pixelStats(image(32, 32, (x) => (x % 8 < 4 ? [220, 160, 170] : [120, 60, 120]))).colourSpread!).toBeGreaterThan(50);
  });
});

describe('clipped', () => {
  it('is the share of pixels whose brightest channel reached 254: the white a too strong lamp leaves', () => {
    // a quarter of the columns clipped in red only (a pink background washed out), the rest below
    expect(pixelStats(image(32, 32, (x) => (x % 4 === 0 ? [255, 230, 235] : [200, 150, 170]))).clipped).toBe(0.25);
    expect(pixelStats(image(32, 32, () => [253, 253, 253])).clipped).toBe(0);
    expect(pixelStats(image(32, 32, () => [254, 10, 10])).clipped).toBe(1);
  });
});

describe('boxPixels', () => {
  it('reads the ellipse inside a box, through the small copy scale', () => {
    const img = { ...image(100, 100, (x) => (x < 50 ? [0, 0, 0] : [255, 255, 255])), scale: 0.5 };
    const px = boxPixels(img, { x1: 0, y1: 0, x2: 80, y2: 80 }, 1);
    expect(px.grey.length).toBeGreaterThan(1000);
    expect(px.grey.every((g) => g === 0)).toBe(true);
  });
  it('quantile', () => {
    expect(quantile([5, 1, 3], 0)).toBe(1);
    expect(quantile([5, 1, 3], 1)).toBe(5);
    expect(quantile([], 0.5)).toBeNull();
  });
});
