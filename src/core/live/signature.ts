/**
 * Where on the slide a field is: a small high-passed greyscale signature of the field, and the overlap
 * of two fields from the best normalised cross-correlation over all shifts that leave at least about
 * half of each in common. Moving the slide away and back returns a field at a slightly different place,
 * with other noise and exposure; the correlation is normalised over the overlapping part, so exposure
 * and contrast do not matter, and the high pass takes out the lamp's uneven light, which every field
 * shares and which would otherwise make two different fields look alike.
 */
import { innerSquare, type Circle } from '../quality/field';
import { resampleGrey, type Grey } from './grey';

/** Long side of a signature, in pixels. At 48, a red cell of a 640-wide field is about 5 pixels across. */
export const SIGNATURE_SIDE = 48;
/** Two fields are the same place when their best correlation reaches this (measured: the same field
 * after a JPEG round trip or camera noise ≥ 0.9; different smear fields stay below 0.5 in the tests). */
export const SAME_PLACE_NCC = 0.7;
/** Shifts that leave less than this fraction in common are not tried (a match there says little). */
const MIN_COMMON = 0.4;

export type Signature = Grey;

/** The signature of a field: inside the circular field's inner square when there is one. */
export function fieldSignature(g: Grey, field: Circle | null): Signature {
  const rect = field ? innerSquare(field, g.width, g.height) : { x: 0, y: 0, w: g.width, h: g.height };
  const s = SIGNATURE_SIDE / Math.max(rect.w, rect.h);
  const w = Math.max(8, Math.round(rect.w * s));
  const h = Math.max(8, Math.round(rect.h * s));
  return highPass(resampleGrey(g, rect, w, h), 3);
}

/** The copy minus its local mean over a (2r+1)² box (a summed-area table). */
export function highPass(g: Grey, r: number): Grey {
  const { width: w, height: h, data } = g;
  const sat = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += data[y * w + x];
      sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const sum = sat[y1 * (w + 1) + x1] - sat[y0 * (w + 1) + x1] - sat[y1 * (w + 1) + x0] + sat[y0 * (w + 1) + x0];
      out[y * w + x] = data[y * w + x] - sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return { data: out, width: w, height: h };
}

export interface Match {
  /** The best normalised correlation over the common part (−1…1). */
  ncc: number;
  /** a at (x, y) shows what b shows at (x − dx, y − dy), in signature pixels. */
  dx: number;
  dy: number;
  /** The fraction of a field the two have in common at that shift. */
  overlap: number;
}

/** The best alignment of two signatures. Of other shapes too: a phone turned on its side turns the camera's frames
 * with the screen (640x480 becomes 480x640 about the same centre, the slide upright in both, at the same scale),
 * and a field's signature is 48x36 in one and 36x48 in the other (before, signatures of other shapes never
 * matched, and every field was captured again after a turn). Shifts are tried about the centres' alignment;
 * `overlap` is the common part's share of the larger signature. */
export function matchSignatures(a: Signature, b: Signature): Match {
  const none: Match = { ncc: 0, dx: 0, dy: 0, overlap: 0 };
  const { width: wa, height: ha } = a;
  const { width: wb, height: hb } = b;
  const area = Math.max(wa * ha, wb * hb);
  // b's centre on a's (the same for signatures of one shape: no offset)
  const cx = Math.round((wa - wb) / 2);
  const cy = Math.round((ha - hb) / 2);
  const rx = Math.floor(Math.min(wa, wb) / 2);
  const ry = Math.floor(Math.min(ha, hb) / 2);
  let best = none;
  for (let dy = cy - ry; dy <= cy + ry; dy++) {
    for (let dx = cx - rx; dx <= cx + rx; dx++) {
      // a(x, y) against b(x - dx, y - dy) over the common rectangle
      const ax0 = Math.max(0, dx);
      const ax1 = Math.min(wa, wb + dx);
      const ay0 = Math.max(0, dy);
      const ay1 = Math.min(ha, hb + dy);
      if (ax1 <= ax0 || ay1 <= ay0) continue;
      const common = ((ax1 - ax0) * (ay1 - ay0)) / area;
      if (common < MIN_COMMON) continue;
      let sa = 0;
      let sb = 0;
      let saa = 0;
      let sbb = 0;
      let sab = 0;
      let n = 0;
      for (let y = ay0; y < ay1; y++) {
        const ra = y * wa;
        const rb = (y - dy) * wb - dx;
        for (let x = ax0; x < ax1; x++) {
          const va = a.data[ra + x];
          const vb = b.data[rb + x];
          sa += va;
          sb += vb;
          saa += va * va;
          sbb += vb * vb;
          sab += va * vb;
          n++;
        }
      }
      const cov = sab - (sa * sb) / n;
      const va = saa - (sa * sa) / n;
      const vb = sbb - (sb * sb) / n;
      if (va <= 1e-9 || vb <= 1e-9) continue;
      const ncc = cov / Math.sqrt(va * vb);
      if (ncc > best.ncc) best = { ncc, dx, dy, overlap: common };
    }
  }
  return best;
}

/** A field already captured that this one overlaps by at least `minOverlap` (null: a new field). */
export function seenBefore(sig: Signature, captured: readonly Signature[], minOverlap = 0.5): { index: number; match: Match } | null {
  for (let i = 0; i < captured.length; i++) {
    const m = matchSignatures(captured[i], sig);
    if (m.ncc >= SAME_PLACE_NCC && m.overlap >= minOverlap) return { index: i, match: m };
  }
  return null;
}
