import { afterEach, describe, expect, it } from 'vitest';
import { isoLocal, isoLocalOf, readLocalTime } from './isoLocal';

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

// Node reads TZ again when it is set: each test runs in the lab's zone, and the zone the suite had is put back
describe('isoLocal in the labs\' time zones', () => {
  const was = process.env.TZ;
  afterEach(() => {
    if (was === undefined) delete process.env.TZ;
    else process.env.TZ = was;
  });
  it('writes half-hour and negative offsets', () => {
    process.env.TZ = 'Asia/Kolkata';
    expect(isoLocal(new Date('2026-12-04T02:45:00Z'))).toBe('2026-12-04T08:15:00+05:30');
    process.env.TZ = 'America/St_Johns';
    expect(isoLocal(new Date('2026-12-04T11:45:00Z'))).toBe('2026-12-04T08:15:00-03:30');
    process.env.TZ = 'America/New_York';
    expect(isoLocalOf('2026-12-04T08:15')).toBe('2026-12-04T08:15:00-05:00');
    expect(isoLocalOf('2026-07-04T08:15')).toBe('2026-07-04T08:15:00-04:00');
  });
  // before: 02:30 typed on the day the clocks went forward was printed 03:30:00+02:00 (ECMAScript moves a
  // skipped time on by the gap), another time than the one typed, and nothing said so
  it('a time the clocks skipped is printed as typed and said to be no time on the clock', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(readLocalTime('2026-03-29T02:30')).toMatchObject({ skipped: true });
    expect(isoLocalOf('2026-03-29T02:30')).toBe("2026-03-29T02:30 (no such time on this device's clock: the clocks went forward)");
    expect(isoLocalOf('2026-03-29T01:59')).toBe('2026-03-29T01:59:00+01:00');
    expect(isoLocalOf('2026-03-29T03:00')).toBe('2026-03-29T03:00:00+02:00');
    process.env.TZ = 'America/New_York';
    expect(isoLocalOf('2026-03-08T02:15')).toMatch(/^2026-03-08T02:15 \(no such time/);
  });
  // before: 02:30 on the autumn day, which happened twice, was printed at the first offset only
  it('a time the clocks went back over gets both offsets', () => {
    process.env.TZ = 'Europe/Berlin';
    expect(readLocalTime('2026-10-25T02:30')).toMatchObject({ otherOffset: '+01:00' });
    expect(isoLocalOf('2026-10-25T02:30')).toBe('2026-10-25T02:30:00+02:00 or +01:00 (the clocks went back over this hour)');
    expect(isoLocalOf('2026-10-25T03:30')).toBe('2026-10-25T03:30:00+01:00');
    expect(isoLocalOf('2026-10-25T01:30')).toBe('2026-10-25T01:30:00+02:00');
    process.env.TZ = 'Asia/Kolkata';
    expect(readLocalTime('2026-10-25T02:30')).toEqual({ date: new Date('2026-10-24T21:00:00Z') });
  });
});
