import { classColors, type ModelCard } from '../core/detection/card';
import type { Detection } from '../core/detection/detection';
import { AppError } from '../core/errors';
import type { ImageFiles } from '../services/files';

/** The image at its own resolution with the shown boxes drawn on it (manual boxes dashed),
 * independent of the canvas's zoom and pan. */
export async function annotatedPng(files: ImageFiles, card: ModelCard, id: string, dets: readonly Detection[]): Promise<Blob> {
  const COLOR = classColors(card);
  const blob = files.get(id);
  if (!blob) throw new AppError('export', 'the image is no longer available');
  const bmp = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  bmp.close();
  const lw = Math.max(2, Math.round(canvas.width / 320));
  ctx.lineWidth = lw;
  ctx.font = `${6 * lw}px system-ui, sans-serif`;
  for (const d of dets) {
    ctx.strokeStyle = ctx.fillStyle = COLOR[d.cls];
    ctx.setLineDash(d.origin === 'manual' ? [3 * lw, 2 * lw] : []);
    ctx.strokeRect(d.box.x1, d.box.y1, d.box.x2 - d.box.x1, d.box.y2 - d.box.y1);
    ctx.fillText(d.cls === 'Platelets' ? 'PLT' : d.cls, d.box.x1 + lw, d.box.y1 + 7 * lw);
  }
  return canvas.convertToBlob({ type: 'image/png' });
}
