/**
 * File intake: validates each dropped file, files it by content hash and adds it to the batch, and
 * pairs Pascal VOC annotations with their images (in either order). One bad file becomes one message
 * and never stops the batch.
 */
import { AppError, MAX_MEGAPIXELS, MIN_SIDE_PX, errorMessage } from '../core/errors';
import { sha256Hex } from '../core/formats/hash';
import { sniffImage, sniffOther, type ImageKind } from '../core/formats/imageHeader';
import { parseVoc } from '../core/formats/voc';
import { nfc, sameName } from '../core/formats/names';
import type { AppState } from '../store/store';
import type { ImageCapture } from '../store/types';
import type { ImageFiles } from './files';
import { deferRender } from './renderBatch';

type Store = { getState(): AppState };

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'bmp', 'gif', 'avif']);
// in one Unicode form: an annotation written on Windows names its image as a Mac spells it otherwise
const stem = (name: string) => nfc(name.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, ''));

/** How far into a JPEG its frame header is looked for: the metadata before it is rarely over a few hundred KiB. */
const JPEG_METADATA_MAX = 16 * 1024 * 1024;

/** Camera RAW formats built on TIFF: Canon, Nikon, Adobe DNG, Sony, Panasonic, Olympus, Pentax, Samsung, Leica, Epson. */
const RAW_EXTENSION = /\.(cr2|nef|nrw|dng|arw|srf|sr2|rw2|orf|pef|srw|rwl|erf|3fr|iiq|mos|kdc|dcr)$/i;

/** Throws the reason a file cannot join the batch; returns its format. */
export async function validate(file: Blob): Promise<ImageKind> {
  if (file.size === 0) throw new AppError('empty');
  const bytes = new Uint8Array(await file.slice(0, 65536).arrayBuffer());
  let head = sniffImage(bytes);
  // a JPEG's size is in its frame header, after the metadata (EXIF, XMP, an ICC profile, Photoshop's): past the
  // first 64 KiB, read further, or a photo over the limit went on to be decoded whole
  if (head?.kind === 'jpeg' && !head.width && file.size > bytes.length) head = sniffImage(new Uint8Array(await file.slice(0, JPEG_METADATA_MAX).arrayBuffer()));
  if (!head) {
    // a PDF, an Office document, a ZIP: say what it is, whatever it is named
    const other = sniffOther(bytes);
    if (other) throw new AppError('other-format', other);
    // RAW formats not built on TIFF (Canon CR3, Fujifilm RAF, Sigma X3F) are named for what they are too
    if (RAW_EXTENSION.test((file as File).name ?? '') || /\.(cr3|crw|raf|x3f|mrw)$/i.test((file as File).name ?? '')) throw new AppError('other-format', 'raw');
    // a file named like an image whose bytes are not one: damaged, or another file renamed
    const ext = /\.(jpe?g|png|webp|bmp|gif|tiff?|avif|hei[cf])$/i.exec((file as File).name ?? '')?.[1];
    throw new AppError('not-image', ext ? ext.toLowerCase() : '');
  }
  // a camera's RAW file is a TIFF inside (a JPEG-compressed preview first): named for what it is, not as a TIFF
  if (head.kind === 'tiff' && RAW_EXTENSION.test((file as File).name ?? '')) throw new AppError('other-format', 'raw');
  if (head.kind === 'tiff') {
    // a TIFF's directory may sit at the end of the file: its size is read from the whole file (the reader is
    // loaded with the first TIFF, not with the page)
    const { tiffSize } = await import('../core/formats/tiff');
    const size = tiffSize(new Uint8Array(await file.arrayBuffer()));
    if (!size) throw new AppError('tiff', 'The TIFF file is damaged: no image could be found in it.');
    Object.assign(head, size);
  } else if (head.kind === 'heic') {
    // Safari decodes HEIC; Chrome and Firefox do not: try, and say what to do where it fails
    const bmp = typeof createImageBitmap === 'function' ? await createImageBitmap(file).catch(() => null) : null;
    if (!bmp) throw new AppError('heic');
    Object.assign(head, { width: bmp.width, height: bmp.height });
    bmp.close();
  } else if (!SUPPORTED.has(head.kind)) throw new AppError('unsupported', head.kind);
  if (head.kind === 'jpeg') {
    // Browsers render a truncated JPEG as a grey-filled image rather than failing: a count on half
    // a smear would be silently wrong, so require the end-of-image marker near the end.
    const tail = new Uint8Array(await file.slice(Math.max(0, file.size - 4096)).arrayBuffer());
    let eoi = false;
    for (let i = tail.length - 2; i >= 0 && !eoi; i--) eoi = tail[i] === 0xff && tail[i + 1] === 0xd9;
    if (!eoi) throw new AppError('decode', 'the JPEG ends early');
  }
  if (head.width && head.height && head.width * head.height > MAX_MEGAPIXELS * 1e6) {
    throw new AppError('too-large', `${head.width}×${head.height} (${((head.width * head.height) / 1e6).toFixed(0)} MP)`);
  }
  if (head.width && head.height && Math.min(head.width, head.height) < MIN_SIDE_PX) throw new AppError('too-small', `${head.width}×${head.height}`);
  return head.kind;
}

/** A file the operating system keeps in a folder (macOS .DS_Store and "._" copies, Windows Thumbs.db and
 * desktop.ini), met inside a dropped or chosen folder: passed over without a word, since the technician never
 * chose it and it is no smear. Dropped on its own it is refused like any other file. */
export function isFolderClutter(f: File): boolean {
  return /[\\/]/.test(f.webkitRelativePath ?? '') && /^(\..*|thumbs\.db|ehthumbs\.db|desktop\.ini)$/i.test(f.name);
}

/** A file as a notice or the report names it: by its place in the dropped or chosen folder where it has one
 * (day1/field.jpg), since two folders of a day's work often hold files of the same name. */
export function shownName(f: File): string {
  return f.webkitRelativePath || f.name;
}

/** The files of a drop that are images to check (not annotations, not a folder's system files). */
const imageFilesOf = (files: readonly File[]) => files.filter((f) => !/\.xml$/i.test(f.name) && !isFolderClutter(f));

/** One drop being taken in. `stopped` (Cancel, or the session cleared) ends it: no file of it is filed
 * after that, whatever it was waiting for, so a drop cancelled or cleared mid-check never lands in the
 * batch, or in the next sample's. `waiting` holds its images neither filed nor refused yet. */
export interface IntakeRun {
  stopped: boolean;
  readonly waiting: Set<File>;
}

export const intakeRun = (files: readonly File[]): IntakeRun => ({ stopped: false, waiting: new Set(imageFilesOf(files)) });

export class Intake {
  /** Ground truth that arrived before its image. */
  private pendingGt = new Map<string, ReturnType<typeof parseVoc>>();

  constructor(
    private store: Store,
    private files: ImageFiles,
  ) {}

  /** The session is cleared: an annotation still waiting for its image was the last sample's, and must not
   * become the reference of the next sample's image of that name. */
  forgetWaiting() {
    this.pendingGt.clear();
  }

  /** Images first, then annotations, so an annotation dropped with its image finds it. `onImage` runs
   * after each image is filed (the runner starts detecting while the rest are checked). */
  async add(files: readonly File[], onImage: () => void = () => undefined, capture?: ImageCapture, run: IntakeRun = intakeRun(files)): Promise<void> {
    const xmls = files.filter((f) => /\.xml$/i.test(f.name));
    for (const f of imageFilesOf(files)) {
      if (run.stopped) return;
      await this.addImage(f, run, capture);
      onImage();
    }
    // a stopped drop's annotations are its own: none is matched to (or kept for) a later drop's image
    for (const f of xmls) if (!run.stopped) await this.addAnnotation(f);
  }

  private async addImage(f: File, run: IntakeRun, capture?: ImageCapture) {
    try {
      const kind = await validate(f);
      const bytes = await f.arrayBuffer();
      const id = await sha256Hex(bytes);
      if (run.stopped) return;
      const existing = this.store.getState().images[id];
      if (existing) throw new AppError('duplicate', sameName(existing.name, f.name) ? '' : existing.name);
      // TIFF: kept as a PNG of the same pixels, which every later reader can decode. Any other image is kept as
      // the bytes just read, not as the File: a File only points at the disk, so a file moved or deleted (or a
      // USB stick taken out) after the drop failed at its count as "could not be decoded", and its thumbnail,
      // canvas, cell tiles, PNG export and save with it
      const blob = kind === 'tiff' ? await (await import('./tiffIntake')).tiffAsPng(f, bytes, MAX_MEGAPIXELS * 1e6) : new Blob([bytes], { type: f.type });
      if (run.stopped) return;
      run.waiting.delete(f);
      this.files.set(id, blob);
      // one render per frame, not per file, while a drop of many files is checked
      deferRender(() => this.store.getState().addImage({ id, name: f.name, bytes: f.size, ...(f.webkitRelativePath ? { path: f.webkitRelativePath } : {}), ...(capture ? { capture } : {}) }));
      const gt = this.pendingGt.get(stem(f.name));
      if (gt) {
        this.store.getState().setGroundTruth(id, gt.objects);
        this.pendingGt.delete(stem(f.name));
        // the "waiting for its image" notice is answered
        this.store.getState().dismissNotices((n) => n.kind === 'info' && n.source === 'file' && n.message.startsWith(`no image named ${gt.filename || stem(f.name)}`));
      }
    } catch (e) {
      // a file of a stopped drop is named by the cancel's notice, not refused into the batch (or the next one)
      if (run.stopped) return;
      run.waiting.delete(f);
      const msg = e instanceof AppError ? errorMessage(e) : `Could not read the file (${(e as Error).message}).`;
      const name = shownName(f);
      // a copy of an image already here is counted, once: no error, and not missing. As an error it was one of
      // the "3 files not counted" a phone's notice line named, beside "2 files refused" in its counts bar
      if (e instanceof AppError && e.code === 'duplicate') return this.store.getState().notify({ kind: 'info', source: 'file', subject: name, message: msg });
      this.store.getState().addFileError(name, msg);
      // named with the batch's figures too (report, CSV, JSON), where dismissing the notice cannot lose it
      this.store.getState().refuseFile(name, msg);
    }
  }

  private async addAnnotation(f: File) {
    try {
      const voc = parseVoc(await f.text(), f.name);
      const key = stem(voc.filename || f.name);
      const st = this.store.getState();
      if (voc.unknownNames.length) {
        st.notify({
          kind: 'info',
          source: 'file',
          subject: f.name,
          message: `boxes named ${voc.unknownNames.map((n) => `“${n}”`).join(', ')} are not RBC, WBC (or a WBC type) or platelets: they are left out of the reference counts.`,
        });
      }
      const match = st.order.find((id) => stem(st.images[id].name) === key || stem(st.images[id].name) === stem(f.name));
      if (match) st.setGroundTruth(match, voc.objects);
      else {
        this.pendingGt.set(key, voc);
        st.notify({
          kind: 'info',
          source: 'file',
          subject: f.name,
          message: `no image named ${voc.filename || `${key}.*`} in this batch yet: the annotation is used when that image is dropped.`,
        });
      }
    } catch (e) {
      this.store.getState().addFileError(f.name, errorMessage(e));
    }
  }
}
