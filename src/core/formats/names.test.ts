import { describe, expect, it } from 'vitest';
import { flatName, folderOf, sharedNames, uniqueNames, withExtension } from './names';

describe('uniqueNames', () => {
  it('leaves names no other image shares as they are', () => {
    expect(uniqueNames([{ name: 'a.jpg', path: 'd1/a.jpg' }, { name: 'b.jpg' }])).toEqual(['a.jpg', 'b.jpg']);
  });

  it('keeps the relative folder path of same-named images when it is known', () => {
    const n = uniqueNames([
      { name: 'BloodImage_00339.jpg', path: 'day1/BloodImage_00339.jpg' },
      { name: 'BloodImage_00339.jpg', path: 'day2\\BloodImage_00339.jpg' },
      { name: 'other.jpg', path: 'day2/other.jpg' },
    ]);
    expect(n).toEqual(['day1/BloodImage_00339.jpg', 'day2/BloodImage_00339.jpg', 'other.jpg']);
  });

  it('adds a short suffix from the id when no path tells them apart, before the extension', () => {
    const n = uniqueNames([
      { name: 'x.jpg', id: 'abcdef0123' },
      { name: 'x.jpg', id: '99887766aa' },
    ]);
    expect(n).toEqual(['x-abcdef.jpg', 'x-998877.jpg']);
  });

  it('compares without case, since the folders labs unzip into ignore it', () => {
    const n = uniqueNames([{ name: 'A.JPG' }, { name: 'a.jpg' }]);
    expect(new Set(n.map((s) => s.toLowerCase())).size).toBe(2);
  });

  it('never produces a name another image already has, nor repeats one', () => {
    // "x-1.jpg" exists; the counter must skip past it. Ids sharing their first 6 characters grow longer.
    const n = uniqueNames([{ name: 'x.jpg' }, { name: 'x.jpg' }, { name: 'x-1.jpg' }, { name: 'y.png', id: 'aaaaaa11' }, { name: 'y.png', id: 'aaaaaa22' }]);
    expect(new Set(n.map((s) => s.toLowerCase())).size).toBe(n.length);
    expect(n[2]).toBe('x-1.jpg');
    expect(n.slice(0, 2)).toEqual(['x-2.jpg', 'x-3.jpg']);
    expect(n.slice(3)).toEqual(['y-aaaaaa1.png', 'y-aaaaaa2.png']);
  });

  it('suffixes images whose paths are also the same', () => {
    const n = uniqueNames([
      { name: 'a.jpg', path: 'd/a.jpg', id: '111111' },
      { name: 'a.jpg', path: 'd/a.jpg', id: '222222' },
    ]);
    expect(n).toEqual(['d/a-111111.jpg', 'd/a-222222.jpg']);
  });
});

describe('a name spelt by a Mac (decomposed, NFD) and by Windows (composed, NFC)', () => {
  // "Blüte" as macOS hands it over (u + U+0308) and as Windows does (ü): one name on every disk a lab unzips to
  const mac = 'Blu\u0308te-7.jpg';
  const win = 'Bl\u00fcte-7.jpg';
  it('is one name: the export keeps the two apart, each in its own spelling', () => {
    // before: two distinct names, so one zip held both, and unzipped on a Mac one overwrote the other
    const n = uniqueNames([
      { name: mac, id: 'aaaaaa11' },
      { name: win, id: 'bbbbbb22' },
    ]);
    expect(n).toEqual(['Blu\u0308te-7-aaaaaa.jpg', 'Bl\u00fcte-7-bbbbbb.jpg']);
    expect(uniqueNames([{ name: mac }, { name: win.toUpperCase() }], '.xml')).toEqual(['Blu\u0308te-7-1.xml', 'BL\u00dcTE-7-2.xml']);
    expect([...sharedNames([{ name: mac }, { name: win }])]).toHaveLength(1);
  });
});

describe('flatName and withExtension', () => {
  it('flatten folders for a download and swap the extension', () => {
    expect(flatName('day1/sub/a.jpg')).toBe('day1_sub_a.jpg');
    expect(withExtension('day1/a.b.jpg', '.xml')).toBe('day1/a.b.xml');
    expect(withExtension('noext', '.xml')).toBe('noext.xml');
  });
});

describe('the folder of same-named images', () => {
  it('is known for names other images share, ignoring case', () => {
    const ims = [{ name: 'A.jpg', path: 'day1/A.jpg' }, { name: 'a.jpg', path: 'day2/sub/a.jpg' }, { name: 'b.jpg', path: 'b.jpg' }];
    expect([...sharedNames(ims)]).toEqual(['a.jpg']);
    expect(ims.map(folderOf)).toEqual(['day1', 'day2/sub', '']);
    expect(folderOf({ name: 'x.jpg' })).toBe('');
  });
});
