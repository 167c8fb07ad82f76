/** Exporters: pure functions from the reviewed batch to the formats labs use. */
import { CLASS_NAMES } from '../detection/classes';
import type { Detection } from '../detection/detection';
import { countCells, summarize } from '../counts/counts';
import { isCutByBorder, type CountRule } from '../detection/postprocess';
import { differential, WBC_TYPES } from '../differential/differential';
import type { ScaleInfo } from '../detection/scale';
import type { FlagCode } from '../quality/flags';
import { toCsv } from './csv';
import { uniqueNames } from './names';
import { writeVoc } from './voc';

export interface ExportImage {
  name: string;
  /** Relative path inside a dropped or chosen folder, when known: keeps same-named images apart. */
  path?: string;
  /** The file's sha-256: the suffix that tells same-named images apart when no path does. */
  id?: string;
  width: number;
  height: number;
  detections: readonly Detection[];
  reviewed: boolean;
  edited: boolean;
  /** The count rule the detections were filtered with (recorded in every export). */
  countRule: CountRule;
  scale?: ScaleInfo;
  /** Quality flags (core/quality), recorded in every export. */
  flags?: readonly FlagCode[];
  /** false: a not-smear / out-of-focus image the user has not accepted, left out of the totals. */
  inTotals?: boolean;
}

const counted = (im: ExportImage) => im.inTotals !== false;
const flagText = (im: ExportImage) => (im.flags ?? []).join(' ');

/** Estimated cell size relative to the model's scale ('' when not estimated). */
const cellScale = (im: ExportImage) =>
  im.scale ? (im.scale.fixed ? 1 / im.scale.relative : (im.scale.estimated ?? '')) : '';
const r3 = (x: number | string) => (typeof x === 'number' ? Math.round(x * 1000) / 1000 : x);

/** The WBCs in the differential: typed, not set aside as smudge or other. */
const typedCells = (im: ExportImage) => im.detections.filter((d) => d.cls === 'WBC' && d.wbc && !d.wbc.category);
const typesOf = (im: ExportImage) => typedCells(im).map((d) => d.wbc!.type);

/** One row per image plus TOTAL, with the differential's counts per type; a last row gives the batch
 * differential in % (erythroblasts: per 100 WBC, outside the 100%), its flags column saying whether every
 * WBC type in it was verified (preliminary otherwise). */
export function countsCsv(images: readonly ExportImage[]): string {
  const names = uniqueNames(images);
  const rows: (string | number | boolean)[][] = images.map((im, i) => {
    const c = countCells(im.detections);
    const d = differential(typesOf(im));
    return [names[i], c.RBC, c.WBC, c.Platelets, im.reviewed, im.edited, im.countRule, r3(cellScale(im)), im.scale?.passes ?? '', ...WBC_TYPES.map((t) => d.counts[t]), flagText(im), counted(im)];
  });
  // TOTAL and the differential are over the images the batch counts (as the page shows them)
  const inTotals = images.filter(counted);
  const s = summarize(inTotals.map((im) => countCells(im.detections)));
  const rules = [...new Set(images.map((i) => i.countRule))].join('+');
  const d = differential(inTotals.flatMap(typesOf));
  rows.push(['TOTAL', s.totals.RBC, s.totals.WBC, s.totals.Platelets, images.filter((i) => i.reviewed).length, images.filter((i) => i.edited).length, rules, '', '', ...WBC_TYPES.map((t) => d.counts[t]), '', inTotals.length]);
  // written at the CSV's four decimals from the exact value (rounded to three first, 65.2174 read 65.2170)
  const pctRow = WBC_TYPES.map((t) => (t === 'erythroblast' ? (d.nrbcPer100 === null ? '' : d.nrbcPer100) : d.total ? d.percent[t] : ''));
  // The report releases a differential only on verified cells; the CSV says how far this one is from that.
  const typed = inTotals.flatMap(typedCells);
  const unverified = typed.filter((x) => !x.wbc!.verified).length;
  const status = !typed.length ? '' : unverified ? `preliminary: ${unverified} of ${typed.length} WBC types not verified` : `verified: all ${typed.length} WBC types`;
  rows.push(['DIFFERENTIAL_%', '', '', '', '', '', '', '', '', ...pctRow, status, '']);
  return toCsv(['image', 'RBC', 'WBC', 'Platelets', 'reviewed', 'edited', 'count_rule', 'cell_scale', 'passes', ...WBC_TYPES, 'flags', 'in_totals'], rows);
}

export function boxesCsv(images: readonly ExportImage[]): string {
  const names = uniqueNames(images);
  const rows = images.flatMap((im, i) =>
    im.detections.map((d) => [
      names[i],
      d.cls,
      d.score,
      d.box.x1,
      d.box.y1,
      d.box.x2,
      d.box.y2,
      d.origin,
      isCutByBorder(d, im.width, im.height),
      im.countRule,
      d.wbc?.category ?? d.wbc?.type ?? '',
      d.wbc ? d.wbc.p : '',
      d.wbc?.origin ?? '',
    ]),
  );
  return toCsv(['image', 'class', 'score', 'x1', 'y1', 'x2', 'y2', 'origin', 'cut_by_border', 'count_rule', 'wbc_type', 'wbc_p', 'wbc_type_origin'], rows);
}

export function boxesJson(images: readonly ExportImage[]): string {
  const names = uniqueNames(images);
  return JSON.stringify(
    images.map((im, i) => ({
      image: names[i],
      width: im.width,
      height: im.height,
      reviewed: im.reviewed,
      edited: im.edited,
      count_rule: im.countRule,
      scale: im.scale ?? null,
      flags: im.flags ?? [],
      in_totals: counted(im),
      detections: im.detections.map((d) => ({
        class: d.cls,
        score: d.score,
        box: [d.box.x1, d.box.y1, d.box.x2, d.box.y2],
        origin: d.origin,
        cut_by_border: isCutByBorder(d, im.width, im.height),
        ...(d.wbc ? { wbc_type: d.wbc.type, wbc_p: d.wbc.p, wbc_type_origin: d.wbc.origin, wbc_verified: !!d.wbc.verified, ...(d.wbc.category ? { wbc_category: d.wbc.category, wbc_note: d.wbc.note ?? '' } : {}) } : {}),
      })),
    })),
    null,
    1,
  );
}

/** One XML per image, named after its unique name (folders become the zip's folders). */
export function vocFiles(images: readonly ExportImage[]): { name: string; data: string }[] {
  const names = uniqueNames(images, '.xml');
  return images.map((im, i) => ({
    name: names[i],
    data: writeVoc({
      filename: im.name,
      width: im.width,
      height: im.height,
      note: `smearcount; count rule: ${im.countRule}${im.flags?.length ? `; flags: ${flagText(im)}${counted(im) ? '' : ' (left out of the totals)'}` : ''}`,
      objects: im.detections.map((d) => ({ cls: d.cls, box: d.box, truncated: isCutByBorder(d, im.width, im.height), type: d.wbc?.category ? undefined : d.wbc?.type })),
    }),
  }));
}

/** COCO detection JSON; bbox is [x, y, width, height] in pixels, category ids 1..3 as the model's labels. */
export function cocoJson(images: readonly ExportImage[]): string {
  const names = uniqueNames(images);
  let ann = 0;
  return JSON.stringify({
    info: {
      description: 'smearcount export',
      date_created: new Date().toISOString(),
      count_rule: [...new Set(images.map((i) => i.countRule))].join('+'),
    },
    categories: CLASS_NAMES.map((name, i) => ({ id: i + 1, name, supercategory: 'cell' })),
    images: images.map((im, i) => ({ id: i + 1, file_name: names[i], width: im.width, height: im.height, count_rule: im.countRule, scale: im.scale ?? null, flags: im.flags ?? [], in_totals: counted(im) })),
    annotations: images.flatMap((im, i) =>
      im.detections.map((d) => {
        const w = d.box.x2 - d.box.x1;
        const h = d.box.y2 - d.box.y1;
        return {
          id: ++ann,
          image_id: i + 1,
          category_id: CLASS_NAMES.indexOf(d.cls) + 1,
          bbox: [d.box.x1, d.box.y1, w, h].map((v) => Math.round(v * 100) / 100),
          area: Math.round(w * h * 100) / 100,
          iscrowd: 0,
          score: d.score,
          origin: d.origin,
          cut_by_border: isCutByBorder(d, im.width, im.height),
          ...(d.wbc ? { wbc_type: d.wbc.type, wbc_p: d.wbc.p } : {}),
        };
      }),
    ),
  });
}
