/**
 * The files of a drop, with dropped folders walked (webkitGetAsEntry), so a technician can drop a whole day's
 * folder. An entry the system will not hand over (Chrome on Windows answers NotFoundError for a path over 260
 * characters; a file moved or deleted since the drag began; a folder that cannot be listed) is named with why,
 * and the rest of the drop is taken: one such entry rejected the whole walk, and the drop was lost unsaid.
 */

/** What a dropped entry gives (FileSystemEntry's part used here). */
type Entry = Pick<FileSystemEntry, 'isFile' | 'isDirectory' | 'fullPath'>;

export interface DroppedFiles {
  files: File[];
  /** Entries that could not be read: the path in the drop (a folder's ends in "/"), and the browser's reason. */
  unreadable: { name: string; folder: boolean; why: string }[];
}

const reason = (e: unknown) => (e instanceof Error ? e.name : String(e));

export async function filesFromDataTransfer(dt: Pick<DataTransfer, 'items' | 'files'>): Promise<DroppedFiles> {
  const entries = Array.from(dt.items ?? [])
    .map((i) => (i.kind === 'file' ? i.webkitGetAsEntry?.() : null))
    .filter((e): e is FileSystemEntry => !!e);
  if (!entries.length) return { files: Array.from(dt.files), unreadable: [] };
  const files: File[] = [];
  const unreadable: DroppedFiles['unreadable'] = [];
  const path = (e: Entry) => e.fullPath.replace(/^\//, '');
  const walk = async (e: Entry): Promise<void> => {
    if (e.isFile) {
      let f: File;
      try {
        f = await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej));
      } catch (err) {
        unreadable.push({ name: path(e), folder: false, why: reason(err) });
        return;
      }
      // The entry knows the file's place in the dropped folder but the File it gives does not carry it;
      // set the field a chosen folder fills (webkitdirectory), so intake reads one field either way.
      if (!f.webkitRelativePath && e.fullPath.includes('/', 1)) Object.defineProperty(f, 'webkitRelativePath', { value: path(e) });
      files.push(f);
    } else if (e.isDirectory) {
      const reader = (e as FileSystemDirectoryEntry).createReader();
      try {
        for (;;) {
          const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
          if (!batch.length) break;
          for (const c of batch) await walk(c);
        }
      } catch (err) {
        unreadable.push({ name: `${path(e)}/`, folder: true, why: reason(err) });
      }
    }
  };
  for (const e of entries) await walk(e);
  // by place in the dropped folder, as a chosen folder is (DropZone): sorted by name alone, two days' folders
  // of field-1, field-2… were listed day2, day1, day2, day1
  const place = (f: File) => f.webkitRelativePath || f.name;
  return { files: files.sort((a, b) => place(a).localeCompare(place(b), undefined, { numeric: true })), unreadable };
}
