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
import { tiff12bit, turnedClockwise } from '../../e2e/data';
import { requireData } from '../dataRoot';
import { boxAsShown, decodeBmp, decodeImage, encodeJpeg, orient, readAsIntake, withOrientation, type Rgba } from './decode';
import { evaluateFolder, evaluateTypeFolders, otherFiles, typeFolders } from './evaluate';
import { parseVoc, writeVoc } from '../../src/core/formats/voc';

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

describe("a lab's folder as saved: what npm run eval does not read is named", () => {
  it('a subfolder of images is named with the command that reads it; an empty image file gets the app sentence', async () => {
    const lab = mkdtempSync(join(tmpdir(), 'smearcount-lab-'));
    writeFileSync(join(lab, 'a.png'), PNG.sync.write(Object.assign(new PNG({ width: 40, height: 40 }), {})));
    writeFileSync(join(lab, 'empty.jpg'), '');
    writeFileSync(join(lab, 'notes.txt'), 'slide 3');
    for (const [sub, n] of [['monday', 2], ['one', 1]] as const) {
      mkdirSync(join(lab, sub));
      for (let i = 0; i < n; i++) copyFileSync(join(lab, 'a.png'), join(lab, sub, `f${i}.png`));
    }
    mkdirSync(join(lab, 'no-images'));
    writeFileSync(join(lab, 'no-images', 'readme.txt'), 'x');
    expect(otherFiles(lab)).toEqual([
      { image: 'monday/', error: `a folder of 2 images: subfolders are not read; give it on its own (npm run eval -- ${join(lab, 'monday')})` },
      { image: 'notes.txt', error: 'not an image npm run eval reads (JPEG, PNG, BMP, TIFF)' },
      { image: 'one/', error: `a folder of 1 image: subfolders are not read; give it on its own (npm run eval -- ${join(lab, 'one')})` },
    ]);
    // Pascal VOC's own layout: Images/ and Annotations/ are the set, not subfolders left out
    const voc = mkdtempSync(join(tmpdir(), 'smearcount-voc-'));
    mkdirSync(join(voc, 'Images'));
    mkdirSync(join(voc, 'Annotations'));
    copyFileSync(join(lab, 'a.png'), join(voc, 'Images', 'a.png'));
    expect(otherFiles(voc)).toEqual([]);
    await expect(readAsIntake(join(lab, 'empty.jpg'))).rejects.toThrow('The file is empty (0 bytes).');
  });
});

describe('decodeImage: a JPEG a phone saved on its side is read as shown, as the browser shows it', () => {
  it('applies the EXIF orientation (e2e hardening.spec checks orient against Chromium for all eight)', async () => {
    const img: Rgba = { width: 3, height: 2, data: new Uint8Array(24) };
    // six flat 8x8 blocks' worth of distinct colours survive JPEG: one colour per pixel of a tiny image does not,
    // so the picture is scaled up 16x and compared by block
    const big: Rgba = { width: 48, height: 32, data: new Uint8Array(48 * 32 * 4) };
    const colours = [[200, 40, 40], [40, 200, 40], [40, 40, 200], [200, 200, 40], [40, 200, 200], [200, 40, 200]];
    for (let y = 0; y < 32; y++) for (let x = 0; x < 48; x++) big.data.set([...colours[((y / 16) | 0) * 3 + ((x / 16) | 0)], 255], (y * 48 + x) * 4);
    colours.forEach((c, i) => img.data.set([...c, 255], i * 4));
    const dir = mkdtempSync(join(tmpdir(), 'orient-'));
    const jpeg = await encodeJpeg(big, 95);
    for (const o of [1, 3, 6, 8]) {
      writeFileSync(join(dir, `o${o}.jpg`), withOrientation(jpeg, o));
      const read = await decodeImage(join(dir, `o${o}.jpg`));
      const want = orient(img, o);
      expect([read.width, read.height], `orientation ${o}`).toEqual([want.width * 16, want.height * 16]);
      // the centre of each 16-px block is the colour orient() puts there
      for (let Y = 0; Y < want.height; Y++)
        for (let X = 0; X < want.width; X++) {
          const i = ((Y * 16 + 8) * read.width + X * 16 + 8) * 4;
          for (let c = 0; c < 3; c++) expect(Math.abs(read.data[i + c] - want.data[(Y * want.width + X) * 4 + c]), `orientation ${o} (${X},${Y})`).toBeLessThan(12);
        }
    }
    // orient() itself: 6 turns the stored picture clockwise to show it, 8 anticlockwise
    expect([...orient(img, 6).data.subarray(0, 4)]).toEqual([200, 200, 40, 255]); // the stored bottom-left
    expect([...orient(img, 8).data.subarray(0, 4)]).toEqual([40, 40, 200, 255]); // the stored top-right
  });
});

describe('npm run eval on sideways phone photos with their labels', () => {
  it('labels drawn on the photo as shown, or on its pixels as stored (their file gives the stored size): the figures of the field upright', { timeout: 180_000 }, async () => {
    const images = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
    const labels = join(requireData('cbc-complete/Testing', 'CBC Testing complete labels'), 'Annotations');
    const root = mkdtempSync(join(tmpdir(), 'sideways-'));
    const sets = ['upright', 'shown', 'stored'].map((n) => {
      mkdirSync(join(root, n, 'Images'), { recursive: true });
      mkdirSync(join(root, n, 'Annotations'), { recursive: true });
      return join(root, n);
    });
    for (const f of readdirSync(images).sort().slice(0, 3)) {
      const field = await decodeImage(join(images, f));
      const { width: w, height: h } = field;
      // stored turned clockwise, tagged 8: shown, it is the field
      const turned = turnedClockwise(field);
      const sideways = withOrientation(await encodeJpeg(turned, 95), 8);
      const xml = readFileSync(join(labels, f.replace(/\.jpg$/, '.xml')), 'utf8');
      const voc = parseVoc(xml, f);
      writeFileSync(join(sets[0], 'Images', f), await encodeJpeg(field, 95));
      writeFileSync(join(sets[0], 'Annotations', f.replace(/\.jpg$/, '.xml')), xml);
      writeFileSync(join(sets[1], 'Images', f), sideways);
      writeFileSync(join(sets[1], 'Annotations', f.replace(/\.jpg$/, '.xml')), xml);
      // a tool that ignores EXIF: boxes on the stored pixels, the stored size in the file
      const stored = voc.objects.map((o) => ({ ...o, box: { x1: h - o.box.y2, y1: o.box.x1, x2: h - o.box.y1, y2: o.box.x2 } }));
      stored.forEach((o, i) => expect(boxAsShown(o.box, { width: h, height: w }, { width: w, height: h, orientation: 8 })).toEqual(voc.objects[i].box));
      writeFileSync(join(sets[2], 'Images', f), sideways);
      writeFileSync(join(sets[2], 'Annotations', f.replace(/\.jpg$/, '.xml')), writeVoc({ filename: f, width: h, height: w, objects: stored }));
    }
    const [up, shown, stored] = await Promise.all(sets.map((d) => evaluateFolder(d, { optics: false })));
    expect(up.count!.RBC.truth).toBeGreaterThan(30);
    for (const r of [shown, stored]) {
      expect(r.raw!.map50).toBeGreaterThan(up.raw!.map50 - 0.03);
      for (const c of ['RBC', 'WBC', 'Platelets'] as const) expect(Math.abs(r.count![c].accuracy - up.count![c].accuracy), c).toBeLessThan(0.05);
    }
    // the same pixels and, turned, the same boxes: the same figures
    expect(stored.raw!.map50).toBeCloseTo(shown.raw!.map50, 6);
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
