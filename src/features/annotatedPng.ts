import { classColors, type ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import { AppError } from '../core/errors';
import type { ImageFiles } from '../services/files';
import { textOn } from '../core/detection/contrast';
import { cornerRadius } from '../core/detection/classMark';
import type { CellClass } from '../core/detection/classes';
import { typeCode as wbcCode } from '../core/differential/differential';
import { fixed, plain } from '../core/formats/numbers';

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
 * line of its own rather than being cut. A no-break space is no place to break, and is kept: a French count
 * ("1 363", U+202F) stays whole, where \s+ split it over two lines and put a plain space back. */
export function wrapText(text: string, max: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/[^\S\u00a0\u2007\u202f]+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(next) > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** The most pixels a canvas may hold in every browser the app runs in: Safari's limit (iOS and macOS), 4096²;
 * Chrome and Firefox allow more. A larger canvas draws nothing there, or its export fails. */
export const MAX_CANVAS_PIXELS = 4096 * 4096;

/** The scale at which a w×h image and its footer band (`band(width)`, its height at that width) fit in `max`
 * pixels: 1 where they fit as they are, otherwise the largest scale that fits (to 0.1%). */
export function pngScale(w: number, h: number, band: (width: number) => number, max = MAX_CANVAS_PIXELS): number {
  const area = (k: number) => Math.floor(w * k) * (Math.floor(h * k) + band(Math.floor(w * k)));
  if (area(1) <= max) return 1;
  let k = Math.sqrt(max / (w * h));
  while (k > 0.001 && area(k) > max) k -= 0.001;
  return k;
}

/** Words for the footer where the picture was drawn smaller than the image: drawn on the picture in the
 * browser's `locale` ("70,7%" in a German lab), in the PNG's text chunk without one (a decimal point, as every
 * export a program reads). */
export function scaledNote(k: number, locale?: string): string {
  return `Drawn at ${plain(Math.floor(k * 1000) / 10, locale)}% of the image's size (a browser draws at most ${fixed(MAX_CANVAS_PIXELS / 1e6, 1, locale)} megapixels); the box coordinates in the other exports are the image's own.`;
}

/** The image at its own resolution with the shown boxes drawn on it (drawOutlines), independent of
 * the canvas's zoom and pan. Each label is white on a dark tag in its class's colour at the box's corner, so
 * it reads on a pale field (yellow and blue text alone did not). `footer` (the sample and the report's release)
 * is printed on a white band below the image, not over it: no cell is hidden, and a box's pixel coordinates
 * in the other exports still hold on the PNG, whose width is the image's. An image past MAX_CANVAS_PIXELS is
 * the exception: it is drawn smaller, and the footer says at what size (`scale`, 1 where drawn whole), its
 * figures in `locale` as the footer's counts are (pngFooter). */
export async function annotatedPng(files: ImageFiles, card: ModelCard, id: string, dets: readonly Detection[], typeCode: Readonly<Record<string, string>> = {}, footer = '', locale?: string): Promise<{ png: Blob; scale: number }> {
  const COLOR = classColors(card);
  const blob = files.get(id);
  if (!blob) throw new AppError('export', 'the image is no longer available');
  const bmp = await createImageBitmap(blob);
  const measure = new OffscreenCanvas(1, 1).getContext('2d')!;
  // the labels' sizes and the footer's lines at a picture `width` wide, measured before the canvas is sized
  const layout = (width: number, words: string) => {
    const lw = Math.max(2, Math.round(width / 320));
    const fs = 6 * lw;
    const font = `bold ${fs}px system-ui, sans-serif`;
    measure.font = font;
    const lines = words ? wrapText(words, width - 4 * lw, (t) => measure.measureText(t).width) : [];
    const lineH = Math.round(fs * 1.3);
    return { lw, fs, font, lines, lineH, band: lines.length ? lines.length * lineH + 2 * lw : 0 };
  };
  // a photo past what a browser's canvas holds (a phone's 24 or 48 MP) is drawn smaller, and the footer says so:
  // drawn whole, Safari's canvas stayed blank or the export failed
  const fits = bmp.width * (bmp.height + layout(bmp.width, footer).band) <= MAX_CANVAS_PIXELS;
  const k = fits ? 1 : pngScale(bmp.width, bmp.height, (width) => layout(width, [footer, scaledNote(0.999, locale)].filter(Boolean).join(' ')).band);
  const words = k < 1 ? [footer, scaledNote(k, locale)].filter(Boolean).join(' ') : footer;
  const width = Math.floor(bmp.width * k);
  const imageH = Math.floor(bmp.height * k);
  const { lw, fs, font, lines: footerLines, lineH, band } = layout(width, words);
  const canvas = new OffscreenCanvas(width, imageH + band);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0, width, imageH);
  bmp.close();
  const drawn = k < 1 ? dets.map((d) => ({ ...d, box: { x1: d.box.x1 * k, y1: d.box.y1 * k, x2: d.box.x2 * k, y2: d.box.y2 * k } })) : dets;
  ctx.lineWidth = lw;
  ctx.font = font;
  ctx.textBaseline = 'top';
  drawOutlines(ctx, drawn, COLOR, lw);
  // labels after every box, so that no box's line crosses another's label
  ctx.setLineDash([]);
  for (const d of drawn) {
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
  return { png: await canvas.convertToBlob({ type: 'image/png' }), scale: k };
}
