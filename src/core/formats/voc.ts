import { wbcTypeOf, type WbcType } from '../differential/differential';
/**
 * Pascal VOC XML, as written by labelImg and read by CVAT. A small dedicated reader (no DOM), so the
 * same code runs in the page, in the worker and in Node for the eval CLI.
 */
import { cellClassOf, type CellClass } from '../detection/classes';
import { AppError } from '../errors';
import type { Box } from '../detection/geometry';

export interface VocObject {
  cls: CellClass;
  box: Box;
  /** WBCs: the type, from <wbc_type> (smearcount's exports) or a type written as the <name>. */
  type?: WbcType;
}
export interface VocAnnotation {
  filename: string;
  width: number;
  height: number;
  objects: VocObject[];
  /** Objects dropped: unknown class names or boxes thinner than 3 px. */
  skipped: number;
  /** The class names no alias knows (`cellClassOf`, `wbcTypeOf`), so a set labelled `Platelet-clump` says so. */
  unknownNames: string[];
}

/** An annotation file that cannot be read (code 'annotation'). */
export class VocError extends AppError {
  constructor(detail: string) {
    super('annotation', detail);
  }
}

const decodeEntities = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? decodeEntities(m[1].trim()) : undefined;
}

export const MIN_BOX_SIDE = 3;

export function parseVoc(xml: string, source = 'annotation'): VocAnnotation {
  if (!/<annotation[\s>]/.test(xml) || !/<\/annotation>/.test(xml)) {
    throw new VocError(`${source}: not a Pascal VOC annotation (no <annotation> element)`);
  }
  const size = tag(xml, 'size');
  const width = Number(size && tag(size, 'width'));
  const height = Number(size && tag(size, 'height'));
  if (!(width > 0 && height > 0)) throw new VocError(`${source}: missing or invalid <size>`);
  const objects: VocObject[] = [];
  let skipped = 0;
  const unknown = new Set<string>();
  for (const m of xml.matchAll(/<object(?:\s[^>]*)?>([\s\S]*?)<\/object>/g)) {
    const name = tag(m[1], 'name');
    const bb = tag(m[1], 'bndbox');
    const v = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(bb && tag(bb, k)));
    if (v.some((x) => !Number.isFinite(x))) throw new VocError(`${source}: object ${name ?? '?'} has an invalid <bndbox>`);
    const x1 = Math.max(0, Math.min(v[0], v[2]));
    const x2 = Math.min(width, Math.max(v[0], v[2]));
    const y1 = Math.max(0, Math.min(v[1], v[3]));
    const y2 = Math.min(height, Math.max(v[1], v[3]));
    // A class as other labelling tools name it (rbc, Platelet, PLT, leukocytes), or a WBC named by its type
    // (neutrophil, Lymphocytes, NEU, ...): it counts as a WBC with that type.
    const typeName = wbcTypeOf(name);
    const cls = cellClassOf(name) ?? (typeName ? 'WBC' : undefined);
    if (!cls || x2 - x1 < MIN_BOX_SIDE || y2 - y1 < MIN_BOX_SIDE) {
      skipped++;
      if (!cls) unknown.add(name?.trim() ?? '');
      continue;
    }
    const t = wbcTypeOf(tag(m[1], 'wbc_type'));
    const type = cls === 'WBC' ? (t ?? typeName ?? undefined) : undefined;
    objects.push(type ? { cls, box: { x1, y1, x2, y2 }, type } : { cls, box: { x1, y1, x2, y2 } });
  }
  return { filename: tag(xml, 'filename') ?? '', width, height, objects, skipped, unknownNames: [...unknown] };
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** VOC XML with integer pixel corners (labelImg convention), one <object> per box. */
export function writeVoc(a: {
  filename: string;
  width: number;
  height: number;
  objects: readonly (VocObject & { truncated?: boolean })[];
  /** Written to <source><annotation>: how the counts were made (e.g. the count rule). */
  note?: string;
  /** Written as elements of a <smearcount> element after <source> (the report's release): labelImg and CVAT
   * skip elements they do not know, as they skip <wbc_type>. */
  smearcount?: readonly (readonly [string, string])[];
}): string {
  const r = (x: number, hi: number) => Math.min(hi, Math.max(0, Math.round(x)));
  const objs = a.objects
    .map(
      (o) => `\t<object>
\t\t<name>${esc(o.cls)}</name>
\t\t<pose>Unspecified</pose>
\t\t<truncated>${o.truncated ? 1 : 0}</truncated>${o.type ? `\n\t\t<wbc_type>${esc(o.type)}</wbc_type>` : ''}
\t\t<difficult>0</difficult>
\t\t<bndbox>
\t\t\t<xmin>${r(o.box.x1, a.width)}</xmin>
\t\t\t<ymin>${r(o.box.y1, a.height)}</ymin>
\t\t\t<xmax>${r(o.box.x2, a.width)}</xmax>
\t\t\t<ymax>${r(o.box.y2, a.height)}</ymax>
\t\t</bndbox>
\t</object>
`,
    )
    .join('');
  return `<annotation>
\t<folder>smearcount</folder>
\t<filename>${esc(a.filename)}</filename>
\t<source>
\t\t<database>smearcount</database>
${a.note ? `\t\t<annotation>${esc(a.note)}</annotation>\n` : ''}\t</source>
${a.smearcount?.length ? `\t<smearcount>\n${a.smearcount.map(([k, v]) => `\t\t<${k}>${esc(v)}</${k}>\n`).join('')}\t</smearcount>\n` : ''}\t<size>
\t\t<width>${a.width}</width>
\t\t<height>${a.height}</height>
\t\t<depth>3</depth>
\t</size>
\t<segmented>0</segmented>
${objs}</annotation>
`;
}
