/**
 * The one coded error class, and the one map from its codes to sentences a technician understands.
 * Every layer throws AppError (or a subclass that fixes its code); the page shows errorMessage(e).
 * Pure: the worker, the services and the shell all import it.
 */
import { isolateName } from './bidi';

/** Codes that cross the worker boundary, and the client's own ('worker', 'terminated'). */
export type DetectorErrorCode = 'model-download' | 'model-integrity' | 'model-offline' | 'session-create' | 'inference' | 'bad-request' | 'worker' | 'terminated';
/** A dropped file the batch cannot take. */
export type IntakeErrorCode = 'empty' | 'not-image' | 'other-format' | 'tiff' | 'heic' | 'unsupported' | 'too-large' | 'too-small' | 'decode' | 'duplicate' | 'interrupted' | 'unreadable' | 'unreadable-folder';
/** A file the app reads: a VOC annotation, a model card (the model's JSON description), a microscope
 * profile; or the lab's reference intervals as entered. */
export type FileErrorCode = 'annotation' | 'model-card' | 'profile' | 'reference-intervals';
/** Machinery a technician does not see at work until it fails: an export, the quality worker, storage. */
export type ServiceErrorCode = 'export' | 'quality-worker' | 'storage';
/** Live mode's camera: permission refused, no camera at all, one that would not start, or a page at a plain
 * http:// address, to which browsers give no camera. */
export type CameraErrorCode = 'camera-denied' | 'no-camera' | 'camera-failed' | 'camera-insecure';
export type ErrorCode = DetectorErrorCode | IntakeErrorCode | FileErrorCode | ServiceErrorCode | CameraErrorCode;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** The specifics (file name, HTTP status, browser message), worked into the sentence. */
    readonly detail = '',
  ) {
    super(detail || code);
    this.name = 'AppError';
  }
}

/** The camera refused (code 'camera-denied'). `installed`: the app runs installed, in a window of its own
 * (display-mode standalone), where there is no address bar to allow the camera again from. */
export class CameraDeniedError extends AppError {
  constructor(
    detail: string,
    readonly installed: boolean,
  ) {
    super('camera-denied', detail);
  }
}

/** Where a refused camera is allowed again. In a browser tab: the lock or camera icon beside the address.
 * Installed, the app's window has no address bar, and that advice sent people looking for one: there the
 * camera is allowed in the browser's or the system's settings for the app. */
export function cameraDeniedMessage(installed: boolean): string {
  const where = installed
    ? "this installed app has no address bar: allow the camera in the settings for this app (on Android: Chrome › Settings › Site settings › Camera; on a computer: the app window's ⋮ menu › App info; on an iPhone or iPad: Settings › Safari › Camera)"
    : 'allow this site to use the camera (the lock or camera icon beside the address)';
  return `The camera was not allowed. To count live, ${where}, then press Live again. Nothing from the camera leaves this device.`;
}

export const MAX_MEGAPIXELS = 50;
/** The smallest side a countable image can have: a WBC at the detector's reference scale is about 100 px,
 * and an analyser's single-cell crop 120–360 px. */
export const MIN_SIDE_PX = 32;

/** What a file that is not an image (or not one a browser decodes) is, and what to do (formats/imageHeader sniffOther). */
const OTHER_FORMAT: Record<string, string> = {
  pdf: 'A PDF document, not an image. Save the smear photo from it as JPEG or PNG, then drop that.',
  office: 'A Word, Excel or PowerPoint document, not an image. Save the smear photo from it as JPEG or PNG, then drop that.',
  zip: 'A ZIP archive, not an image. Unpack it, then drop the images or their folder.',
  raw: 'A camera RAW file, which browsers cannot show. Export it as JPEG, PNG or TIFF from the camera software (or set the camera to save JPEG beside RAW), then drop that.',
};

/** The sentence for an error: AppError by its code; anything else (a bug) by its message. */
export function errorMessage(e: unknown): string {
  if (!(e instanceof AppError)) return e instanceof Error ? e.message : String(e);
  const d = e.detail;
  switch (e.code) {
    case 'empty':
      return 'The file is empty (0 bytes).';
    case 'not-image':
      return d
        ? `Named .${d}, but what is inside is not an image: the file is damaged, or another kind of file was renamed. Export the photo again from the camera software.`
        : 'Not an image. Drop JPEG, PNG, TIFF, WebP or BMP photos, or Pascal VOC .xml annotations.';
    case 'other-format':
      return OTHER_FORMAT[d] ?? `Not an image (${d}). Drop JPEG, PNG, TIFF, WebP or BMP photos.`;
    case 'tiff':
      return d || 'This TIFF could not be read. Export the image as PNG (lossless) or JPEG from your camera software or ImageJ/Fiji, then drop it again.';
    case 'heic':
      return "An HEIC photo (the iPhone camera's own format), which this browser cannot decode. On the iPhone choose Settings › Camera › Formats › Most Compatible (JPEG), or share the photo as JPEG, then drop it again.";
    case 'unsupported':
      return `This image format is not supported (${d}). Use JPEG, PNG, TIFF, WebP or BMP.`;
    case 'too-large':
      return `The image is ${d}, over the ${MAX_MEGAPIXELS}-megapixel limit. Microscope photos are usually under 5 MP: export a smaller image.`;
    case 'too-small':
      return `The image is ${d} px, too small to count: a side under ${MIN_SIDE_PX} px cannot hold a cell. Drop the photo itself, not a thumbnail or an icon.`;
    case 'decode':
      return `The image could not be decoded: it may be truncated or corrupt${d ? ` (${d})` : ''}.`;
    case 'duplicate':
      return `Already in this batch${d ? ` as ${isolateName(d)}` : ''}: the same image is counted once.`;
    case 'interrupted':
      // a field captured live has no file to drop again: the app held its only copy
      return d === 'live'
        ? 'A field captured live: the page was reloaded or closed before its picture was saved, and the app held its only copy, so it is not in the batch and cannot be added again: capture that field again.'
        : 'The page was reloaded or closed while this file was being read, so it is not in the batch: drop it again.';
    case 'unreadable':
      return `The file could not be read from the dropped folder${d ? ` (${d})` : ''}: it may have been moved or deleted since, its path may be too long for the system (over 260 characters on Windows), or it may be protected. Copy it to a folder with a shorter path, or add it with Add images.`;
    case 'unreadable-folder':
      return `The folder could not be read${d ? ` (${d})` : ''}, so none of its files are in the batch: it may have been moved or be protected. Drop it again, or add its images with Add images.`;
    case 'annotation':
      return `The annotation could not be read: ${d}`;
    case 'model-card':
      return `The model's description (its model card) could not be read: ${d}. The installation is damaged: reload the page, and reinstall the app if this persists.`;
    case 'profile':
      return `Not imported, nothing changed: ${d}.`;
    case 'reference-intervals':
      return `Not saved: ${d.replace(/^[a-z]/, (c) => c.toUpperCase())}.`;
    case 'export':
      return `The export failed: ${d}.`;
    case 'quality-worker':
      return `The image quality check failed: ${d}.`;
    case 'storage':
      return `Saving on this device failed: ${d}.`;
    case 'model-download':
      return `The detection model could not be loaded: ${d}. Check the connection and reload; after one successful visit the app works offline.`;
    case 'model-integrity':
      return `The detection model failed its integrity check and was not used: ${d}. Reload the page; if this persists, the installation is damaged.`;
    case 'model-offline':
      return `${
        d === 'damaged'
          ? "The copy of the detection model kept on this device for offline use is damaged (it failed its integrity check), and was removed."
          : 'This device is offline, and the detection model is not among the files kept on it for offline use (the browser may have cleared them to free space).'
      } Connect to the network and reload the page once: the model is downloaded again and kept, and the app then works offline again.`;
    case 'session-create':
      return `The detection engine could not start: ${d}.`;
    case 'camera-denied':
      return cameraDeniedMessage(e instanceof CameraDeniedError && e.installed);
    case 'no-camera':
      return `No camera was found${d ? ` (${d})` : ''}. Live mode needs a phone or a computer with a camera; you can still add photos with Add images.`;
    case 'camera-failed':
      return `The camera could not start${d ? `: ${d}` : ''}. Close other apps that use the camera, then press Live again.`;
    case 'camera-insecure':
      return `This page was opened at a plain http:// address${d ? ` (${d})` : ''}, and browsers give the camera only to a secure page. Open the app at its https:// address (or at localhost on the computer that serves it), then press Live again; you can still add photos with Add images.`;
    case 'inference':
    case 'bad-request':
    case 'worker':
    case 'terminated':
      return `Detection failed: ${d}`;
  }
}
