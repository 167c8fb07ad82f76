/**
 * `npm run eval` takes a lab's files as the app's intake takes them (src/services/intake.ts): a JPEG cut
 * short, an image over the megapixel limit and one too small to hold a cell are refused with the app's own
 * sentence, named after the figures and in none of them. Before, the CLI counted them: a JPEG cut at 60%
 * was counted with its lower part grey (the app refuses it), so the CLI's figures were of files the app
 * never counts. Pictures made here; the real shipped model runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { AppError, errorMessage } from '../../src/core/errors';
import { drawnSmear, toPng } from '../nonSmear';
import { encodeJpeg } from './decode';
import { evaluateFolder } from './evaluate';

/** A PNG whose header says width × height: the app (and now the CLI) reads the size before the pixels. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const small = PNG.sync.write(Object.assign(new PNG({ width: 4, height: 4 }), { data: Buffer.alloc(64, 200) }));
  const b = Buffer.from(small);
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

describe('eval reads a folder as the app takes files', () => {
  it('refuses a JPEG cut short, an image over the megapixel limit and one too small, with the app’s sentences', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smearcount-intake-'));
    const smear = drawnSmear(5);
    const jpeg = await encodeJpeg({ data: new Uint8Array(smear.data), width: smear.width, height: smear.height }, 90);
    writeFileSync(join(dir, 'a-whole.jpg'), jpeg);
    writeFileSync(join(dir, 'b-cut.jpg'), jpeg.subarray(0, Math.round(jpeg.length * 0.6)));
    writeFileSync(join(dir, 'c-huge.png'), pngHeaderOnly(10000, 7500));
    writeFileSync(join(dir, 'd-icon.png'), toPng({ ...drawnSmear(5, 24, 24), name: 'icon' }));
    const r = await evaluateFolder(dir);
    expect(r.perImage.map((p) => p.image)).toEqual(['a-whole.jpg']);
    expect(r.unreadable).toEqual([
      { image: 'b-cut.jpg', error: errorMessage(new AppError('decode', 'the JPEG ends early')) },
      { image: 'c-huge.png', error: errorMessage(new AppError('too-large', '10000×7500 (75 MP)')) },
      { image: 'd-icon.png', error: errorMessage(new AppError('too-small', '24×24')) },
    ]);
  });

  it('names every other file of the folder (a WebP photo, a note) instead of measuring silently on less than it holds', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smearcount-intake-'));
    writeFileSync(join(dir, 'a.png'), toPng(drawnSmear(5)));
    writeFileSync(join(dir, 'b.webp'), Buffer.from('RIFF\0\0\0\0WEBPVP8 '));
    writeFileSync(join(dir, 'notes.txt'), 'slide 4, stain batch 12');
    writeFileSync(join(dir, '.DS_Store'), 'clutter');
    writeFileSync(join(dir, 'Thumbs.db'), 'clutter');
    const r = await evaluateFolder(dir);
    expect(r.perImage.map((p) => p.image)).toEqual(['a.png']);
    expect(r.unreadable).toEqual([
      { image: 'b.webp', error: 'WebP: the app reads it, npm run eval does not; save it as PNG to measure it here' },
      { image: 'notes.txt', error: 'not an image npm run eval reads (JPEG, PNG, BMP, TIFF)' },
    ]);
  });
});
