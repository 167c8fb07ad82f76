import { describe, expect, it } from 'vitest';
import { cocoWithSample, csvWithSample, exportName, jsonWithSample, pngWithSample, provenanceText, safeName, vocWithSample } from './sample';
import { crc32 } from './zip';

describe('the sample ID in exports', () => {
  it('file names: safe, with the sample and the time', () => {
    expect(safeName(' S/042 B ')).toBe('S_042_B');
    expect(safeName('../etc')).toBe('etc');
    expect(safeName('')).toBe('no-sample-id');
    // any script's letters and digits stay: before, ASCII only
    expect(safeName('\u0639\u064a\u0646\u0629')).toBe('\u0639\u064a\u0646\u0629');
    expect(safeName('\u0639\u064a\u0646\u0629-7')).not.toBe(safeName('\u0645\u0631\u064a\u0636-7'));
    expect(safeName('\u0141o\u0301dz\u0301-7')).toBe('\u0141\u00f3d\u017a-7');
    expect(safeName('\u0928\u092e\u0942\u0928\u093e \u0967\u0968')).toBe('\u0928\u092e\u0942\u0928\u093e_\u0967\u0968');
    expect(safeName('\u691c\u4f53-\uff10\uff17')).toBe('\u691c\u4f53-\uff10\uff17');
    // direction controls and path or Windows-reserved characters are not kept
    expect(safeName('S\u202e7:<>|*?"\\')).toBe('S_7_');
    expect(Array.from(safeName('\u{1d400}'.repeat(70)))).toHaveLength(64);
    expect(exportName('counts', '\u0639\u064a\u0646\u0629-7', 'csv', new Date('2026-11-30T10:20:30Z'))).toBe('counts-\u0639\u064a\u0646\u0629-7-2026-11-30-10-20-30Z.csv');
    expect(exportName('counts', 'S-1', 'csv', new Date('2026-11-30T10:20:30Z'))).toBe('counts-S-1-2026-11-30-10-20-30Z.csv');
  });
  it('CSV: a last sample_id column, quoted when needed, line endings kept', () => {
    expect(csvWithSample('image,RBC\r\na.jpg,3\r\n', 'S,1')).toBe('image,RBC,sample_id\r\na.jpg,3,"S,1"\r\n');
    expect(csvWithSample('a\nb', 'x')).toBe('a,sample_id\nb,x');
    const models = { detector: { name: 'det', sha256: 'ab' }, classifier: { name: 'wbc', sha256: 'cd' }, engine: 'wasm', threads: 2 };
    expect(provenanceText(models)).toBe('det sha256:ab; wbc sha256:cd; engine wasm x2');
    // the app's version and commit first, where known
    expect(provenanceText({ ...models, app: '0.1.0+abc1234' })).toBe('smearcount 0.1.0+abc1234; det sha256:ab; wbc sha256:cd; engine wasm x2');
    // images counted by an earlier detector (a batch restored after an update) are named with it, after the loaded one
    expect(provenanceText({ ...models, otherDetectors: [{ name: 'det', sha256: 'ef', images: 2 }], otherClassifiers: [{ name: 'wbc', sha256: '01', images: 1 }] })).toBe(
      'det sha256:ab; 2 images counted by det sha256:ef; wbc sha256:cd; 1 image typed by wbc sha256:01; engine wasm x2',
    );
    expect(csvWithSample('a\nb', 'x', provenanceText(models))).toBe('a,sample_id,models\nb,x,det sha256:ab; wbc sha256:cd; engine wasm x2');
    expect(JSON.parse(cocoWithSample('{"info":{}}', 'S', models)).info).toEqual({ sample_id: 'S', models });
  });
  it('VOC, JSON and COCO content', () => {
    expect(vocWithSample('<annotation>\n  <filename>a.jpg</filename></annotation>', 'A<&>')).toContain('<annotation>\n  <sample_id>A&lt;&amp;&gt;</sample_id>');
    expect(JSON.parse(jsonWithSample('[{"image":"a"}]', { sample: { id: 'S' }, audit: [] }))).toEqual({ sample: { id: 'S' }, audit: [], images: [{ image: 'a' }] });
    expect(JSON.parse(cocoWithSample('{"info":{"description":"x"},"images":[]}', 'S')).info).toEqual({ description: 'x', sample_id: 'S' });
  });
  it('PNG: a valid tEXt chunk right after IHDR', () => {
    const ihdr = Uint8Array.from([0, 0, 0, 13, 73, 72, 68, 82, ...Array(13).fill(1), 0, 0, 0, 0]);
    const iend = Uint8Array.from([0, 0, 0, 0, 73, 69, 78, 68, 0xae, 0x42, 0x60, 0x82]);
    const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, ...ihdr, ...iend]);
    const out = pngWithSample(png, 'S-9');
    const at = 8 + ihdr.length;
    const len = new DataView(out.buffer).getUint32(at);
    expect(len).toBe('Sample ID\0S-9'.length);
    expect(String.fromCharCode(...out.subarray(at + 4, at + 8))).toBe('tEXt');
    expect(String.fromCharCode(...out.subarray(at + 8, at + 8 + len))).toBe('Sample ID\0S-9');
    expect(new DataView(out.buffer).getUint32(at + 8 + len)).toBe(crc32(out.subarray(at + 4, at + 8 + len)));
    expect(out.subarray(at + 12 + len)).toEqual(iend);
    expect(() => pngWithSample(Uint8Array.from([1, 2, 3]), 'x')).toThrow(/not a PNG/);
  });
  it('PNG: the release as iTXt chunks (UTF-8) after the sample ID, each with a valid CRC', () => {
    const ihdr = Uint8Array.from([0, 0, 0, 13, 73, 72, 68, 82, ...Array(13).fill(1), 0, 0, 0, 0]);
    const iend = Uint8Array.from([0, 0, 0, 0, 73, 69, 78, 68, 0xae, 0x42, 0x60, 0x82]);
    const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, ...ihdr, ...iend]);
    const line = 'Released · verified by Zoë Łukasz at 2026-12-06T10:00:00+01:00 · revision ab';
    const out = pngWithSample(png, 'S-9', { state: 'released', line });
    // walk the chunks as a reader does
    const dv = new DataView(out.buffer);
    const chunks: { type: string; data: Uint8Array }[] = [];
    for (let at = 8; at < out.length; ) {
      const len = dv.getUint32(at);
      const type = String.fromCharCode(...out.subarray(at + 4, at + 8));
      // (the fixture's own IHDR and IEND carry no real CRC)
      if (type.endsWith('tEXt') || type === 'iTXt') expect(dv.getUint32(at + 8 + len), type).toBe(crc32(out.subarray(at + 4, at + 8 + len)));
      chunks.push({ type, data: out.subarray(at + 8, at + 8 + len) });
      at += 12 + len;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'iTXt', 'iTXt', 'IEND']);
    const itxt = (d: Uint8Array) => {
      const k = d.indexOf(0);
      // compression flag and method 0, then empty language tag and translated keyword
      expect([...d.subarray(k + 1, k + 5)]).toEqual([0, 0, 0, 0]);
      return [String.fromCharCode(...d.subarray(0, k)), new TextDecoder().decode(d.subarray(k + 5))];
    };
    expect(itxt(chunks[2].data)).toEqual(['Report state', 'released']);
    expect(itxt(chunks[3].data)).toEqual(['Release', line]);
    // a sample ID beyond Latin-1 is kept exactly, in UTF-8 (tEXt made it "?ód?-7")
    const polish = Buffer.from(pngWithSample(png, 'Łódź-7'));
    expect(polish.includes(Buffer.from('iTXtSample ID\0\0\0\0\0Łódź-7', 'utf8'))).toBe(true);
    expect(polish.includes(Buffer.from('tEXt', 'latin1'))).toBe(false);
    // the models that made the figures, where given
    const withModels = pngWithSample(png, 'S-9', { state: 'released', line, models: 'det sha256:ab' });
    expect(Buffer.from(withModels).includes(Buffer.from('iTXtModels\0\0\0\0\0det sha256:ab', 'latin1'))).toBe(true);
  });
});
