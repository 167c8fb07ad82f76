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

export class IntakeJournal {
  constructor(private storage: Storage) {}

  /** The names on the list, each as often as it was dropped and not yet saved. */
  pending(): string[] {
    try {
      const v: unknown = JSON.parse(this.storage.getItem(INTAKE_KEY) ?? '[]');
      return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [];
    } catch {
      return [];
    }
  }

  /** Before a drop is read: its files are on the list until `end`. */
  begin(names: readonly string[]) {
    if (names.length) this.write([...this.pending(), ...names]);
  }

  /** Once the batch holding them is committed: each name leaves the list once (another drop of the same
   * name, still being read, keeps its own entry). */
  end(names: readonly string[]) {
    const left = this.pending();
    for (const n of names) {
      const i = left.findIndex((m) => sameName(m, n));
      if (i >= 0) left.splice(i, 1);
    }
    this.write(left);
  }

  private write(names: readonly string[]) {
    try {
      if (names.length) this.storage.setItem(INTAKE_KEY, JSON.stringify(names));
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
