/**
 * How the detector reads one picture: the batch's scale logic (core/detection/scale detectWithScale: a first pass
 * at the plan scale, a second where the cells' size asks for it, a small eyepiece field's square read as the
 * image), each pass on a copy of the same picture. The batch runner reads every image so, and live mode its
 * previews: with a preview of its own (one pass at the frame's size), a field at another magnification read one
 * way on the screen and another in the batch, its saved count a cell or more off the live one.
 */
import type { ModelCard } from '../core/detection/card';
import { decodeOutputs } from '../core/detection/decode';
import type { Detection } from '../core/detection/detection';
import { inputScale } from '../core/detection/geometry';
import { detectWithScale, type ScaleInfo } from '../core/detection/scale';
import { scaleCircle } from '../core/quality/field';
import type { DetectorClient } from '../worker/client';
import type { Decoder } from './decoder';

export interface ImageRead {
  /** Detections in the picture's pixels. */
  raw: Detection[];
  scale: ScaleInfo;
  /** Inference time over the passes. */
  inferenceMs: number;
}

/** `full` is read, never closed; `fixedScale`: the batch's magnification set by hand (null: estimated). */
export async function readImage(
  full: ImageBitmap,
  card: Pick<ModelCard, 'nativeSize' | 'scale'>,
  client: Pick<DetectorClient, 'detect'>,
  copy: Decoder['copy'],
  fixedScale: number | null | undefined,
): Promise<ImageRead> {
  const { width, height } = full;
  let inferenceMs = 0;
  const detected = await detectWithScale(
    width,
    height,
    card.nativeSize,
    card.scale,
    async (_s, size, region) => {
      // A fresh bitmap per pass (the worker takes ownership); the picture stays for pass 2.
      const bmp = await copy(full, size, region);
      const out = await client.detect(bmp);
      inferenceMs += out.inferenceMs;
      // in the pixels of what was read: the image, or a small eyepiece field's square (detectWithScale)
      const read = region ?? { width, height };
      const field = out.field ? scaleCircle(out.field, read.width / size.width) : out.field;
      return { raw: decodeOutputs(out, inputScale(read.width, read.height, size)), field };
    },
    fixedScale,
  );
  return { ...detected, inferenceMs };
}
