import { describe, expect, it } from 'vitest';
import { decodeOutputs, labelsToInt32 } from './decode';

describe('decodeOutputs', () => {
  it('maps labels to classes and boxes back to image pixels', () => {
    const out = {
      boxes: new Float32Array([10, 20, 30, 40, 0, 0, 8, 8, 1, 1, 2, 2]),
      labels: new BigInt64Array([1n, 3n, 9n]),
      scores: new Float32Array([0.9, 0.5, 0.4]),
    };
    const d = decodeOutputs(out, 0.5);
    expect(d).toHaveLength(2); // label 9 is not a class
    expect(d[0]).toEqual({ id: 'm0', cls: 'RBC', score: Math.fround(0.9), box: { x1: 20, y1: 40, x2: 60, y2: 80 }, origin: 'model' });
    expect(d[1].cls).toBe('Platelets');
    expect(d[1].id).toBe('m1');
  });
  it('rejects inconsistent outputs', () => {
    expect(() => decodeOutputs({ boxes: new Float32Array(4), labels: [1, 2], scores: new Float32Array(2) }, 1)).toThrow();
  });
  it('converts int64 labels for transfer', () => {
    expect(Array.from(labelsToInt32(new BigInt64Array([1n, 2n, 3n])))).toEqual([1, 2, 3]);
  });
});
