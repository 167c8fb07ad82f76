import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { countCells, type Counts } from '../src/core/counts/counts';
import { parseVoc } from '../src/core/formats/voc';
import { ensureScaleSets, requireData } from '../scripts/dataRoot';

/** CBC Testing images (the data is never copied into the repo: $SMEARCOUNT_DATA or ../shared/datasets). */
export function testingImages(n?: number): string[] {
  const dir = join(requireData('cbc/Testing', 'CBC Testing'), 'Images');
  const files = readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort();
  return (n ? files.slice(0, n) : files).map((f) => join(dir, f));
}

/** The complete-label annotation (every visible cell) of a CBC Testing image. */
export function completeAnnotationFor(image: string): string {
  return join(requireData('cbc-complete/Testing', 'CBC Testing complete labels'), 'Annotations', basename(image).replace(/\.jpe?g$/i, '.xml'));
}

function countsOf(xml: string): Counts {
  return countCells(parseVoc(readFileSync(xml, 'utf8'), xml).objects);
}

/** Ground-truth counts of every visible cell (complete labels), read with the app's own VOC reader. */
export function truthCounts(image: string): Counts {
  return countsOf(completeAnnotationFor(image));
}

/** The zoom-out mosaics (cells at 0.5x) and their complete-label counts. */
export function zoomOutImages(): { image: string; truth: Counts }[] {
  const dir = ensureScaleSets()['zoom-out'];
  return readdirSync(join(dir, 'Images'))
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => ({ image: join(dir, 'Images', f), truth: countsOf(join(dir, 'Annotations', f.replace(/\.png$/, '.xml'))) }));
}
