/**
 * Names that keep images apart in every export. Two fields photographed on two days are often both
 * called BloodImage_00339.jpg: a zip would hold two entries of that name (unzipping overwrites one),
 * and CSV rows or COCO file_names could not be told apart. Names are compared without case and in one
 * Unicode form, because the folders labs unzip into (Windows, macOS) ignore both.
 */
export interface Nameable {
  name: string;
  /** Path relative to the folder the user chose or dropped ("day1/BloodImage_00339.jpg"), when known. */
  path?: string;
  /** A stable id (the file's sha-256): its start is the suffix, so a name does not change between exports. */
  id?: string;
}

// NFC as well: macOS hands a file's name over decomposed ("u" + U+0308), Windows and Linux composed ("ü"), and
// the two spellings are one name on the disks a lab unzips to (APFS and NTFS look names up either way)
const key = (s: string) => s.normalize('NFC').toLowerCase();

/** One file name, whichever Unicode form the OS spelt it in (a Mac's NFD, Windows' NFC): how a name is compared
 * or keyed. The name shown and exported keeps the spelling it came with. */
export const nfc = (name: string) => name.normalize('NFC');
export const sameName = (a: string, b: string) => a === b || nfc(a) === nfc(b);
const clean = (p: string) => p.replace(/\\/g, '/').replace(/^\/+/, '');
const split = (n: string) => {
  const m = /^(.*?)(\.[^./]*)?$/.exec(n)!;
  return { stem: m[1], ext: m[2] ?? '' };
};

/**
 * One name per image, in order, all distinct (ignoring case). A name shared by several images is
 * replaced by the image's relative path where that is known and tells it apart; whatever still
 * collides gets a short suffix before the extension: the id's first 6 characters, else a counter.
 * A name no other image shares is left as it is.
 */
export function uniqueNames(images: readonly Nameable[], ext?: string): string[] {
  // compared as they will be written: field1.jpg and field1.png are one name once both end in .xml
  if (ext !== undefined) return uniqueNames(images.map((im) => ({ ...im, name: withExtension(im.name, ext), path: im.path && withExtension(clean(im.path), ext) })));
  const count = (names: readonly string[]) => {
    const m = new Map<string, number>();
    for (const n of names) m.set(key(n), (m.get(key(n)) ?? 0) + 1);
    return m;
  };
  const byName = count(images.map((im) => im.name));
  const first = images.map((im) => (byName.get(key(im.name))! > 1 && im.path && clean(im.path) ? clean(im.path) : im.name));
  const byFirst = count(first);
  const taken = new Set(first.filter((n) => byFirst.get(key(n)) === 1).map(key));
  const ids = images.map((im) => im.id?.replace(/[^0-9a-z]/gi, '') ?? '');
  // Within each group of equal names, the shortest id prefix (at least 6) that tells its members apart.
  const prefix = new Map<string, number>();
  for (const [k, n] of byFirst) {
    if (n < 2) continue;
    const group = ids.filter((_, i) => key(first[i]) === k);
    let len = 6;
    while (group.every((id) => id.length > len) && new Set(group.map((id) => id.slice(0, len))).size < group.length) len++;
    prefix.set(k, len);
  }
  return first.map((n, i) => {
    if (byFirst.get(key(n)) === 1) return n;
    const { stem, ext } = split(n);
    const len = prefix.get(key(n))!;
    for (let k = 0; ; k++) {
      const suffix = k === 0 && ids[i].length >= len ? ids[i].slice(0, len) : String(i + 1 + k);
      const candidate = `${stem}-${suffix}${ext}`;
      if (!taken.has(key(candidate))) {
        taken.add(key(candidate));
        return candidate;
      }
    }
  });
}

/** The folder an image came from ("day1" for day1/a.jpg), shown beside a name other images share. */
export function folderOf(im: Nameable): string {
  const p = im.path ? clean(im.path) : '';
  const i = p.lastIndexOf('/');
  return i > 0 ? p.slice(0, i) : '';
}

/** Names other images of the batch share (compared without case). */
export function sharedNames(images: readonly Nameable[]): Set<string> {
  const seen = new Map<string, number>();
  for (const im of images) seen.set(key(im.name), (seen.get(key(im.name)) ?? 0) + 1);
  return new Set([...seen].filter(([, n]) => n > 1).map(([k]) => k));
}
export const nameKey = key;

/** A unique name as a download's file name: folders flattened, since a browser download has none. */
export const flatName = (name: string) => clean(name).replace(/\//g, '_');

/** The name with its extension replaced (the VOC file of an image, the annotated PNG); '' drops it. */
export const withExtension = (name: string, ext: string) => `${split(name).stem}${ext}`;
