import { fileNameParts } from './fileNameParts';

/** A file name that, when it is cut to fit, loses its middle and keeps its end. Its text is the whole
 * name, once, so search and the tests read it unchanged. Head and tail are flex items, which a screen
 * reader (and the accessible name of the thumbnail holding it) would read as two words ("BloodImage
 * _00339.jpg"), so they are hidden from it and a visually hidden copy reads the name whole. That copy is
 * generated content (styles.css), not text: as text it was the name a second time in the element's text
 * ("BloodImage_00339.jpgBloodImage_00339.jpg" in the gallery's selected-cell line, a copy, a test). */
export function FileName({ name }: { name: string }) {
  const { head, tail } = fileNameParts(name);
  if (!head) return <span className="file-name"><span className="file-name-tail">{name}</span></span>;
  return (
    <>
      <span className="file-name" aria-hidden="true">
        <span className="file-name-head">{head}</span>
        <span className="file-name-tail">{tail}</span>
      </span>
      <span className="sr-only file-name-whole" data-name={name} />
    </>
  );
}
