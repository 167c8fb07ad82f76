/**
 * A restored batch's debris verdicts under the rule in force (core/quality/debris). Each image's verdict
 * (which platelet boxes are grey specks, left out of the counts) is made once, when the image is counted,
 * and saved with it. A batch restored after an update that changed the rule kept the old verdict, platelets
 * left out (or specks counted) by a rule the app no longer runs, until the image was counted again. The
 * verdict names its rule (Quality.debrisRule); one under another rule is redone here from the saved file,
 * on the stored detections, with no detector run.
 */
import type { ModelCard } from '../core/detection/card';
import { debrisStale, rejudgeDebris } from '../core/quality/assess';
import type { AppState } from '../store/store';
import { readSmall } from '../worker/qualityAssess';
import type { Decoder } from './decoder';

type Store = { getState(): AppState };

/** Rejudges every counted image whose verdict was made under another rule, one at a time (each decodes
 * its file). Returns how many were redone. An image counted again, changed by the WBC rule or removed
 * meanwhile keeps its own, newer verdict; a file that no longer decodes keeps the saved one. */
export async function rejudgeStaleDebris(store: Store, files: { get(id: string): Blob | undefined }, decoder: Pick<Decoder, 'decode' | 'pixels'>, card: Pick<ModelCard, 'postprocess' | 'scale'>): Promise<number> {
  let n = 0;
  for (const id of store.getState().order) {
    const im = store.getState().images[id];
    if (!im || im.status !== 'done' || !im.raw || !debrisStale(im.quality)) continue;
    const blob = files.get(id);
    if (!blob) continue;
    let bmp: ImageBitmap | undefined;
    try {
      bmp = await decoder.decode(blob);
      const { small, width, height } = await readSmall(decoder.pixels, bmp);
      const now = store.getState().images[id];
      if (!now || now.status !== 'done' || now.raw !== im.raw || now.quality !== im.quality) continue;
      store.getState().updateImage(id, { quality: rejudgeDebris(small, im.raw, im.quality!, { width, height }, im.scale, card) });
      n++;
    } catch {
      // unreadable now: the saved verdict stays (the image was counted with it)
    } finally {
      bmp?.close();
    }
  }
  return n;
}
