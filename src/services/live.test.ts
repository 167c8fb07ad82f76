import { describe, expect, it } from 'vitest';
import { errorMessage } from '../core/errors';
import { cameraError, liveName, nextLiveNumber } from './live';

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
});
