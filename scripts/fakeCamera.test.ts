import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFakeCamera } from './fakeCamera';
import { toPng } from './nonSmear';

describe('the fake camera', () => {
  it('builds the video again when its script changes, not only when its length does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-camera-test-'));
    const field = join(dir, 'field.png');
    const data = new Uint8Array(16 * 16 * 4).fill(200);
    writeFileSync(field, toPng({ name: 'field', width: 16, height: 16, data }));
    const cam = { width: 16, height: 16, fps: 2 };
    const name = `cache-test-${process.pid}-${Date.now()}`;
    const lit = readFileSync(await buildFakeCamera(name, [field], [{ hold: 1, field: 0 }], cam));
    // the same length, another light: before, the first video was reused because its size matched
    const dim = readFileSync(await buildFakeCamera(name, [field], [{ hold: 1, field: 0, gain: 0.5 }], cam));
    expect(dim.length).toBe(lit.length);
    expect(dim.equals(lit)).toBe(false);
    // and the same script again is the file already built
    const again = await buildFakeCamera(name, [field], [{ hold: 1, field: 0, gain: 0.5 }], cam);
    expect(readFileSync(again).equals(dim)).toBe(true);
  });

  it('clips a light above the photograph at white, as a sensor does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-camera-test-'));
    const field = join(dir, 'field.png');
    writeFileSync(field, toPng({ name: 'field', width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(200) }));
    const file = await buildFakeCamera(`clip-test-${process.pid}-${Date.now()}`, [field], [{ hold: 0.5, field: 0, gain: 2.5 }], { width: 16, height: 16, fps: 2 });
    const bytes = readFileSync(file);
    const y = bytes.subarray(bytes.indexOf('FRAME\n') + 6, bytes.indexOf('FRAME\n') + 6 + 16 * 16);
    // BT.601 limited range: white is 235 (before, 16 + 219 * 2.5 * 200 / 255 = 445 wrapped round to 189, grey)
    expect([...new Set(y)]).toEqual([235]);
  });
});
