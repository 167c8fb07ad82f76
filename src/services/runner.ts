/**
 * The batch pipeline on the page: validate each dropped file, decode and scale it off the main
 * thread (createImageBitmap), hand it to the worker, and store the raw detections. One bad file
 * becomes one message and never stops the batch.
 */
import type { ModelCard } from '../core/detection/card';
import { decodeOutputs } from '../core/detection/decode';
import { detectWithScale } from '../core/detection/scale';
import type { ClassifierCard } from '../core/differential/card';
import { cropRect, normaliseCrop, softmax } from '../core/differential/crop';
import type { Detection } from '../core/detection/detection';
import { shownDetections } from '../store/selectors';
import { sha256Hex } from '../core/formats/hash';
import { sniffImage } from '../core/formats/imageHeader';
import { parseVoc, VocError } from '../core/formats/voc';
import type { DetectorClient } from '../worker/client';
import type { AppState } from '../store/store';
import { IntakeError, MAX_MEGAPIXELS, intakeMessage } from './errors';
import type { ImageFiles } from './files';

type Store = { getState(): AppState };

/** What the runner needs of the browser, injectable for tests. */
export interface Decoder {
  /** createImageBitmap(blob) */
  decode(blob: Blob): Promise<ImageBitmap>;
  /** createImageBitmap(bitmap, resize options): a new bitmap the worker may take */
  copy(bitmap: ImageBitmap, size: { width: number; height: number }): Promise<ImageBitmap>;
  /** The square (x, y, side) of the bitmap, padded with grey outside it, drawn at size x size: RGBA. */
  crop(bitmap: ImageBitmap, rect: { x: number; y: number; side: number }, size: number, pad: number): Promise<Uint8ClampedArray>;
}

export const browserDecoder: Decoder = {
  decode: (blob) => createImageBitmap(blob),
  copy: (bmp, size) =>
    size.width === bmp.width && size.height === bmp.height
      ? createImageBitmap(bmp)
      : createImageBitmap(bmp, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' }),
  async crop(bmp, rect, size, pad) {
    const canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const g = Math.round(pad * 255);
    ctx.fillStyle = `rgb(${g},${g},${g})`;
    ctx.fillRect(0, 0, size, size);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bmp, rect.x, rect.y, rect.side, rect.side, 0, 0, size, size);
    return ctx.getImageData(0, 0, size, size).data;
  },
};

/** Raw WBC candidates classified right after detection (more are classified on demand). */
const CLASSIFY_MIN_SCORE = 0.05;
const CLASSIFY_MAX = 16;

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'bmp', 'gif']);
const stem = (name: string) => name.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');


async function validate(file: Blob): Promise<void> {
  if (file.size === 0) throw new IntakeError('empty');
  const head = sniffImage(new Uint8Array(await file.slice(0, 65536).arrayBuffer()));
  if (!head) throw new IntakeError('not-image');
  if (head.kind === 'tiff') throw new IntakeError('tiff');
  if (!SUPPORTED.has(head.kind)) throw new IntakeError('unsupported', head.kind);
  if (head.kind === 'jpeg') {
    // Browsers render a truncated JPEG as a grey-filled image rather than failing: a count on half
    // a smear would be silently wrong, so require the end-of-image marker near the end.
    const tail = new Uint8Array(await file.slice(Math.max(0, file.size - 4096)).arrayBuffer());
    let eoi = false;
    for (let i = tail.length - 2; i >= 0 && !eoi; i--) eoi = tail[i] === 0xff && tail[i + 1] === 0xd9;
    if (!eoi) throw new IntakeError('decode', 'the JPEG ends early');
  }
  if (head.width && head.height && head.width * head.height > MAX_MEGAPIXELS * 1e6) {
    throw new IntakeError('too-large', `${head.width}×${head.height} (${((head.width * head.height) / 1e6).toFixed(0)} MP)`);
  }
}

export class BatchRunner {
  private running = false;
  private cancelled = false;
  /** Ground truth that arrived before its image. */
  private pendingGt = new Map<string, ReturnType<typeof parseVoc>>();

  constructor(
    private store: Store,
    private client: () => Promise<Pick<DetectorClient, 'detect' | 'classify'>>,
    private card: ModelCard,
    private files: ImageFiles,
    private decoder: Decoder = browserDecoder,
    private classifier: ClassifierCard | null = null,
    private onDecoded?: (id: string, bmp: ImageBitmap) => void,
  ) {}

  private canClassify() {
    return !!this.classifier && this.store.getState().model.classifier === true;
  }

  /** Types the given WBC boxes of one decoded image: one batch through the worker. */
  private async classifyBoxes(client: Pick<DetectorClient, 'classify'>, bmp: ImageBitmap, dets: readonly Detection[]) {
    const rule = this.classifier!.crop;
    const n = dets.length;
    const size = rule.size;
    const crops = new Float32Array(n * 3 * size * size);
    for (let i = 0; i < n; i++) {
      const rgba = await this.decoder.crop(bmp, cropRect(dets[i].box, rule.factor), size, rule.pad);
      crops.set(normaliseCrop(rgba, rule), i * 3 * size * size);
    }
    const out = await client.classify(crops, n, size);
    const probs: Record<string, number[]> = {};
    for (let i = 0; i < n; i++) probs[dets[i].id] = softmax(out.logits.subarray(i * out.classes, (i + 1) * out.classes));
    return { probs, ms: out.ms };
  }

  private typing = new Set<string>();

  /** WBCs shown without a type (drawn by hand, relabelled to WBC, revealed by a lower threshold) are
   * classified at once. Called on every store change; cheap when nothing is missing. */
  async classifyMissing(id: string) {
    if (!this.canClassify() || this.typing.has(id)) return;
    const st = this.store.getState();
    const im = st.images[id];
    if (!im || im.status !== 'done') return;
    const missing = shownDetections(im, st.postprocess).filter((d) => d.cls === 'WBC' && !d.wbc);
    const blob = this.files.get(id);
    if (!missing.length || !blob) return;
    this.typing.add(id);
    try {
      const client = await this.client();
      const bmp = await this.decoder.decode(blob);
      try {
        const { probs, ms } = await this.classifyBoxes(client, bmp, missing);
        const now = this.store.getState().images[id];
        if (now) this.store.getState().updateImage(id, { wbc: { ...(now.wbc ?? {}), ...probs }, classifyMs: (now.classifyMs ?? 0) + ms });
      } finally {
        bmp.close();
      }
    } catch (e) {
      this.store.getState().addFileError(im.name, `The WBC types could not be computed (${(e as Error).message}).`);
    } finally {
      this.typing.delete(id);
    }
  }

  async addFiles(files: readonly File[]): Promise<void> {
    this.store.getState().addIntake(files.length);
    try {
      await this.intake(files);
    } finally {
      this.store.getState().addIntake(-files.length);
    }
    void this.pump();
  }

  private async intake(files: readonly File[]): Promise<void> {
    const xmls = files.filter((f) => /\.xml$/i.test(f.name));
    const others = files.filter((f) => !/\.xml$/i.test(f.name));
    for (const f of others) {
      try {
        await validate(f);
        const id = await sha256Hex(await f.arrayBuffer());
        const existing = this.store.getState().images[id];
        if (existing) throw new IntakeError('duplicate', existing.name === f.name ? '' : existing.name);
        this.files.set(id, f);
        this.store.getState().addImage({ id, name: f.name, bytes: f.size });
        const gt = this.pendingGt.get(stem(f.name));
        if (gt) {
          this.store.getState().setGroundTruth(id, gt.objects);
          this.pendingGt.delete(stem(f.name));
          // the "waiting for its image" notice is answered
          this.store.getState().dismissNotices((n) => n.kind === 'info' && n.source === 'file' && n.message.startsWith(`no image named ${gt.filename || stem(f.name)}`));
        }
      } catch (e) {
        const msg = e instanceof IntakeError ? intakeMessage(e) : `Could not read the file (${(e as Error).message}).`;
        this.store.getState().addFileError(f.name, msg);
      }
    }
    for (const f of xmls) await this.addAnnotation(f);
  }

  private async addAnnotation(f: File) {
    try {
      const voc = parseVoc(await f.text(), f.name);
      const key = stem(voc.filename || f.name);
      const st = this.store.getState();
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
      const msg = e instanceof VocError ? intakeMessage(new IntakeError('annotation', e.message)) : (e as Error).message;
      this.store.getState().addFileError(f.name, msg);
    }
  }

  /** Picks up images left queued (e.g. restored after a reload). */
  resume() {
    if (this.nextQueued()) void this.pump();
  }

  cancel() {
    if (!this.running) return;
    this.cancelled = true;
    // Images not started yet leave the batch; finished ones stay. Cancelling is not an error.
    const st = this.store.getState();
    for (const id of st.order) if (st.images[id].status === 'queued') {
      this.files.delete(id);
      st.removeImage(id);
    }
  }

  private nextQueued(): string | undefined {
    const st = this.store.getState();
    return st.order.find((id) => st.images[id].status === 'queued');
  }

  private async pump() {
    if (this.running) return;
    this.running = true;
    this.cancelled = false;
    const st = this.store.getState();
    const doneAtStart = st.order.filter((id) => st.images[id].status === 'done' || st.images[id].status === 'error').length;
    st.setRun({ startedAt: performance.now(), doneAtStart });
    try {
      const client = await this.client();
      // Two images in flight: the next one decodes while the worker runs the current one.
      const inflight = new Set<Promise<void>>();
      for (;;) {
        if (this.cancelled) break;
        const id = this.nextQueued();
        if (!id) {
          if (!inflight.size) break;
          await Promise.race(inflight);
          continue;
        }
        this.store.getState().updateImage(id, { status: 'running' });
        const p: Promise<void> = this.process(client, id).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= 2) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    } catch {
      // The model failed to load: the model slice shows why; images stay queued for a retry.
    } finally {
      this.running = false;
      this.store.getState().setRun(null);
      if (!this.cancelled && this.nextQueued() && this.store.getState().model.status === 'ready') void this.pump();
    }
  }

  private async process(client: Pick<DetectorClient, 'detect' | 'classify'>, id: string) {
    const blob = this.files.get(id);
    const update = (p: Parameters<AppState['updateImage']>[1]) => this.store.getState().updateImage(id, p);
    if (!blob) return update({ status: 'error', error: 'The file is no longer available.' });
    let full: ImageBitmap;
    try {
      full = await this.decoder.decode(blob);
    } catch {
      this.store.getState().addFileError(this.store.getState().images[id]?.name ?? id, intakeMessage(new IntakeError('decode')));
      return update({ status: 'error', error: intakeMessage(new IntakeError('decode')) });
    }
    const { width, height } = full;
    update({ width, height });
    this.onDecoded?.(id, full);
    let inferenceMs = 0;
    try {
      const { raw, scale } = await detectWithScale(
        width,
        height,
        this.card.nativeSize,
        this.card.scale,
        async (_s, size) => {
          // A fresh bitmap per pass (the worker takes ownership); the decoded original stays for pass 2.
          const bmp = await this.decoder.copy(full, size);
          const out = await client.detect(bmp);
          inferenceMs += out.inferenceMs;
          return decodeOutputs(out, size.width / width);
        },
        this.store.getState().fixedScale,
      );
      if (!this.store.getState().images[id]) return; // removed meanwhile
      let typed: { wbc?: Record<string, number[]>; classifyMs?: number } = {};
      if (this.canClassify()) {
        const cands = raw
          .filter((d) => d.cls === 'WBC' && d.score >= CLASSIFY_MIN_SCORE)
          .sort((a, b) => b.score - a.score)
          .slice(0, CLASSIFY_MAX);
        if (cands.length) {
          const { probs, ms } = await this.classifyBoxes(client, full, cands);
          typed = { wbc: probs, classifyMs: ms };
        } else typed = { wbc: {}, classifyMs: 0 };
      }
      update({ status: 'done', raw, scale, inferenceMs, ...typed });
    } catch (e) {
      update({ status: 'error', error: `Detection failed: ${(e as Error).message}` });
      this.store.getState().addFileError(this.store.getState().images[id]?.name ?? id, `Detection failed: ${(e as Error).message}`);
    } finally {
      full.close();
    }
  }
}
