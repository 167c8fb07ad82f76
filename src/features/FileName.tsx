/** The last characters of a name that always stay in view: cameras and microscopes number their photos,
 * so names differ at the end (BloodImage_00339.jpg, BloodImage_00340.jpg), where a plain ellipsis cuts. */
const TAIL = 10;

/** A file name that, when it is cut to fit, loses its middle and keeps its end. Its text is the whole
 * name, so search, copy and the tests read it unchanged. */
export function FileName({ name }: { name: string }) {
  const cut = name.length > TAIL + 2 ? name.length - TAIL : 0;
  return (
    <span className="file-name">
      {cut ? <span className="file-name-head">{name.slice(0, cut)}</span> : null}
      <span className="file-name-tail">{name.slice(cut)}</span>
    </span>
  );
}
