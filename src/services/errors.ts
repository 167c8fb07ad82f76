/** Typed errors with codes, and the one map from codes to sentences a technician understands. */
import type { ErrorCode } from '../worker/protocol';
export type IntakeErrorCode = 'empty' | 'not-image' | 'tiff' | 'unsupported' | 'too-large' | 'decode' | 'duplicate' | 'annotation';

export class IntakeError extends Error {
  constructor(
    public code: IntakeErrorCode,
    public detail = '',
  ) {
    super(detail || code);
  }
}

export const MAX_MEGAPIXELS = 50;

export function intakeMessage(e: IntakeError): string {
  switch (e.code) {
    case 'empty':
      return 'The file is empty (0 bytes).';
    case 'not-image':
      return 'Not an image. Drop JPEG, PNG, WebP or BMP photos, or Pascal VOC .xml annotations.';
    case 'tiff':
      return 'TIFF is not supported by browsers. Export the image as PNG (lossless) or JPEG from your camera software or ImageJ/Fiji, then drop it again.';
    case 'unsupported':
      return `This image format is not supported (${e.detail}). Use JPEG, PNG, WebP or BMP.`;
    case 'too-large':
      return `The image is ${e.detail}, over the ${MAX_MEGAPIXELS}-megapixel limit. Microscope photos are usually under 5 MP: export a smaller image.`;
    case 'decode':
      return `The image could not be decoded: it may be truncated or corrupt${e.detail ? ` (${e.detail})` : ''}.`;
    case 'duplicate':
      return `Already in this batch${e.detail ? ` as ${e.detail}` : ''}: the same image is counted once.`;
    case 'annotation':
      return `The annotation could not be read: ${e.detail}`;
  }
}

export function modelErrorMessage(code: ErrorCode, message: string): string {
  switch (code) {
    case 'model-download':
      return `The detection model could not be loaded: ${message}. Check the connection and reload; after one successful visit the app works offline.`;
    case 'model-integrity':
      return `The detection model failed its integrity check and was not used: ${message}. Reload the page; if this persists, the installation is damaged.`;
    case 'session-create':
      return `The detection engine could not start: ${message}.`;
    default:
      return `Detection failed: ${message}`;
  }
}
