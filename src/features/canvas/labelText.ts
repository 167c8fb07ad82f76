/** The words the canvas draws beside a box, apart from Konva so that they are tested as plain text. Every
 * figure in the browser's `locale` ("WBC 0,97 · neutrophil 0,93" in a German lab), as the review line says it. */
import { scoreText, type Detection } from '../../core/detection/detection';
import { typeCode, typeText, typeUnsure } from '../../core/differential/differential';
import { CLASS_NAMES } from '../../core/detection/classes';
import { fixed, plain } from '../../core/formats/numbers';

/** The tooltip of a box: its class and score, and a WBC's type with its probability. */
export const labelOf = (d: Detection, locale?: string) => `${d.cls} ${scoreText(d, locale)}${d.wbc ? ` · ${typeText(d.wbc, locale)}` : ''}`;

/** The label on a typed WBC: its short code, then ✓ verified, ✎ set by hand, or the model's probability (with
 * "?" where the type is unsure). */
export function typeLabel(w: NonNullable<Detection['wbc']>, code: Readonly<Record<string, string>>, lowConfidence: number, locale?: string): string {
  const mark = w.verified ? ' ✓' : w.origin === 'manual' ? ' ✎' : ` ${fixed(w.p, 2, locale)}${typeUnsure(w, lowConfidence) ? ' ?' : ''}`;
  return `${typeCode(w, code)}${mark}`;
}

/** What a screen reader is told of the canvas: the image, its boxes by class, and those the count rule leaves
 * out, the counts grouped as the counts panel groups them ("1.363 RBC" in a German lab). */
export function canvasWords(name: string, dets: readonly Pick<Detection, 'cls'>[], leftOut: number, locale?: string): string {
  const n = (x: number) => plain(x, locale);
  const byClass = CLASS_NAMES.map((c) => `${n(dets.filter((d) => d.cls === c).length)} ${c}`).join(', ');
  return `Smear image ${name}: ${n(dets.length)} boxes shown (${byClass})${leftOut ? `; ${n(leftOut)} more left out by the count rule` : ''}`;
}
