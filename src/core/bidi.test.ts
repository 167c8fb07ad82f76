import { describe, expect, it } from 'vitest';
import { isolateName } from './bidi';

describe('isolateName', () => {
  it('leaves a plain name as it is', () => {
    for (const n of ['BloodImage_00339.jpg', 'day1/field 2.png', 'Ñandú-é.jpg', '血液.jpg', '🩸 smear.jpg']) expect(isolateName(n)).toBe(n);
  });
  it('isolates a name holding right-to-left letters or a direction control, closing it at its end', () => {
    for (const n of ['slide\u202e1.jpg', '\u05d3\u05d2\u05d9\u05de\u05d4_12.jpg', 'عينة.jpg', 'a\u2067b.jpg', 'x\u200f.png']) expect(isolateName(n)).toBe(`\u2066${n}\u2069`);
  });
});
