/** The dropped image files, by image id. Blobs stay out of the store (not serialisable); the
 * canvas decodes only the image on screen, so a 200-image batch holds compressed bytes, not bitmaps. */
export interface ImageFiles {
  set(id: string, blob: Blob): void;
  get(id: string): Blob | undefined;
  delete(id: string): void;
  clear(): void;
}

export function createImageFiles(): ImageFiles {
  const blobs = new Map<string, Blob>();
  return {
    set: (id, blob) => void blobs.set(id, blob),
    get: (id) => blobs.get(id),
    delete: (id) => void blobs.delete(id),
    clear: () => blobs.clear(),
  };
}
