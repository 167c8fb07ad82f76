import { describe, expect, it } from 'vitest';
import { validate } from './intake';

/** A JPEG whose frame header (SOF0: its size) comes after `metadata` bytes of APP segments (EXIF, XMP, an ICC
 * profile, Photoshop's APP13 all sit there), then EOI. */
function jpegAfterMetadata(w: number, h: number, metadata: number): Blob {
  const parts: number[] = [0xff, 0xd8];
  for (let left = metadata; left > 0; ) {
    const n = Math.min(left, 65533);
    parts.push(0xff, 0xe2, (n + 2) >> 8, (n + 2) & 255, ...new Array<number>(n).fill(0x20));
    left -= n;
  }
  parts.push(0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9);
  return new File([new Uint8Array(parts)], 'IMG_2041.jpg', { type: 'image/jpeg' });
}

describe('validate', () => {
  it('reads a JPEG size after large metadata: a 12000×9000 photo is refused before it is decoded', async () => {
    // audit 2026-12-06, input: with its frame header past the first 64 KiB (a phone's XMP and ICC profile, a
    // Photoshop export), a 108 MP JPEG had no size at the check and went on to be decoded whole (432 MB of pixels)
    await expect(validate(jpegAfterMetadata(12000, 9000, 200_000))).rejects.toMatchObject({ code: 'too-large', detail: '12000×9000 (108 MP)' });
    await expect(validate(jpegAfterMetadata(20, 20, 100_000))).rejects.toMatchObject({ code: 'too-small' });
    expect(await validate(jpegAfterMetadata(2048, 1536, 150_000))).toBe('jpeg');
  });
});
