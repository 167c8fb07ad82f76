/**
 * `npm run eval` on a lab's own set as the lab saved it: BMP and TIFF files, type folders named as
 * Raabin or an analyser names them, and a file that cannot be read. The figures must be those of the same
 * pixels as JPEG in the canonical layout, and nothing is passed over silently.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { tiff12bit } from '../../e2e/data';
import { requireData } from '../dataRoot';
import { decodeBmp, decodeImage, type Rgba } from './decode';
import { evaluateTypeFolders, typeFolders } from './evaluate';

const fixtures = join(__dirname, '../../src/core/formats/fixtures/images');
const fixture = (n: string) => new Uint8Array(readFileSync(join(fixtures, n)));

function maxDiff(a: Rgba, ref: PNG): number {
  let m = 0;
  for (let i = 0; i < ref.width * ref.height; i++) for (let c = 0; c < 3; c++) m = Math.max(m, Math.abs(a.data[i * 4 + c] - ref.data[i * 4 + c]));
  return m;
}

/** A 24-bit bottom-up BMP of RGBA pixels, as Windows software writes one. */
function bmp24(img: Rgba): Buffer {
  const stride = Math.ceil((img.width * 3) / 4) * 4;
  const b = Buffer.alloc(54 + stride * img.height);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(img.width, 18);
  b.writeInt32LE(img.height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      const o = 54 + (img.height - 1 - y) * stride + 3 * x;
      [b[o], b[o + 1], b[o + 2]] = [img.data[i + 2], img.data[i + 1], img.data[i]];
    }
  }
  return b;
}

describe('decodeBmp', () => {
  it('reads 24-bit, 32-bit bit-field and 8-bit palette BMPs (ImageMagick wrote them) as their PNG', () => {
    const ref = PNG.sync.read(readFileSync(join(fixtures, 'ref.png')));
    expect(maxDiff(decodeBmp(fixture('rgb24.bmp')), ref)).toBe(0);
    expect(maxDiff(decodeBmp(fixture('rgb32.bmp')), ref)).toBe(0);
    expect(maxDiff(decodeBmp(fixture('palette8.bmp')), PNG.sync.read(readFileSync(join(fixtures, 'palette.png'))))).toBe(0);
  });
  it('refuses a run-length BMP and a cut one with a sentence', () => {
    expect(() => decodeBmp(fixture('palette8-rle.bmp'))).toThrow(/compression 1 is not read by the CLI; save it as PNG/);
    expect(() => decodeBmp(fixture('rgb24.bmp').slice(0, 300))).toThrow(/cut short/);
  });
});

describe('npm run eval on type folders as a lab names and saves them', () => {
  it('Raabin-style folder names, BMP and 12-bit TIFF cells: the figures of the same cells as JPEG, the broken file named', { timeout: 120_000 }, async () => {
    const pbc = requireData('pbc-wbc', 'PBC single cells');
    const root = mkdtempSync(join(tmpdir(), 'eval-inputs-'));
    const [canonical, lab] = [join(root, 'canonical'), join(root, 'lab')];
    // canonical layout: <type>/<file>.jpg; the lab's: Neutrophil/*.bmp, LYM/*.tif, a platelet folder, a broken file
    const folders: [string, string, 'bmp' | 'tif'][] = [
      ['neutrophil', 'Neutrophil', 'bmp'],
      ['lymphocyte', 'LYM', 'tif'],
    ];
    for (const [type, name, ext] of folders) {
      mkdirSync(join(canonical, type), { recursive: true });
      mkdirSync(join(lab, name), { recursive: true });
      for (const f of readdirSync(join(pbc, type)).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, 2)) {
        copyFileSync(join(pbc, type, f), join(canonical, type, f));
        const img = await decodeImage(join(pbc, type, f));
        writeFileSync(join(lab, name, f.replace(/\.jpe?g$/i, `.${ext}`)), ext === 'bmp' ? bmp24(img) : tiff12bit(img));
      }
    }
    mkdirSync(join(lab, 'platelet'));
    copyFileSync(join(pbc, 'neutrophil', readdirSync(join(pbc, 'neutrophil')).sort()[0]), join(lab, 'platelet', 'p.jpg'));
    writeFileSync(join(lab, 'Neutrophil', 'broken.jpg'), 'not a picture');

    expect(typeFolders(lab)).toEqual([
      { folder: 'LYM', type: 'lymphocyte' },
      { folder: 'Neutrophil', type: 'neutrophil' },
    ]);
    const a = await evaluateTypeFolders(canonical);
    const b = await evaluateTypeFolders(lab);
    expect(b.unreadable).toEqual([{ image: 'neutrophil/broken.jpg', error: expect.stringMatching(/not a JPEG, PNG, BMP or TIFF image/) }]);
    expect(a.unreadable).toEqual([]);
    // the same cells, within a level of the same pixels (12-bit TIFF): the same types
    expect(b.wbcFound).toBe(a.wbcFound);
    expect(b.accuracy).toBe(a.accuracy);
    expect(b.perClass).toEqual(a.perClass);
  });
});
