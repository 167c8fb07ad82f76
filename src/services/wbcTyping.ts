/**
 * WBC typing: crops each WBC box by the classifier card's rule and runs the crops through the worker
 * as one batch. Detection types the strongest candidates at once; boxes that appear later (drawn by
 * hand, relabelled to WBC, revealed by a lower threshold) are typed on demand.
 */
import type { ClassifierCard } from '../core/differential/card';
import { cropRect, minWbcSide, rgbaToUnitChw, softmax, type CropRule } from '../core/differential/crop';
import type { Detection } from '../core/detection/detection';
import { shownDetections } from '../store/selectors';
import type { DetectorClient } from '../worker/client';
import type { AppState } from '../store/store';
import type { ImageEntry } from '../store/types';
import type { Decoder } from './decoder';
import type { ImageFiles } from './files';
import type { Typist } from './typist';

type Store = { getState(): AppState };
export type Classify = Pick<DetectorClient, 'classify'>;

/** Raw WBC candidates classified right after detection (more are classified on demand): those a WBC
 * threshold lowered to TYPE_AHEAD of today's would show, at most CLASSIFY_MAX. Typing a candidate costs
 * as much as typing a cell; on CBC images 40% of those above 0.05 (the old bar) were never shown, and the
 * typing shares the detector's thread (issue 24). */
const CLASSIFY_MIN_SCORE = 0.05;
export const TYPE_AHEAD = 0.5;
const CLASSIFY_MAX = 16;

export class WbcTyper {
  private typing = new Set<string>();

  constructor(
    private store: Store,
    private client: () => Promise<Classify>,
    private files: ImageFiles,
    private decoder: Decoder,
    private classifier: ClassifierCard | null,
    /** The typing worker (services/typist.ts): used once ready, instead of the detector worker. */
    private typist?: Pick<Typist, 'client' | 'failed'>,
  ) {}

  /** Through the typing worker when it is ready; the detector worker (`client`) otherwise, or when the
   * typing worker fails (then for good). */
  private async run(client: Classify, crops: Float32Array, n: number, size: number, rule: CropRule) {
    const typing = this.typist?.client();
    if (typing) {
      try {
        return await typing.classify(crops.slice(), n, size, rule);
      } catch {
        this.typist!.failed();
      }
    }
    return client.classify(crops, n, size, rule);
  }

  enabled() {
    return !!this.classifier && this.store.getState().model.classifier === true;
  }

  /** Types the given WBC boxes of one decoded image: one batch through the worker. `context`: the image's
   * raw detections, whose RBCs set the smallest cell a WBC crop is built on (store cropMinSide, as the gallery's tiles). */
  async classifyBoxes(client: Classify, bmp: ImageBitmap, dets: readonly Detection[], context: readonly Detection[] = []) {
    const rule = this.classifier!.crop;
    const n = dets.length;
    const size = rule.size;
    const crops = new Float32Array(n * 3 * size * size);
    const minSide = minWbcSide(context);
    // RGB in [0, 1]: the worker normalises each crop by the rule (a soft crop's restoration, then the white
    // balance), off the page's thread
    for (let i = 0; i < n; i++) {
      const rgba = await this.decoder.crop(bmp, cropRect(dets[i].box, rule.factor, minSide), size, rule.pad);
      crops.set(rgbaToUnitChw(rgba, size), i * 3 * size * size);
    }
    const out = await this.run(client, crops, n, size, rule);
    const probs: Record<string, number[]> = {};
    for (let i = 0; i < n; i++) probs[dets[i].id] = softmax(out.logits.subarray(i * out.classes, (i + 1) * out.classes));
    // the embeddings, for on-device adaptation (kept per cell; a few hundred bytes each)
    let emb: Record<string, number[]> | undefined;
    const d = out.dim;
    if (out.embedding && d && out.embedding.length === n * d) {
      emb = {};
      for (let i = 0; i < n; i++) emb[dets[i].id] = Array.from(out.embedding.subarray(i * d, (i + 1) * d));
    }
    return { probs, ms: out.ms, emb };
  }

  /** The types of a freshly detected image: its strongest raw WBC candidates, or nothing when typing is off. */
  async afterDetection(client: Classify, bmp: ImageBitmap, raw: readonly Detection[]): Promise<{ wbc?: Record<string, number[]>; classifyMs?: number; emb?: Record<string, number[]>; classifiers?: ImageEntry['classifiers'] }> {
    if (!this.enabled()) return {};
    const bar = Math.max(CLASSIFY_MIN_SCORE, TYPE_AHEAD * this.store.getState().postprocess.scoreThresholds.WBC);
    const cands = raw
      .filter((d) => d.cls === 'WBC' && d.score >= bar)
      .sort((a, b) => b.score - a.score)
      .slice(0, CLASSIFY_MAX);
    if (!cands.length) return { wbc: {}, classifyMs: 0 };
    const { probs, ms, emb } = await this.classifyBoxes(client, bmp, cands, raw);
    return { wbc: probs, classifyMs: ms, ...(emb ? { emb } : {}), classifiers: [this.model()] };
  }

  /** The classifier model, kept with the types it gives an image (the report names one that is no longer loaded). */
  private model() {
    return { name: this.classifier!.name, sha256: this.classifier!.sha256 };
  }

  /** WBCs shown without a type are classified at once. Called on every store change; cheap when nothing is missing. */
  async classifyMissing(id: string) {
    if (!this.enabled() || this.typing.has(id)) return;
    const st = this.store.getState();
    const im = st.images[id];
    if (!im || im.status !== 'done') return;
    const shown = shownDetections(im, st.postprocess);
    const missing = shown.filter((d) => d.cls === 'WBC' && !d.wbc);
    const blob = this.files.get(id);
    if (!missing.length || !blob) return;
    this.typing.add(id);
    let typed = false;
    try {
      const client = await this.client();
      const bmp = await this.decoder.decode(blob);
      try {
        // the image's raw detections, as when it was counted (cropMinSide): the gallery's tile is cut on the same square
        const { probs, ms, emb } = await this.classifyBoxes(client, bmp, missing, im.raw ?? []);
        const now = this.store.getState().images[id];
        const by = now?.classifiers?.some((c) => c.sha256 === this.classifier!.sha256) ? now.classifiers : [...(now?.classifiers ?? []), this.model()];
        if (now) this.store.getState().updateImage(id, { wbc: { ...(now.wbc ?? {}), ...probs }, classifyMs: (now.classifyMs ?? 0) + ms, ...(emb ? { emb: { ...(now.emb ?? {}), ...emb } } : {}), classifiers: by });
        typed = true;
      } finally {
        bmp.close();
      }
    } catch (e) {
      this.store.getState().addFileError(im.name, `The WBC types could not be computed (${(e as Error).message}).`);
    } finally {
      this.typing.delete(id);
    }
    // WBCs drawn or relabelled while this ran were skipped by the guard above: type them now.
    if (typed) await this.classifyMissing(id);
  }
}
