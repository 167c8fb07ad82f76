/** Exporters: pure functions from the reviewed batch to the formats labs use. */
import { CLASS_NAMES } from '../detection/classes';
import type { Detection } from '../detection/detection';
import { countCells, summarize } from '../counts/counts';
import { toCsv } from './csv';
import { writeVoc } from './voc';

export interface ExportImage {
  name: string;
  width: number;
  height: number;
  detections: readonly Detection[];
  reviewed: boolean;
  edited: boolean;
}

export function countsCsv(images: readonly ExportImage[]): string {
  const rows = images.map((im) => {
    const c = countCells(im.detections);
    return [im.name, c.RBC, c.WBC, c.Platelets, im.reviewed, im.edited];
  });
  const s = summarize(images.map((im) => countCells(im.detections)));
  rows.push(['TOTAL', s.totals.RBC, s.totals.WBC, s.totals.Platelets, images.filter((i) => i.reviewed).length, images.filter((i) => i.edited).length]);
  return toCsv(['image', 'RBC', 'WBC', 'Platelets', 'reviewed', 'edited'], rows);
}

export function boxesCsv(images: readonly ExportImage[]): string {
  const rows = images.flatMap((im) =>
    im.detections.map((d) => [im.name, d.cls, d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2, d.origin]),
  );
  return toCsv(['image', 'class', 'score', 'x1', 'y1', 'x2', 'y2', 'origin'], rows);
}

export function boxesJson(images: readonly ExportImage[]): string {
  return JSON.stringify(
    images.map((im) => ({
      image: im.name,
      width: im.width,
      height: im.height,
      reviewed: im.reviewed,
      edited: im.edited,
      detections: im.detections.map((d) => ({ class: d.cls, score: d.score, box: [d.box.x1, d.box.y1, d.box.x2, d.box.y2], origin: d.origin })),
    })),
    null,
    1,
  );
}

export function vocFiles(images: readonly ExportImage[]): { name: string; data: string }[] {
  return images.map((im) => ({
    name: `${im.name.replace(/\.[^.]*$/, '')}.xml`,
    data: writeVoc({ filename: im.name, width: im.width, height: im.height, objects: im.detections.map((d) => ({ cls: d.cls, box: d.box })) }),
  }));
}

/** COCO detection JSON; bbox is [x, y, width, height] in pixels, category ids 1..3 as the model's labels. */
export function cocoJson(images: readonly ExportImage[]): string {
  let ann = 0;
  return JSON.stringify({
    info: { description: 'smearcount export', date_created: new Date().toISOString() },
    categories: CLASS_NAMES.map((name, i) => ({ id: i + 1, name, supercategory: 'cell' })),
    images: images.map((im, i) => ({ id: i + 1, file_name: im.name, width: im.width, height: im.height })),
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
        };
      }),
    ),
  });
}
