/** The dropped image files, by image id. Blobs stay out of the store (not serialisable); the
 * canvas decodes only the image on screen, so a 200-image batch holds compressed bytes, not bitmaps. */
const blobs = new Map<string, Blob>();

export const imageFiles = {
  set(id: string, blob: Blob) {
    blobs.set(id, blob);
  },
  get(id: string): Blob | undefined {
    return blobs.get(id);
  },
  delete(id: string) {
    blobs.delete(id);
  },
  clear() {
    blobs.clear();
  },
};
