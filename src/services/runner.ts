/**
 * The batch queue: takes files through intake, then detects queued images three at a time (the next
 * ones decode while the worker runs the current one), scales them when the card asks, types their WBCs and
 * stores the raw detections. Intake (intake.ts) and WBC typing (wbcTyping.ts) live beside it.
 */
import type { ModelCard } from '../core/detection/card';
import { isolateName } from '../core/bidi';
import { AppError, errorMessage } from '../core/errors';
import type { ClassifierCard } from '../core/differential/card';
import type { DetectorClient } from '../worker/client';
import type { AppState } from '../store/store';
import type { ImageCapture } from '../store/types';
import { browserDecoder, type Decoder } from './decoder';
import type { ImageFiles } from './files';
import { Intake, intakeRun, isFolderClutter, shownName, type IntakeRun } from './intake';
import type { IntakeJournal } from './intakeJournal';
import type { Typist } from './typist';
import { WbcTyper } from './wbcTyping';
import { onPageJob } from './qualityWorker';
import { deferRender } from './renderBatch';
import { readImage } from './readImage';

type Store = { getState(): AppState };

/** Images decoding or waiting for their detection. */
const IN_FLIGHT = 3;
/** Images past detection whose quality check and WBC typing are still running (each holds its decoded
 * bitmap): they no longer hold a detection slot, and this bounds how many bitmaps stay open. */
const FINISHING = 2;

export class BatchRunner {
  private running = false;
  /** Wakes a running pump that waits with a slot free (set while it waits). */
  private wake?: () => void;
  private cancelled = false;
  private intakeFiles: Intake;
  private journal?: { list: Pick<IntakeJournal, 'begin' | 'end'>; saved: () => Promise<void> };
  private typer: WbcTyper;
  /** Drops still being checked and filed: Cancel (and a cleared session) stops them too. */
  private drops = new Set<IntakeRun>();

  constructor(
    private store: Store,
    private client: () => Promise<Pick<DetectorClient, 'detect' | 'classify'>>,
    private card: ModelCard,
    private files: ImageFiles,
    private decoder: Decoder = browserDecoder,
    classifier: ClassifierCard | null = null,
    private onDecoded?: (id: string, bmp: ImageBitmap) => void,
    typist?: Pick<Typist, 'client' | 'failed'>,
  ) {
    this.intakeFiles = new Intake(store, files);
    this.typer = new WbcTyper(store, client, files, decoder, classifier, typist);
  }

  /** Types WBCs shown without a type (drawn, relabelled, revealed by a threshold). */
  classifyMissing(id: string) {
    return this.typer.classifyMissing(id);
  }

  /** Set while this window does not own the batch (windowLock.ts): no image is taken in or counted here, and
   * a drop is refused with this sentence instead of being counted into a batch another window saves. */
  private halted: string | null = null;
  /** While halted: what a field captured live that is refused is told ('admit': it is taken in all the same). */
  private haltedCaptures: string = '';

  /** Stops (a sentence: why) or allows again (null) taking in and counting images. Images being counted
   * finish; those left queued wait for resume(). `captures`: the sentence for a field captured live refused
   * meanwhile (it is no file to add again), or 'admit': such fields are still taken in, not counted (the owner
   * handing the batch over: the field it was encoding goes to the other window with the batch). */
  halt(why: string | null, captures: string = why ?? '') {
    this.halted = why;
    this.haltedCaptures = captures;
  }

  /** A drop's files are read into the batch only after `p` (the restore of the saved batch, which replaces the
   * store's images: a file dropped while it ran was filed, then gone, its count with it). */
  private gate: Promise<unknown> = Promise.resolve();
  takeInAfter(p: Promise<unknown>) {
    this.gate = p.catch(() => undefined);
  }

  /** `capture`: the files are fields live mode captured (recorded on each image). */
  async addFiles(files: readonly File[], capture?: ImageCapture): Promise<void> {
    if (this.halted !== null && capture) {
      // the app held the field's only copy: said as lost, by name, where a drop's files can be dropped again
      if (this.haltedCaptures !== 'admit') {
        for (const f of files) this.store.getState().notify({ kind: 'error', source: 'camera', subject: shownName(f), message: this.haltedCaptures });
        return;
      }
    } else if (this.halted !== null) {
      this.store.getState().notify({ kind: 'warning', source: 'save', subject: '', message: this.halted });
      return;
    }
    this.store.getState().addIntake(files.length);
    // the drop's files stay on the journal until the batch that holds them (or names them refused) is saved
    const names = files.filter((f) => !isFolderClutter(f)).map(shownName);
    this.journal?.list.begin(names, !!capture);
    this.onJournal.add(names);
    const run = intakeRun(files);
    this.drops.add(run);
    // each file checked leaves the intake count as it joins the batch (or is refused), in the same update:
    // the progress counts the files still to check, and a 150-file drop read "5/77 done · about 40 s left"
    let checked = 0;
    const onImage = () => {
      checked++;
      deferRender(() => this.store.getState().addIntake(-1));
      void this.pump();
    };
    try {
      await this.gate;
      // Detection starts with the first image filed, not after the whole drop is hashed and checked
      // (intake is about 10-20 ms per file on the page: 0.3-0.6 s for 30 images before the first detection).
      await this.intakeFiles.add(files, onImage, capture, run);
    } finally {
      this.drops.delete(run);
      this.store.getState().addIntake(checked - files.length);
    }
    void this.pump();
    // not awaited: a live capture (services/live) waits for its own save, and a drop for nothing more
    // (a session cleared meanwhile took them off the journal: forgetSession)
    if (this.journal && this.onJournal.has(names)) {
      const { list, saved } = this.journal;
      this.awaitingSave.add(names);
      void saved()
        .catch(() => undefined)
        .then(() => this.awaitingSave.delete(names) && this.onJournal.delete(names) && list.end(names));
    }
  }

  /** The names of every drop on the intake journal, from its begin until its names leave it. */
  private onJournal = new Set<string[]>();

  /** The names of drops read in full whose batch is not yet known to be committed (journalIntake). */
  private awaitingSave = new Set<string[]>();

  /** The batch as this page holds it is committed, and it passes to another window (services' hand over): the
   * drops read in full leave the intake journal now, before the other window reads it, rather than when their
   * own wait for a save ends (it may end after). */
  journalCommitted() {
    for (const names of this.awaitingSave) {
      this.journal?.list.end(names);
      this.onJournal.delete(names);
    }
    this.awaitingSave.clear();
  }

  /** Keeps the names of the files being read on `list` until `saved` (the batch's commit) resolves after
   * them, so that a page reloaded mid-drop can say which files it never took in (intakeJournal.ts). */
  journalIntake(list: Pick<IntakeJournal, 'begin' | 'end'>, saved: () => Promise<void>) {
    this.journal = { list, saved };
  }

  /** The session is cleared (services' clearSession): what the intake keeps for later drops goes with it, and
   * its drops leave the intake journal. Left there until their save committed, a page that went first (the
   * technician clears the session and closes the browser) named the last sample's files to the next user, on the
   * next start, as files not taken in (intakeJournal.ts), in the next sample's notices and report. */
  forgetSession() {
    this.intakeFiles.forgetWaiting();
    for (const names of this.onJournal) this.journal?.list.end(names);
    this.onJournal.clear();
    this.awaitingSave.clear();
  }

  /** Picks up images left queued (e.g. restored after a reload). */
  resume() {
    if (this.nextQueued()) void this.pump();
  }

  cancel() {
    // The files of a drop still being checked go too: a 150-file drop is taken in over seconds, and the
    // ones checked after a Cancel (or after Clear session, into the next sample) were counted all the same.
    const untaken = [...this.drops].flatMap((d) => {
      d.stopped = true;
      return [...d.waiting];
    });
    if (!this.running && !untaken.length) return;
    this.cancelled = true;
    // Images not started yet leave the batch; finished ones stay, and those being counted finish.
    // Cancelling is not an error, but the technician is told which images left.
    const st = this.store.getState();
    const queued = st.order.filter((id) => st.images[id].status === 'queued');
    // A picture the technician cannot drop again stays, and is counted: one counted before and queued again
    // (Count again: its earlier count is gone already) and a field captured live (the app holds its only
    // copy). Both left the batch with their files, and the notice said to add them again.
    const stays = (id: string) => !!(st.images[id].recount || st.images[id].capture);
    const left = queued.filter((id) => !stays(id));
    const kept = queued.length - left.length;
    const names = [...left.map((id) => isolateName(st.images[id].name)), ...untaken.map((f) => isolateName(shownName(f)))];
    for (const id of left) {
      this.files.delete(id);
      st.removeImage(id);
    }
    if (names.length || kept) {
      const running = st.order.filter((id) => st.images[id].status === 'running').length;
      const gone = names.length
        ? `${names.length} image${names.length === 1 ? '' : 's'} not yet counted left the batch (${names.slice(0, 3).join(', ')}${names.length > 3 ? `, and ${names.length - 3} more` : ''}); add them again to count them.`
        : '';
      const stay = kept ? ` ${kept} image${kept === 1 ? '' : 's'} counted before (Count again) or captured live stay in the batch and are counted: they are not files to add again.` : '';
      st.notify({
        kind: 'info',
        source: 'batch',
        subject: '',
        message: `Cancelled:${gone ? ` ${gone}` : ''}${stay}${running ? ` ${running} already being counted will finish.` : ''}`,
      });
    }
  }

  /** An image as a notice names it: by its place in its folder where it has one (intake.ts shownName). */
  private shown(id: string): string {
    const im = this.store.getState().images[id];
    return im ? (im.path ?? im.name) : id;
  }

  private nextQueued(): string | undefined {
    if (this.halted !== null) return undefined;
    const st = this.store.getState();
    return st.order.find((id) => st.images[id].status === 'queued');
  }

  private async pump() {
    if (this.running) {
      this.wake?.(); // an image was queued while the run waits on its images in flight
      return;
    }
    this.running = true;
    this.cancelled = false;
    const st = this.store.getState();
    const doneAtStart = st.order.filter((id) => st.images[id].status === 'done' || st.images[id].status === 'error').length;
    st.setRun({ startedAt: performance.now(), doneAtStart });
    this.decoder.prepare?.();
    const inflight = new Set<Promise<void>>();
    const detecting = new Set<Promise<void>>();
    try {
      // Not awaited here: the first images decode (and get their thumbnails) while the model loads.
      const client = this.client();
      client.catch(() => undefined); // met by process(), which puts its image back in the queue
      // Three images decoding or waiting for the detector, so that a decoded image is always waiting
      // when a detection ends. An image leaves that count as soon as it is detected: when its slot was
      // held through the quality check and the WBC typing too, the batch ran in waves (three detections,
      // then the detector idle while the three were checked and typed: in a profile of a 30-image batch,
      // 2.4 s of 6.2 s passed between one detection's end and the next one's start; see README, issue 24).
      for (;;) {
        if (this.cancelled) break;
        const id = this.nextQueued();
        if (!id) {
          if (!inflight.size) break;
          await Promise.race([...inflight, new Promise<void>((r) => (this.wake = r))]);
          this.wake = undefined;
          continue;
        }
        deferRender(() => this.store.getState().updateImage(id, { status: 'running' }));
        const job = this.process(client, id);
        const p: Promise<void> = job.done.finally(() => inflight.delete(p));
        const d: Promise<void> = job.detected.finally(() => detecting.delete(d));
        // A model that failed to load rejects both: the race below meets it; these keep it from being
        // reported twice as unhandled.
        p.catch(() => undefined);
        d.catch(() => undefined);
        inflight.add(p);
        detecting.add(d);
        while (detecting.size >= IN_FLIGHT || inflight.size >= IN_FLIGHT + FINISHING) await Promise.race(detecting.size >= IN_FLIGHT ? detecting : inflight);
      }
      await Promise.all(inflight);
    } catch {
      // The model failed to load: the model slice shows why; images stay queued for a retry.
      await Promise.allSettled(inflight);
    } finally {
      this.running = false;
      this.store.getState().setRun(null);
      // Cancel removed every queued image, so one queued now came after it (added while the cancelled
      // run finished its images in flight, when pump() returned at once): it starts a run of its own.
      if (this.nextQueued() && this.store.getState().model.status === 'ready') void this.pump();
    }
  }

  /** `detected` settles when the image no longer needs the detector (or failed the same way `done` did). */
  private process(clientReady: Promise<Pick<DetectorClient, 'detect' | 'classify'>>, id: string): { detected: Promise<void>; done: Promise<void> } {
    let signal!: () => void;
    const signalled = new Promise<void>((r) => (signal = r));
    const done = this.processImage(clientReady, id, signal);
    return { detected: Promise.race([signalled, done]), done };
  }

  private async processImage(clientReady: Promise<Pick<DetectorClient, 'detect' | 'classify'>>, id: string, onDetected: () => void) {
    const blob = this.files.get(id);
    const update = (p: Parameters<AppState['updateImage']>[1]) => deferRender(() => this.store.getState().updateImage(id, p));
    if (!blob) return update({ status: 'error', error: 'The file is no longer available.' });
    let full: ImageBitmap;
    try {
      full = await this.decoder.decode(blob);
    } catch {
      this.store.getState().addFileError(this.shown(id), errorMessage(new AppError('decode')));
      return update({ status: 'error', error: errorMessage(new AppError('decode')) });
    }
    const { width, height } = full;
    update({ width, height });
    this.onDecoded?.(id, full);
    // The quality worker reads the image while it waits for the detector and while it runs: after the
    // detections only the statistics that need them are left (11-18 ms less before a first count, in
    // the profile in README, issue 24).
    const quality = this.decoder.assess?.(full) ?? onPageJob(this.decoder.pixels, full);
    let client: Pick<DetectorClient, 'detect' | 'classify'>;
    try {
      client = await clientReady;
    } catch (e) {
      quality.cancel();
      full.close();
      if (this.store.getState().images[id]) update({ status: 'queued' });
      throw e;
    }
    try {
      // the same reading as live mode's previews (readImage): what the live view showed is what is counted here
      const detected = await readImage(full, this.card, client, (b, size, region) => this.decoder.copy(b, size, region), this.store.getState().fixedScale);
      const { inferenceMs } = detected;
      onDetected();
      if (!this.store.getState().images[id]) return; // removed meanwhile
      // the WBC rule runs before typing, so that a red cell taken for a WBC is never typed
      const assessed = await quality.finish(detected.raw, detected.scale, this.card);
      const { raw } = assessed;
      const scale = detected.scale;
      const typed = await this.typer.afterDetection(client, full, raw);
      // the engine and the detector model that counted it, kept with the image: the report names these, not
      // those of a later session that restored the batch
      const m = this.store.getState().model;
      const engine = m.backend ? { backend: m.backend, threads: m.threads ?? 1 } : undefined;
      const detector = { name: this.card.name, sha256: this.card.sha256 };
      update({ status: 'done', raw, scale, inferenceMs, quality: assessed.quality, ...typed, ...(engine ? { engine } : {}), detector });
    } catch (e) {
      const error = errorMessage(e instanceof AppError ? e : new AppError('inference', (e as Error).message));
      update({ status: 'error', error });
      this.store.getState().addFileError(this.shown(id), error);
    } finally {
      quality.cancel(); // nothing to do after finish(); otherwise the worker forgets the image
      full.close();
    }
  }
}
