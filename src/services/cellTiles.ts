/**
 * Crop images of single WBCs for the gallery, made on demand (only tiles on screen ask) and cached by
 * image, box and size. Each image is decoded once while its tiles are being made; a few decoded images are
 * kept (LRU) because the gallery asks for an image's cells together.
 */
import type { ImageBox } from '../core/detection/geometry';
import { cropRect, type CropRule, type Patch } from '../core/differential/crop';
import type { ImageFiles } from './files';

export interface CellTiles {
  /** `side`: the crop's side on screen in device pixels (CSS px × devicePixelRatio; see tileSide). */
  /** `minSide`: the image's smallest WBC side (core minWbcSide), as the classifier's crop takes it. */
  url(imageId: string, box: ImageBox, side?: number, minSide?: number): Promise<string | null>;
  forget(): void;
}

const SIZE = 128; // shown at 88 px, or 120 on a projector: never enlarged on a screen of 1 device pixel per px
/** A phone's 3 device pixels per px want 264 for an 88-px tile; a crop of a 640×480 field's WBC holds about
 * 200, so larger only costs memory (a few hundred tiles, each made on demand). */
const MAX_SIZE = 384;

/** The crop's side in pixels for a tile shown `shown` CSS px wide at `dpr` device pixels per px: at 128 on a
 * phone the browser stretched it 2× and the cell's granules and chromatin, what tells its type, were a blur. */
export const tileSide = (shown: number, dpr: number) => Math.min(MAX_SIZE, Math.max(SIZE, Math.ceil(shown * (Number.isFinite(dpr) && dpr > 0 ? dpr : 1))));
const KEEP_DECODED = 4;
/** Cards before the crop rule was in them: 1.4 and a mid-grey pad. */
const OLD_RULE: Pick<CropRule, 'factor' | 'pad'> = { factor: 1.4, pad: 0.5 };

/** Where a tile's square runs past the image: the tile's own dark (.wbc-tile's background), hatched a shade lighter,
 * so that it reads as no picture at all, not as a dark eyepiece ring. */
export const OUTSIDE = { fill: '#1d2228', hatch: '#2c333b' };

/** How a tile is drawn: the classifier's square (the card's factor, the image's smallest WBC side) at the tile's
 * size, so the cell is as large and where the classifier's crop has it. Only the image's part of it is drawn:
 * the outside of the image is OUTSIDE (`outside`), where the classifier replicates the image's edge (the card's
 * pad "edge") or pads grey (older cards). The replicated edge showed as stripes beside a cell at the border, and
 * a technician verifying a type looked at the padding, not the cell. */
export function tileDraws(box: ImageBox, rule: Pick<CropRule, 'factor' | 'pad'>, minSide: number, width: number, height: number, size: number): { patches: Patch[]; outside: boolean } {
  const rect = cropRect(box, rule.factor, minSide);
  const k = size / rect.side;
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(width, rect.x + rect.side);
  const y1 = Math.min(height, rect.y + rect.side);
  const outside = rect.x < 0 || rect.y < 0 || rect.x + rect.side > width || rect.y + rect.side > height;
  if (x1 <= x0 || y1 <= y0) return { patches: [], outside };
  return { patches: [{ sx: x0, sy: y0, sw: x1 - x0, sh: y1 - y0, dx: (x0 - rect.x) * k, dy: (y0 - rect.y) * k, dw: (x1 - x0) * k, dh: (y1 - y0) * k }], outside };
}

/** OUTSIDE's hatch: lines 45° apart every `step` pixels over a size x size square. */
function hatch(ctx: OffscreenCanvasRenderingContext2D, size: number) {
  const step = Math.max(4, Math.round(size / 11)); // 8 px apart on an 88-px tile
  ctx.strokeStyle = OUTSIDE.hatch;
  ctx.lineWidth = Math.max(1, Math.round(size / 88));
  ctx.beginPath();
  for (let x = -size; x < size; x += step) {
    ctx.moveTo(x, size);
    ctx.lineTo(x + size, 0);
  }
  ctx.stroke();
}

/** `rule`: the classifier card's crop rule. */
export function createCellTiles(files: ImageFiles, rule: Pick<CropRule, 'factor' | 'pad'> = OLD_RULE): CellTiles {
  const urls = new Map<string, Promise<string | null>>();
  const decoded = new Map<string, Promise<ImageBitmap>>();
  function bitmap(id: string, blob: Blob) {
    let p = decoded.get(id);
    if (p) {
      decoded.delete(id);
      decoded.set(id, p); // most recent last
      return p;
    }
    p = createImageBitmap(blob);
    decoded.set(id, p);
    while (decoded.size > KEEP_DECODED) {
      const [oldest, q] = decoded.entries().next().value!;
      decoded.delete(oldest);
      void q.then((b) => b.close()).catch(() => undefined);
    }
    return p;
  }
  async function make(imageId: string, box: ImageBox, size: number, minSide: number): Promise<string | null> {
    const blob = files.get(imageId);
    if (!blob) return null;
    try {
      const bmp = await bitmap(imageId, blob);
      const { patches, outside } = tileDraws(box, rule, minSide, bmp.width, bmp.height, size);
      const canvas = new OffscreenCanvas(size, size);
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = OUTSIDE.fill;
      ctx.fillRect(0, 0, size, size);
      if (outside) hatch(ctx, size);
      for (const p of patches) ctx.drawImage(bmp, p.sx, p.sy, p.sw, p.sh, p.dx, p.dy, p.dw, p.dh);
      return URL.createObjectURL(await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 }));
    } catch {
      return null;
    }
  }
  return {
    url(imageId, box, side = SIZE, minSide = 0) {
      const size = Math.min(MAX_SIZE, Math.max(SIZE, Math.round(side)));
      const key = `${imageId}/${Math.round(box.x1)},${Math.round(box.y1)},${Math.round(box.x2)},${Math.round(box.y2)}@${size}/${Math.round(minSide)}`;
      let p = urls.get(key);
      if (!p) {
        p = make(imageId, box, size, minSide);
        urls.set(key, p);
      }
      return p;
    },
    forget() {
      for (const p of urls.values()) void p.then((u) => u && URL.revokeObjectURL(u));
      urls.clear();
      for (const p of decoded.values()) void p.then((b) => b.close()).catch(() => undefined);
      decoded.clear();
    },
  };
}
