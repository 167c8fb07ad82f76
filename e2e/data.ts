import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countCells, type Counts } from '../src/core/counts/counts';
import { parseVoc } from '../src/core/formats/voc';

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

/** Ground-truth counts per class, read with the app's own VOC reader (boxes under 3 px dropped). */
export function truthCounts(image: string): Counts {
  return countCells(parseVoc(readFileSync(annotationFor(image), 'utf8'), annotationFor(image)).objects);
}
