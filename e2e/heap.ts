import type { Rgba } from '../scripts/evaluation/decode';

/**
 * A heap of platelets made from a field's own platelet (for the clump flag's tests; no dataset file is
 * written): the labelled platelet most clearly inside the field is copied `n` times, side by side with
 * `gap` px between copies, onto the field's plainest background, each laid as the light it absorbs (its
 * pixels over its own background's colour), as a slide shows platelets that touch.
 */
export function layHeap(field: Rgba, labels: { cls: string; box: { x1: number; y1: number; x2: number; y2: number } }[], n = 4, gap = 3): { image: Rgba; at: { x: number; y: number; w: number; h: number } } | null {
  const { width: W, height: H } = field;
  const px = (x: number, y: number, c: number) => field.data[(y * W + x) * 4 + c];
  const plt = labels.filter((o) => o.cls === 'Platelets').map((o) => o.box).filter((b) => b.x1 > 12 && b.y1 > 12 && b.x2 < W - 12 && b.y2 < H - 12);
  if (!plt.length) return null;
  const b = plt.sort((p, q) => (q.x2 - q.x1) * (q.y2 - q.y1) - (p.x2 - p.x1) * (p.y2 - p.y1))[0];
  const m = 3;
  const x0 = Math.round(b.x1) - m;
  const y0 = Math.round(b.y1) - m;
  const pw = Math.round(b.x2) + m - x0;
  const ph = Math.round(b.y2) + m - y0;
  // the patch's background: the median of its rim, per channel
  const rim: number[][] = [[], [], []];
  for (let y = 0; y < ph; y++)
    for (let x = 0; x < pw; x++)
      if (x === 0 || y === 0 || x === pw - 1 || y === ph - 1) for (let c = 0; c < 3; c++) rim[c].push(px(x0 + x, y0 + y, c));
  const bg = rim.map((v) => v.sort((a, z) => a - z)[v.length >> 1] || 1);
  // the plainest place for a 2-row heap: the window of the brightest, flattest grey
  const hw = Math.ceil(n / 2) * (pw - 2 * m + gap) + 2 * m;
  const hh = 2 * (ph - 2 * m + gap) + 2 * m;
  let best = { x: 0, y: 0, v: -Infinity };
  for (let y = 8; y + hh < H - 8; y += 8)
    for (let x = 8; x + hw < W - 8; x += 8) {
      let s = 0;
      let s2 = 0;
      let k = 0;
      for (let yy = y; yy < y + hh; yy += 2)
        for (let xx = x; xx < x + hw; xx += 2) {
          const g = (px(xx, yy, 0) + px(xx, yy, 1) + px(xx, yy, 2)) / 3;
          s += g;
          s2 += g * g;
          k++;
        }
      const mean = s / k;
      const v = mean - 2 * Math.sqrt(Math.max(0, s2 / k - mean * mean));
      if (v > best.v) best = { x, y, v };
    }
  const data = new Uint8Array(field.data);
  for (let i = 0; i < n; i++) {
    const ox = best.x + (i >> 1) * (pw - 2 * m + gap);
    const oy = best.y + (i & 1) * (ph - 2 * m + gap);
    for (let y = 0; y < ph; y++)
      for (let x = 0; x < pw; x++)
        for (let c = 0; c < 3; c++) {
          const t = Math.min(1, px(x0 + x, y0 + y, c) / bg[c]);
          const j = ((oy + y) * W + ox + x) * 4 + c;
          data[j] = Math.round(data[j] * t);
        }
  }
  return { image: { width: W, height: H, data }, at: { x: best.x, y: best.y, w: hw, h: hh } };
}
