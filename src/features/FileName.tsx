/** The last characters of a name that always stay in view: cameras and microscopes number their photos,
 * so names differ at the end (BloodImage_00339.jpg, BloodImage_00340.jpg), where a plain ellipsis cuts. */
const TAIL = 10;

/** A file name that, when it is cut to fit, loses its middle and keeps its end. Its text is the whole
 * name, once, so search and the tests read it unchanged. Head and tail are flex items, which a screen
 * reader (and the accessible name of the thumbnail holding it) would read as two words ("BloodImage
 * _00339.jpg"), so they are hidden from it and a visually hidden copy reads the name whole. That copy is
 * generated content (styles.css), not text: as text it was the name a second time in the element's text
 * ("BloodImage_00339.jpgBloodImage_00339.jpg" in the gallery's selected-cell line, a copy, a test). */
export function FileName({ name }: { name: string }) {
  // a head under 6 characters is not cut off: it could be narrower than the head's least width (1.5em),
  // which then showed as a gap inside the name ("liv e-0001.jpg")
  const cut = name.length >= TAIL + 6 ? name.length - TAIL : 0;
  if (!cut) return <span className="file-name"><span className="file-name-tail">{name}</span></span>;
  return (
    <>
      <span className="file-name" aria-hidden="true">
        <span className="file-name-head">{name.slice(0, cut)}</span>
        <span className="file-name-tail">{name.slice(cut)}</span>
      </span>
      <span className="sr-only file-name-whole" data-name={name} />
    </>
  );
}
