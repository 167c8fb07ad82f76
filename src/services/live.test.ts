import { describe, expect, it } from 'vitest';
import { errorMessage } from '../core/errors';
import type { Quality } from '../core/quality/assess';
import type { FlagCode } from '../core/quality/flags';
import type { ImageEntry } from '../store/types';
import { cameraError, leftOutFields, liveName, nextLiveNumber } from './live';

describe('live mode helpers', () => {
  it('names captured fields live-0001.jpg on, continuing after the batch\'s live fields', () => {
    expect(liveName(1)).toBe('live-0001.jpg');
    expect(nextLiveNumber([])).toBe(1);
    expect(nextLiveNumber(['a.jpg', 'live-0002.jpg', 'live-0009.jpg', 'live-x.jpg'])).toBe(10);
  });

  it('turns the camera\'s refusals into coded errors with a sentence', () => {
    const err = (name: string) => Object.assign(new Error('browser says no'), { name });
    expect(cameraError(err('NotAllowedError')).code).toBe('camera-denied');
    expect(cameraError(err('NotFoundError')).code).toBe('no-camera');
    expect(cameraError(err('OverconstrainedError')).code).toBe('no-camera');
    expect(cameraError(err('NotReadableError')).code).toBe('camera-failed');
    expect(errorMessage(cameraError(err('NotAllowedError')))).toMatch(/allow this site to use the camera/);
  });

  it('names the captured fields a flag keeps out of the totals, with the flags that do it', () => {
    const field = (name: string, flags: FlagCode[], more: Partial<ImageEntry> = {}): ImageEntry => ({
      id: name,
      name,
      bytes: 1,
      status: 'done',
      quality: { flags } as unknown as Quality,
      edits: {},
      history: { past: [], future: [] },
      reviewed: false,
      ...more,
    } as ImageEntry);
    expect(
      leftOutFields([
        field('live-0001.jpg', []),
        field('live-0002.jpg', ['noisy', 'wbc-type-unsure']),
        // advisory flags count: not left out
        field('live-0003.jpg', ['unfamiliar-colour']),
        // accepted by the technician ("Count it anyway"): counted
        field('live-0004.jpg', ['out-of-focus'], { flagsAccepted: true }),
        // not counted yet: no verdict
        field('live-0005.jpg', [], { status: 'running' }),
        field('live-0006.jpg', ['not-smear', 'out-of-focus']),
      ]),
    ).toEqual([
      { name: 'live-0002.jpg', flags: ['grainy'] },
      { name: 'live-0006.jpg', flags: ['not a smear', 'out of focus'] },
    ]);
  });
});
