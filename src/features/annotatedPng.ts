import { classColors, type ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import { AppError } from '../core/errors';
import type { ImageFiles } from '../services/files';
import { textOn } from '../core/detection/contrast';
import { cornerRadius } from '../core/detection/classMark';
import type { CellClass } from '../core/detection/classes';
import { typeCode as wbcCode } from '../core/differential/differential';

/** What a box's label says on paper: the class (PLT for platelets), and a WBC's type code where it has one
 * (the same codes and marks as on the canvas: ✓ verified, as in the gallery; ✎ set by hand, not yet verified). */
export function pngLabel(d: Detection, typeCode: Readonly<Record<string, string>>): string {
  const cls = d.cls === 'Platelets' ? 'PLT' : d.cls;
  if (d.cls !== 'WBC' || !d.wbc) return cls;
  return `${cls} ${wbcCode(d.wbc, typeCode)}${d.wbc.verified ? ' ✓' : d.wbc.origin === 'manual' ? ' ✎' : ''}`;
}

/** What drawing the outlines needs of a 2D context (a fake one in the unit test). */
export type OutlineContext = Pick<OffscreenCanvasRenderingContext2D, 'beginPath' | 'rect' | 'roundRect' | 'stroke' | 'setLineDash' | 'strokeStyle'>;

/** Each box's outline as the canvas draws it: its class's colour and shape (a platelet round, a red or white
 * cell square: core/detection/classMark), dashed where it was set by hand; `lw` is the line width. */
export function drawOutlines(ctx: OutlineContext, dets: readonly Detection[], color: Readonly<Record<CellClass, string>>, lw: number) {
  for (const d of dets) {
    const { x1, y1, x2, y2 } = d.box;
    const r = cornerRadius(d.cls, d.box);
    ctx.strokeStyle = color[d.cls];
    ctx.setLineDash(d.origin === 'manual' ? [3 * lw, 2 * lw] : []);
    ctx.beginPath();
    // roundRect came to Safari in 16 and Firefox in 112: an older browser draws every box square, as before
    if (r > 0 && typeof ctx.roundRect === 'function') ctx.roundRect(x1, y1, x2 - x1, y2 - y1, r);
    else ctx.rect(x1, y1, x2 - x1, y2 - y1);
    ctx.stroke();
  }
}

/** `text` in lines no wider than `max` (by `measure`), broken between words; a word wider than `max` keeps a
 * line of its own rather than being cut. */
export function wrapText(text: string, max: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(next) > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** The image at its own resolution with the shown boxes drawn on it (drawOutlines), independent of
 * the canvas's zoom and pan. Each label is white on a dark tag in its class's colour at the box's corner, so
 * it reads on a pale field (yellow and blue text alone did not). `footer` (the sample and the report's release)
 * is printed on a white band below the image, not over it: no cell is hidden, and a box's pixel coordinates
 * in the other exports still hold on the PNG, whose width is the image's. */
export async function annotatedPng(files: ImageFiles, card: ModelCard, id: string, dets: readonly Detection[], typeCode: Readonly<Record<string, string>> = {}, footer = ''): Promise<Blob> {
  const COLOR = classColors(card);
  const blob = files.get(id);
  if (!blob) throw new AppError('export', 'the image is no longer available');
  const bmp = await createImageBitmap(blob);
  const lw = Math.max(2, Math.round(bmp.width / 320));
  const fs = 6 * lw;
  const font = `bold ${fs}px system-ui, sans-serif`;
  // the footer's lines, measured in the labels' font before the canvas is sized to hold them
  const measure = new OffscreenCanvas(1, 1).getContext('2d')!;
  measure.font = font;
  const footerLines = footer ? wrapText(footer, bmp.width - 4 * lw, (t) => measure.measureText(t).width) : [];
  const lineH = Math.round(fs * 1.3);
  const band = footerLines.length ? footerLines.length * lineH + 2 * lw : 0;
  const canvas = new OffscreenCanvas(bmp.width, bmp.height + band);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  const imageH = bmp.height;
  bmp.close();
  ctx.lineWidth = lw;
  ctx.font = font;
  ctx.textBaseline = 'top';
  drawOutlines(ctx, dets, COLOR, lw);
  // labels after every box, so that no box's line crosses another's label
  ctx.setLineDash([]);
  for (const d of dets) {
    const text = pngLabel(d, typeCode);
    const w = ctx.measureText(text).width + 2 * lw;
    const h = fs + lw;
    const x = Math.min(Math.max(0, d.box.x1), canvas.width - w);
    const y = Math.min(Math.max(0, d.box.y1), imageH - h);
    ctx.fillStyle = COLOR[d.cls];
    ctx.fillRect(x, y, w, h);
    // white or black, whichever reads on the class's colour (core/detection/contrast)
    ctx.fillStyle = textOn(COLOR[d.cls]);
    ctx.fillText(text, x + lw, y + lw / 2);
  }
  if (band) {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, imageH, canvas.width, band);
    ctx.fillStyle = '#000000';
    footerLines.forEach((l, i) => ctx.fillText(l, 2 * lw, imageH + lw + i * lineH));
  }
  return canvas.convertToBlob({ type: 'image/png' });
}
