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
import { detectWithScale, enlargedScores, outOfRegion, sizeAt, type Region, type ScaleInfo } from '../core/detection/scale';
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

/** One detector pass over `full` (or its `region`) at `size`: the detections in the pixels of what was read (the
 * image, or a small eyepiece field's square), and the field the worker found there. */
function passReader(full: ImageBitmap, client: Pick<DetectorClient, 'detect'>, copy: Decoder['copy']) {
  let inferenceMs = 0;
  const pass = async (size: { width: number; height: number }, region?: Region) => {
    // A fresh bitmap per pass (the worker takes ownership); the picture stays for the next.
    const bmp = await copy(full, size, region);
    const out = await client.detect(bmp);
    inferenceMs += out.inferenceMs;
    const read = region ?? { width: full.width, height: full.height };
    const field = out.field ? scaleCircle(out.field, read.width / size.width) : out.field;
    return { raw: decodeOutputs(out, inputScale(read.width, read.height, size)), field };
  };
  return { pass, inferenceMs: () => inferenceMs };
}

/** `full` is read, never closed; `fixedScale`: the batch's magnification set by hand (null: estimated). */
export async function readImage(
  full: ImageBitmap,
  card: Pick<ModelCard, 'nativeSize' | 'scale'>,
  client: Pick<DetectorClient, 'detect'>,
  copy: Decoder['copy'],
  fixedScale: number | null | undefined,
): Promise<ImageRead> {
  const reader = passReader(full, client, copy);
  const detected = await detectWithScale(full.width, full.height, card.nativeSize, card.scale, (_s, size, region) => reader.pass(size, region), fixedScale);
  return { ...detected, inferenceMs: reader.inferenceMs() };
}

/**
 * `full` read in one pass, at the scale (and on the small field's square) an estimated read of the same view chose:
 * the pass readImage kept, without the passes that chose it. Live mode reads a still view frame after frame; on a
 * field that needs the second pass (or a small field's square) each preview paid for the first pass again only to
 * choose the same scale. `scale`: an estimated read's (not a fixed one's), of a picture of the same size.
 */
export async function readAtScale(full: ImageBitmap, scale: ScaleInfo, card: Pick<ModelCard, 'scale'>, client: Pick<DetectorClient, 'detect'>, copy: Decoder['copy']): Promise<ImageRead> {
  const reader = passReader(full, client, copy);
  const read = scale.region ?? { width: full.width, height: full.height };
  const { raw } = await reader.pass(sizeAt(read.width, read.height, scale.used), scale.region);
  // scored as readImage scores that pass (an enlarged pass's calibration), in the whole picture's pixels
  const scored = enlargedScores(raw, scale.relative, card.scale);
  return { raw: scale.region ? outOfRegion(scored, scale.region) : scored, scale, inferenceMs: reader.inferenceMs() };
}
