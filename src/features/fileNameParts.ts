/** The last characters of a name that always stay in view: cameras and microscopes number their photos,
 * so names differ at the end (BloodImage_00339.jpg, BloodImage_00340.jpg), where a plain ellipsis cuts. */
const TAIL = 10;

/** A name's head (cut to fit) and tail (always shown); a head under 6 characters is not cut off: it could be
 * narrower than the head's least width (1.5em), which then showed as a gap inside the name ("liv e-0001.jpg").
 * Counted in characters, not UTF-16 units: an emoji or a CJK Extension B character cut in two showed as two
 * replacement marks, one on each side. */
export function fileNameParts(name: string): { head: string; tail: string } {
  const chars = Array.from(name);
  const cut = chars.length >= TAIL + 6 ? chars.length - TAIL : 0;
  return { head: chars.slice(0, cut).join(''), tail: chars.slice(cut).join('') };
}
