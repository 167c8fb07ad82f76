import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFakeCamera, mosaicField } from './fakeCamera';
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

  it('shows a 2 x 2 mosaic of fields at half their size, each block averaged', () => {
    const field = (v: number) => ({ data: new Uint8Array(4 * 2 * 3).fill(v), width: 4, height: 2 });
    const m = mosaicField([field(10), field(20), field(30), field(40)], 1, 2);
    const at = (x: number, y: number) => m.data[(y * 4 + x) * 3];
    // from field 1 on, row by row: 20 | 30 above, 40 | 10 below
    expect([at(0, 0), at(1, 0), at(2, 0), at(3, 0), at(0, 1), at(3, 1)]).toEqual([20, 20, 30, 30, 40, 10]);
    // a block astride two pixels of one field is their mean
    const g = { data: new Uint8Array([0, 0, 0, 100, 100, 100, 0, 0, 0, 100, 100, 100]), width: 2, height: 2 };
    expect(mosaicField([g], 0, 2).data[0]).toBe(50);
  });

  it("gives a still field's frames each their own grain with frameNoise, about the same picture", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-camera-test-'));
    const field = join(dir, 'field.png');
    writeFileSync(field, toPng({ name: 'field', width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(128) }));
    const cam = { width: 16, height: 16, fps: 2 };
    const lumas = (bytes: Buffer) => {
      const out: Buffer[] = [];
      for (let at = bytes.indexOf('FRAME\n'); at >= 0; at = bytes.indexOf('FRAME\n', at + 6)) out.push(bytes.subarray(at + 6, at + 6 + 16 * 16));
      return out;
    };
    const mean = (y: Buffer) => y.reduce((a, v) => a + v, 0) / y.length;
    const [clean] = lumas(readFileSync(await buildFakeCamera(`clean-${process.pid}-${Date.now()}`, [field], [{ hold: 1, field: 0 }], cam)));
    for (const step of [{ hold: 1, field: 0, frameNoise: 4 }, { hold: 1, field: 0, frameNoise: 4, blur: 1 }]) {
      const [a, b] = lumas(readFileSync(await buildFakeCamera(`grain-${process.pid}-${Date.now()}`, [field], [step], cam)));
      // before: a held field was the same frame over and over, which the detector read the same each time
      expect(a.equals(b)).toBe(false);
      expect(Math.abs(mean(a) - mean(clean))).toBeLessThan(2);
    }
  });
});
