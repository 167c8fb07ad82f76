/**
 * Crop images of single WBCs for the gallery, made on demand (only tiles on screen ask) and cached by
 * image, box and size. Each image is decoded once while its tiles are being made; a few decoded images are
 * kept (LRU) because the gallery asks for an image's cells together.
 */
import type { ImageBox } from '../core/detection/geometry';
import { cropDraws, cropRect, type CropRule } from '../core/differential/crop';
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

/** How a tile is drawn: the classifier's crop (the card's factor, the image's smallest WBC side, the card's pad)
 * at the tile's size. A tile at the image's edge was padded grey while the classifier replicates the edge (the
 * card's pad "edge"), and its square ignored the smallest side: the technician checked a picture the model
 * never saw. */
export function tileDraws(box: ImageBox, rule: Pick<CropRule, 'factor' | 'pad'>, minSide: number, width: number, height: number, size: number) {
  return cropDraws(cropRect(box, rule.factor, minSide), width, height, size, rule.pad);
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
      const { fill, patches } = tileDraws(box, rule, minSide, bmp.width, bmp.height, size);
      const canvas = new OffscreenCanvas(size, size);
      const ctx = canvas.getContext('2d')!;
      const g = Math.round(fill * 255);
      ctx.fillStyle = `rgb(${g},${g},${g})`;
      ctx.fillRect(0, 0, size, size);
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
