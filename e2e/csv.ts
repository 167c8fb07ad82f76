/** Reads an exported CSV (RFC 4180: quoted fields may hold commas and quotes) into rows of cells, the
 * UTF-8 byte-order mark dropped; `get(row, name)` reads a cell by its column's name. */
export function readCsv(text: string): { header: string[]; rows: string[][]; get(row: string[], name: string): string } {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && s[i + 1] === '\n') {
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) out.push([...row, cell]);
  const [header, ...rows] = out;
  return { header, rows, get: (r, name) => r[header.indexOf(name)] };
}
