/**
 * "A platelet is stained": dust on a camera or lens, and debris on the slide, can be the size and
 * darkness of a platelet, and a detector trained under every colour cast learns that colour does not
 * tell them apart (issue 21: 10 of the 12 unmatched platelets on CBC Testing were one grey speck). A
 * field does: a stained object absorbs the colours unequally, a grey one absorbs them alike.
 *
 * Each object's colour is read as optical density against the field's own background,
 * OD_c = -ln(I_c / background_c), from the darkest part of its box. A colour cast multiplies a channel
 * in the object and the background alike, so it cancels: the "stain saturation" |OD - mean(OD)| /
 * mean(OD) of an object does not move with the white balance or the camera's cast. It is compared with
 * the same measure of the field's own confident red cells, so a pale stain or a desaturated camera lowers
 * both. A platelet candidate whose saturation is under `maxRatio` of the red cells' is grey where the
 * field's cells are stained: not a cell, left out of the counts (drawn grey, the technician's again the
 * moment they edit it). Where the field itself carries no stain colour (a monochrome camera), where
 * the candidate is too small in the small copy, or barely darker than the background, there is no
 * evidence and the rule keeps the detection.
 *
 * Chosen on the detector's validation images only (`npm run eval -- models/runs/speck-sets/…`,
 * `models/runs/cast-sets/…`; README "Numbers a lab can sign").
 */
import type { Detection } from '../detection/detection';
import type { Box } from '../detection/geometry';
import { median } from '../detection/scale';
import { forEllipse, type SmallImage } from './pixels';

export interface DebrisParams {
  /** RBCs scoring at least this are the field's reference stained cells. */
  rbcMinScore: number;
  /** At least this many reference RBCs, or the rule does not run. */
  minRbcs: number;
  /** The reference RBCs' median stain saturation must reach this, or the field has no colour to compare. */
  minRefSaturation: number;
  /** Platelet candidates scoring at least this are judged (lower ones are not shown anyway). */
  minScore: number;
  /** A candidate's box must span at least this many pixels of the small copy (side). */
  minPx: number;
  /** Its mean optical density must reach this, or it is too faint to read a colour from. */
  minDensity: number;
  /** The darkest share of a box's pixels that is read as the object. */
  darkShare: number;
  /** Grey: saturation under this share of the reference RBCs'. */
  maxRatio: number;
}

/** The code around the parameters, versioned by hand: bump it when the rule's code (or its guards in
 * assess.ts, such as no verdict in a field too dark or too bright) changes what it finds. 2: the exposure
 * guards (2026-12-05). */
const DEBRIS_CODE_VERSION = 2;

/** Names the rule a verdict was made under: the code's version and every parameter. A verdict stored with
 * an image (Quality.debrisRule) under another id was made by a rule the app no longer runs. */
export function debrisRuleId(p: DebrisParams | null): string {
  return p ? `${DEBRIS_CODE_VERSION}:${JSON.stringify(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)))}` : 'off';
}

const MAX_REFERENCE_RBCS = 24;
/** The darkest share of a reference RBC read as its stain (half: the pale centre and rim are left out). */
const REFERENCE_DARK_SHARE = 0.5;

export const DEBRIS_RULE: DebrisParams = {
  rbcMinScore: 0.8,
  minRbcs: 3,
  minRefSaturation: 0.03,
  minScore: 0.1,
  minPx: 4,
  minDensity: 0.03,
  darkShare: 0.3,
  maxRatio: 0.5,
};

/** Per grey level (R+G+B, 0-765) of a box: how many pixels, and their channels' sums. Reused: the
 * rule runs on one image at a time. */
const LEVELS = 766;
const levelCount = new Uint32Array(LEVELS);
const levelSum = new Float64Array(LEVELS * 3);

/** The mean colour of the darkest `share` of the pixels inside the box's inscribed ellipse, small copy. */
function darkColour(img: SmallImage, box: Box, share: number): [number, number, number] | null {
  const d = img.data;
  let total = 0;
  let lo = LEVELS;
  let hi = -1;
  forEllipse(img, box, 1, (i) => {
    const level = d[i] + d[i + 1] + d[i + 2];
    if (!levelCount[level]) {
      levelSum[level * 3] = levelSum[level * 3 + 1] = levelSum[level * 3 + 2] = 0;
      lo = Math.min(lo, level);
      hi = Math.max(hi, level);
    }
    levelCount[level]++;
    levelSum[level * 3] += d[i];
    levelSum[level * 3 + 1] += d[i + 1];
    levelSum[level * 3 + 2] += d[i + 2];
    total++;
  });
  if (!total) return null;
  // the darkest pixels, whole grey levels first, then a share of the level that crosses the count
  const want = Math.max(1, Math.round(total * share));
  const m: [number, number, number] = [0, 0, 0];
  let taken = 0;
  for (let level = lo; level <= hi; level++) {
    const n = levelCount[level];
    if (!n) continue;
    const k = Math.min(n, want - taken);
    for (let c = 0; c < 3; c++) m[c] += (levelSum[level * 3 + c] * k) / n;
    taken += k;
    if (taken >= want) break;
  }
  levelCount.fill(0, lo, hi + 1);
  return [m[0] / taken, m[1] / taken, m[2] / taken];
}

/** The field's background: each channel's median over the small copy's pixels outside every box. */
export function backgroundColour(img: SmallImage, boxes: readonly Box[]): [number, number, number] | null {
  const { width: w, height: h } = img;
  const covered = new Uint8Array(w * h);
  for (const b of boxes) {
    const x0 = Math.max(0, Math.round(b.x1 * img.scale));
    const x1 = Math.min(w, Math.round(b.x2 * img.scale));
    for (let y = Math.max(0, Math.round(b.y1 * img.scale)); y < Math.min(h, Math.round(b.y2 * img.scale)); y++) covered.fill(1, y * w + x0, Math.max(y * w + x0, y * w + x1));
  }
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  // every other pixel of every other row: the median of a background does not need all of them
  for (let y = 0; y < h; y += 2) {
    for (let k = y * w; k < (y + 1) * w; k += 2) {
      if (covered[k]) continue;
      n++;
      for (let c = 0; c < 3; c++) hist[c][img.data[k * 4 + c]]++;
    }
  }
  if (n < 16) return null;
  return hist.map((hc) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += hc[v]) * 2 >= n) return v;
    return 255;
  }) as [number, number, number];
}

/** Optical density per channel against the background, its mean, and the stain saturation. */
export function stain(colour: readonly number[], bg: readonly number[]): { density: number; saturation: number } {
  const od = colour.map((v, c) => -Math.log(Math.max(1, v) / Math.max(1, bg[c])));
  const density = (od[0] + od[1] + od[2]) / 3;
  const spread = Math.hypot(od[0] - density, od[1] - density, od[2] - density);
  return { density, saturation: density > 0 ? spread / density : 0 };
}

export interface DebrisEvidence {
  /** The reference RBCs' median stain saturation, or null when the rule could not run on this field. */
  reference: number | null;
  /** Per judged platelet candidate: its saturation over the reference. */
  ratios: Map<string, number>;
  /** The candidates taken for grey debris. */
  debris: string[];
}

export function debrisEvidence(img: SmallImage, raw: readonly Detection[], shown: readonly Detection[], p: DebrisParams = DEBRIS_RULE): DebrisEvidence {
  const none: DebrisEvidence = { reference: null, ratios: new Map(), debris: [] };
  // the most confident ones: a median of a few dozen is as good as one of all
  const rbcs = raw
    .filter((d) => d.cls === 'RBC' && d.score >= p.rbcMinScore)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_REFERENCE_RBCS);
  if (rbcs.length < p.minRbcs) return none;
  const bg = backgroundColour(img, shown.map((d) => d.box));
  if (!bg) return none;
  const sats: number[] = [];
  for (const d of rbcs) {
    const c = darkColour(img, d.box, REFERENCE_DARK_SHARE);
    if (!c) continue;
    const s = stain(c, bg);
    if (s.density > 0) sats.push(s.saturation);
  }
  if (sats.length < p.minRbcs) return none;
  const reference = median(sats)!;
  if (reference < p.minRefSaturation) return { ...none, reference };
  const ratios = new Map<string, number>();
  const debris: string[] = [];
  for (const d of raw) {
    if (d.cls !== 'Platelets' || d.score < p.minScore) continue;
    const side = Math.min(d.box.x2 - d.box.x1, d.box.y2 - d.box.y1) * img.scale;
    if (side < p.minPx) continue;
    const c = darkColour(img, d.box, p.darkShare);
    if (!c) continue;
    const s = stain(c, bg);
    if (s.density < p.minDensity) continue;
    const r = s.saturation / reference;
    ratios.set(d.id, r);
    if (r < p.maxRatio) debris.push(d.id);
  }
  return { reference, ratios, debris };
}
