/** Small JPEG thumbnails (96 px wide) made off the main thread with createImageBitmap's resize, so
 * the list and the printed report never hold full-size bitmaps. Made on demand, cached by id. */
import type { ImageFiles } from './files';

const WIDTH = 96;

export interface Thumbnails {
  url(id: string): Promise<string | null>;
  /** The URL already made, at once: the print report mounts when printing starts, and a thumbnail that
   * came a task later would be missing from the paper. */
  peek(id: string): string | null;
  /** Make the thumbnail from an already decoded image (the runner's), so it shows with the counts. */
  fromBitmap(id: string, bmp: ImageBitmap): void;
  forget(): void;
  /** One image's thumbnail (the image left the batch). */
  drop(id: string): void;
}

export function createThumbnails(files: ImageFiles): Thumbnails {
  const urls = new Map<string, Promise<string | null>>();
  const made = new Map<string, string>();
  async function make(id: string): Promise<string | null> {
    const blob = files.get(id);
    if (!blob) return null;
    try {
      const probe = await createImageBitmap(blob, { resizeWidth: WIDTH, resizeQuality: 'medium' });
      const canvas = new OffscreenCanvas(probe.width, probe.height);
      canvas.getContext('2d')!.drawImage(probe, 0, 0);
      probe.close();
      return URL.createObjectURL(await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 }));
    } catch {
      return null;
    }
  }
  async function fromBmp(bmp: ImageBitmap): Promise<string | null> {
    try {
      const h = Math.max(1, Math.round((WIDTH * bmp.height) / bmp.width));
      const canvas = new OffscreenCanvas(WIDTH, h);
      canvas.getContext('2d')!.drawImage(bmp, 0, 0, WIDTH, h);
      return URL.createObjectURL(await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 }));
    } catch {
      return null;
    }
  }
  function remember(id: string, p: Promise<string | null>): Promise<string | null> {
    const out = p.then((u) => {
      // not after forget(): that URL is revoked
      if (u && urls.get(id) === out) made.set(id, u);
      return u;
    });
    return out;
  }
  return {
    fromBitmap(id, bmp) {
      if (!urls.has(id)) urls.set(id, remember(id, fromBmp(bmp)));
    },
    url(id) {
      let p = urls.get(id);
      if (!p) {
        p = remember(id, make(id));
        urls.set(id, p);
      }
      return p;
    },
    peek(id) {
      return made.get(id) ?? null;
    },
    drop(id) {
      void urls.get(id)?.then((u) => u && URL.revokeObjectURL(u));
      urls.delete(id);
      made.delete(id);
    },
    forget() {
      for (const p of urls.values()) void p.then((u) => u && URL.revokeObjectURL(u));
      urls.clear();
      made.clear();
    },
  };
}
