/**
 * Crop images of single WBCs for the gallery, made on demand (only tiles on screen ask) and cached by
 * image, box and size. Each image is decoded once while its tiles are being made; a few decoded images are
 * kept (LRU) because the gallery asks for an image's cells together.
 */
import type { ImageBox } from '../core/detection/geometry';
import type { ImageFiles } from './files';

export interface CellTiles {
  /** `side`: the crop's side on screen in device pixels (CSS px × devicePixelRatio; see tileSide). */
  url(imageId: string, box: ImageBox, side?: number): Promise<string | null>;
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
const FACTOR = 1.4; // the classifier's crop: what the technician sees is what the model typed

export function createCellTiles(files: ImageFiles): CellTiles {
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
  async function make(imageId: string, box: ImageBox, size: number): Promise<string | null> {
    const blob = files.get(imageId);
    if (!blob) return null;
    try {
      const bmp = await bitmap(imageId, blob);
      const side = FACTOR * Math.max(box.x2 - box.x1, box.y2 - box.y1);
      const x = (box.x1 + box.x2) / 2 - side / 2;
      const y = (box.y1 + box.y2) / 2 - side / 2;
      const canvas = new OffscreenCanvas(size, size);
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#808080';
      ctx.fillRect(0, 0, size, size);
      ctx.drawImage(bmp, x, y, side, side, 0, 0, size, size);
      return URL.createObjectURL(await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 }));
    } catch {
      return null;
    }
  }
  return {
    url(imageId, box, side = SIZE) {
      const size = Math.min(MAX_SIZE, Math.max(SIZE, Math.round(side)));
      const key = `${imageId}/${Math.round(box.x1)},${Math.round(box.y1)},${Math.round(box.x2)},${Math.round(box.y2)}@${size}`;
      let p = urls.get(key);
      if (!p) {
        p = make(imageId, box, size);
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
