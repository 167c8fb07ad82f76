/** The README pictures' smear, drawn procedurally: no dataset image (or picture of one) is ever committed. */
import { PNG } from 'pngjs';

/** A 640x480 smear-like picture: pale red cells with lighter centres, one lobed white cell, platelets. */
export function syntheticSmear(seed: number): Buffer {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const W = 640;
  const H = 480;
  const png = new PNG({ width: W, height: H });
  const px = (x: number, y: number, c: number[]) => {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    png.data.set([...c, 255], (y * W + x) * 4);
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px(x, y, [232 + ((x * 7 + y * 3) % 5), 222, 228]);
  const disc = (cx: number, cy: number, r: number, col: (d: number) => number[] | null) => {
    for (let y = Math.floor(cy - r); y <= cy + r; y++)
      for (let x = Math.floor(cx - r); x <= cx + r; x++) {
        const d = Math.hypot(x - cx, y - cy) / r;
        if (d <= 1) {
          const c = col(d);
          if (c) px(x, y, c);
        }
      }
  };
  for (let i = 0; i < 26; i++) {
    const r = 42 + rnd() * 10;
    disc(rnd() * W, rnd() * H, r, (d) => (d < 0.45 ? [222, 190, 196] : [205 - 20 * d, 150, 165]));
  }
  disc(330, 250, 80, (d) => [196, 176, 214 - 10 * d]);
  for (const [dx, dy] of [[-25, -15], [15, -25], [28, 12], [-10, 25]]) disc(330 + dx, 250 + dy, 24, () => [98, 60, 150]);
  for (let i = 0; i < 3; i++) disc(60 + rnd() * 520, 60 + rnd() * 360, 9, () => [150, 100, 170]);
  return PNG.sync.write(png);
}
