import { describe, expect, it } from 'vitest';
import { fileNameParts } from './fileNameParts';

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('fileNameParts (FileName)', () => {
  it('keeps the last ten characters of a long name in view, and a short name whole', () => {
    expect(fileNameParts('BloodImage_00339.jpg')).toEqual({ head: 'BloodImage', tail: '_00339.jpg' });
    expect(fileNameParts('live-0001.jpg')).toEqual({ head: '', tail: 'live-0001.jpg' });
  });
  it('never cuts a character in two: an emoji or a rare CJK character is kept whole on one side', () => {
    // audit 2026-12-06, input: the cut counted UTF-16 units, and a name with characters outside the BMP (an emoji,
    // CJK Extension B) lost half of one to each side, drawn as two replacement marks
    for (const name of ['🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸🩸field.jpg', 'smear-𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇𠀈𠀉.jpg', 'sample_🧪🧪🧪🧪🧪🧪🧪🧪🧪🧪🧪🧪🧪🧪.png']) {
      const { head, tail } = fileNameParts(name);
      expect(head + tail).toBe(name);
      expect(loneSurrogate.test(head) || loneSurrogate.test(tail), name).toBe(false);
      expect(Array.from(tail)).toHaveLength(10);
    }
  });
});
