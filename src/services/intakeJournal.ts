/**
 * The names of dropped files not yet safe in the saved batch, kept in localStorage. A drop is read file by
 * file (checked, hashed, a TIFF converted) and the batch reaches IndexedDB up to 200 ms after each image:
 * a reload in between lost the rest of the drop without a word (audit 2026-12-06: 8 fields dropped, the
 * page reloaded 0.7 s later, 6 came back and nothing named the other two, a 16-bit TIFF among them).
 * localStorage is written synchronously, so the list outlives the page; the next start names every file on
 * it that the restored batch lacks as a file not counted, with what to do, as it names any refused file.
 */
import { nfc, sameName } from '../core/formats/names';

export const INTAKE_KEY = 'smearcount.intake';

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;
/** A dropped file by its name; a field captured live as an object, since there is no file to drop again. */
type Entry = string | { name: string; live: true };
const nameOf = (e: Entry) => (typeof e === 'string' ? e : e.name);

export class IntakeJournal {
  constructor(private storage: Storage) {}

  private entries(): Entry[] {
    try {
      const v: unknown = JSON.parse(this.storage.getItem(INTAKE_KEY) ?? '[]');
      return Array.isArray(v) ? v.filter((n): n is Entry => typeof n === 'string' || (typeof n?.name === 'string' && n.live === true)) : [];
    } catch {
      return [];
    }
  }

  /** The names on the list, each as often as it was dropped and not yet saved. */
  pending(): string[] {
    return this.entries().map(nameOf);
  }

  /** Those of them that are fields captured live (the app held their only copy). */
  captured(): string[] {
    return this.entries()
      .filter((e) => typeof e !== 'string')
      .map(nameOf);
  }

  /** Before a drop is read: its files are on the list until `end`. `live`: fields captured live, not files. */
  begin(names: readonly string[], live = false) {
    if (names.length) this.write([...this.entries(), ...names.map((name): Entry => (live ? { name, live } : name))]);
  }

  /** Once the batch holding them is committed: each name leaves the list once (another drop of the same
   * name, still being read, keeps its own entry). */
  end(names: readonly string[]) {
    const left = this.entries();
    for (const n of names) {
      const i = left.findIndex((m) => sameName(nameOf(m), n));
      if (i >= 0) left.splice(i, 1);
    }
    this.write(left);
  }

  private write(entries: readonly Entry[]) {
    try {
      if (entries.length) this.storage.setItem(INTAKE_KEY, JSON.stringify(entries));
      else this.storage.removeItem(INTAKE_KEY);
    } catch {
      // a full or absent localStorage: the drop goes on, unjournaled, as before
    }
  }
}

/** The files a page that went left on the list and the restored batch does not hold, neither as an image
 * nor as a refused file (which already says why): each once, in the order dropped. */
export function lostInIntake(pending: readonly string[], batch: { images: readonly string[]; refused: readonly string[] }): string[] {
  // in one Unicode form: a Mac's name (NFD) is the batch's image under Windows' spelling (NFC)
  const known = new Set([...batch.images, ...batch.refused].map(nfc));
  const seen = new Set<string>();
  return pending.filter((n) => !known.has(nfc(n)) && !seen.has(nfc(n)) && !!seen.add(nfc(n)));
}
