import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The CBC data is never copied into the repo: $SMEARCOUNT_DATA, or ../shared/datasets/cbc. */
export function dataRoot(): string {
  const root = process.env.SMEARCOUNT_DATA ?? resolve(repo, '..', 'shared', 'datasets', 'cbc');
  if (!existsSync(join(root, 'Testing', 'Images'))) {
    throw new Error(`CBC dataset not found at ${root} (expected Testing/Images). Set SMEARCOUNT_DATA to the folder holding Training/ and Testing/.`);
  }
  return root;
}

export function testingImages(n?: number): string[] {
  const dir = join(dataRoot(), 'Testing', 'Images');
  const files = readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort();
  return (n ? files.slice(0, n) : files).map((f) => join(dir, f));
}

export function annotationFor(image: string): string {
  return image.replace(/[\\/]Images[\\/]/, '/Annotations/').replace(/\.jpe?g$/i, '.xml');
}

/** Ground-truth counts per class, read the same way the app reads VOC (boxes under 3 px dropped). */
export function truthCounts(image: string): Record<'RBC' | 'WBC' | 'Platelets', number> {
  const xml = readFileSync(annotationFor(image), 'utf8');
  const c = { RBC: 0, WBC: 0, Platelets: 0 };
  for (const m of xml.matchAll(/<object>([\s\S]*?)<\/object>/g)) {
    const name = /<name>\s*(\w+)\s*<\/name>/.exec(m[1])?.[1] as keyof typeof c;
    const v = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(new RegExp(`<${k}>([^<]+)</${k}>`).exec(m[1])?.[1]));
    if (name in c && v[2] - v[0] >= 3 && v[3] - v[1] >= 3) c[name]++;
  }
  return c;
}
