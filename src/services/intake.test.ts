import { describe, expect, it } from 'vitest';
import { errorMessage } from '../core/errors';
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
  it("a camera's RAW file (TIFF inside: .CR2, .NEF, .DNG…) says it is one and what to do, not that a TIFF is JPEG-compressed", async () => {
    // audit 2026-12-06, input: a microscope's DSLR saves RAW beside JPEG; a .CR2 dropped with the day's JPEGs read
    // "This TIFF is JPEG-compressed", about a file the technician never saved as TIFF
    const tiffHeader = new Uint8Array([0x49, 0x49, 0x2a, 0, 16, 0, 0, 0, 0x43, 0x52, 2, 0, 0, 0, 0, 0, 0, 0]);
    for (const name of ['IMG_0412.CR2', 'DSC_0007.NEF', 'field.dng', 'P1000123.RW2', 'DSC01234.ARW']) {
      const e = await validate(new File([tiffHeader], name)).catch((x: unknown) => x);
      expect(e, name).toMatchObject({ code: 'other-format', detail: 'raw' });
      expect(errorMessage(e)).toMatch(/^A camera RAW file, which browsers cannot show\. Export it as JPEG, PNG or TIFF from the camera software/);
    }
    // and those of other containers (Canon's CR3 is ISO media, Fujifilm's RAF its own)
    const cr3 = new Uint8Array([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x63, 0x72, 0x78, 0x20, 0, 0, 0, 1, 0x63, 0x72, 0x78, 0x20, 0x69, 0x73, 0x6f, 0x6d]);
    for (const [bytes, name] of [[cr3, 'IMG_0413.CR3'], [new TextEncoder().encode('FUJIFILMCCD-RAW 0201FF383501'), 'DSCF0001.RAF']] as const) {
      await expect(validate(new File([bytes], name)), name).rejects.toMatchObject({ code: 'other-format', detail: 'raw' });
    }
  });
});
