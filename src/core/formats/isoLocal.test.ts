import { describe, expect, it } from 'vitest';
import { isoLocal, isoLocalOf } from './isoLocal';

describe('isoLocal', () => {
  it('a datetime-local value reads as the release time does: seconds and the zone offset', () => {
    const expected = isoLocal(new Date(2026, 11, 4, 8, 15));
    expect(isoLocalOf('2026-12-04T08:15')).toBe(expected);
    expect(expected).toMatch(/^2026-12-04T08:15:00[+-]\d\d:\d\d$/);
    expect(isoLocalOf('2026-12-04T08:15:30')).toMatch(/^2026-12-04T08:15:30[+-]\d\d:\d\d$/);
  });
  it('text that is not a local date-time is kept as typed', () => {
    expect(isoLocalOf('')).toBe('');
    expect(isoLocalOf('yesterday 8am')).toBe('yesterday 8am');
    expect(isoLocalOf('2026-13-40T99:99')).toBe('2026-13-40T99:99');
  });
});
