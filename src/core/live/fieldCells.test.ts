import { describe, expect, it } from 'vitest';
import type { PostprocessParams } from '../detection/card';
import type { Detection } from '../detection/detection';
import { countCells } from '../counts/counts';
import { NO_EDITS } from '../edits/edits';
import { assessImage } from '../quality/assess';
import { findCircularField } from '../quality/field';
import { pixelStats, statsSize, type SmallImage } from '../quality/pixels';
import { imageCounts } from '../../store/selectors';
import type { ImageEntry } from '../../store/types';
import { fieldCells } from './fieldCells';

// the fake camera's frame and the live view's statistics copy of it (services/live onFrame)
const FRAME = { width: 640, height: 480 };
const SMALL = statsSize(FRAME.width, FRAME.height);
const K = SMALL.width / FRAME.width;

type Disc = { x: number; y: number; r: number; rgb: [number, number, number]; nucleus?: [number, number, number]; pale?: [number, number, number] };

/** The statistics copy of a field: discs (small-copy pixels) on a pale background; an RBC has a pale centre, a WBC a
 * nucleus of half its radius. */
function scene(discs: Disc[]): SmallImage {
  const data = new Uint8ClampedArray(SMALL.width * SMALL.height * 4);
  for (let y = 0; y < SMALL.height; y++)
    for (let x = 0; x < SMALL.width; x++) {
      let c: [number, number, number] = [240, 230, 225];
      for (const d of discs) {
        const dist = Math.hypot(x + 0.5 - d.x, y + 0.5 - d.y);
        if (dist < d.r) c = d.nucleus && dist < d.r / 2 ? d.nucleus : d.pale && dist < d.r * 0.4 ? d.pale : d.rgb;
      }
      data.set([...c, 255], (y * SMALL.width + x) * 4);
    }
  return { data, width: SMALL.width, height: SMALL.height, scale: K };
}

/** A model detection of disc `d`, in the frame's pixels. */
const det = (id: string, cls: Detection['cls'], d: Disc, score = 0.9): Detection => ({
  id,
  cls,
  score,
  origin: 'model',
  box: { x1: (d.x - d.r) / K, y1: (d.y - d.r) / K, x2: (d.x + d.r) / K, y2: (d.y + d.r) / K },
});

const red: [number, number, number] = [190, 100, 115];
const pale: [number, number, number] = [225, 160, 165];
const rbcs: Disc[] = [
  { x: 30, y: 30, r: 10, rgb: red, pale },
  { x: 70, y: 30, r: 11, rgb: red, pale },
  { x: 110, y: 30, r: 10, rgb: red, pale },
  { x: 30, y: 90, r: 9, rgb: red, pale },
  { x: 70, y: 150, r: 10, rgb: red, pale },
  // cut by the frame's right edge (the count rule's business)
  { x: 252, y: 100, r: 10, rgb: red, pale },
];
// a red cell the detector took for a WBC: an RBC's size and stain, no nucleus
const redWbc: Disc = { x: 160, y: 90, r: 11, rgb: [192, 101, 112], pale };
const trueWbc: Disc = { x: 200, y: 150, r: 15, rgb: [215, 190, 205], nucleus: [80, 40, 130] };
// a stained platelet, and a grey speck on the optics the detector took for one
const platelet: Disc = { x: 150, y: 30, r: 4, rgb: [140, 80, 165] };
const speck: Disc = { x: 200, y: 40, r: 5, rgb: [144, 138, 135] };

const card = {
  postprocess: { scoreThresholds: { RBC: 0.5, WBC: 0.5, Platelets: 0.5 }, nmsIou: 0.5, crossClassNms: false, countRule: 'all' as const },
  scale: { referenceRbcPx: 22, minRelative: 0.5, maxRelative: 2, secondPassOutside: [0.8, 1.25] as [number, number], maxSecondPassSide: 1024 },
};

/** The saved field as the batch holds it once counted (services/runner: assessImage on the detections), and its
 * counts as the counts panel, the report and the exports read them. */
function batchCounts(raw: Detection[], small: SmallImage, params: PostprocessParams) {
  const { raw: ruled, quality } = assessImage(small, raw, FRAME, undefined, card as never);
  const entry = { id: 'f', name: 'live-0001.jpg', bytes: 1, status: 'done', width: FRAME.width, height: FRAME.height, raw: ruled, quality, edits: NO_EDITS, history: { past: [], future: [] }, reviewed: false } as unknown as ImageEntry;
  return imageCounts(entry, params);
}

/** The live view's cells of the frame, with what the capture rule read on its copy (core/live judge). */
const live = (raw: Detection[], small: SmallImage, params: PostprocessParams) => {
  const field = findCircularField(small);
  return fieldCells(raw, small, field, pixelStats(small, field), FRAME, card, params);
};

const liveCounts = (raw: Detection[], small: SmallImage, params: PostprocessParams) => {
  const { cells, counted } = live(raw, small, params);
  return countCells(cells.filter((_, i) => counted[i]));
};

describe('the live field\'s cells', () => {
  const small = scene([...rbcs, redWbc, trueWbc, platelet, speck]);
  const raw = [...rbcs.map((d, i) => det(`r${i}`, 'RBC', d)), det('w-red', 'WBC', redWbc, 0.8), det('w', 'WBC', trueWbc), det('p', 'Platelets', platelet, 0.8), det('dust', 'Platelets', speck, 0.7), det('low', 'Platelets', { x: 120, y: 170, r: 3, rgb: red }, 0.2)];

  it('are the batch\'s count of the same field: a red cell the detector took for a WBC is an RBC on the screen too', () => {
    const params = card.postprocess;
    const batch = batchCounts(raw, small, params);
    // the batch's WBC rule makes it a red cell (7 RBC, 1 WBC); the live view counted it a WBC (6 RBC, 2 WBC)
    expect(batch).toEqual({ RBC: 7, WBC: 1, Platelets: 1 });
    expect(liveCounts(raw, small, params)).toEqual(batch);
    const drawn = live(raw, small, params).cells;
    expect(drawn.find((d) => d.id === 'w-red')?.cls).toBe('RBC');
    // the grey speck is no platelet in either
    expect(drawn.map((d) => d.id)).not.toContain('dust');
  });

  it('follow the lab\'s count rule and thresholds as the batch does', () => {
    const params: PostprocessParams = { ...card.postprocess, countRule: 'interior', scoreThresholds: { RBC: 0.5, WBC: 0.85, Platelets: 0.1 } };
    const batch = batchCounts(raw, small, params);
    // the RBC cut by the edge is drawn, not counted; the low platelet passes the lowered bar; the red "WBC" (0.8) is
    // judged by the RBC threshold once it is a red cell
    expect(batch).toEqual({ RBC: 6, WBC: 1, Platelets: 2 });
    expect(liveCounts(raw, small, params)).toEqual(batch);
    const { cells, counted } = live(raw, small, params);
    expect(cells.filter((_, i) => !counted[i]).map((d) => d.id)).toEqual(['r5']);
  });
});
