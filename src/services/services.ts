/**
 * The composition root: builds the model card, the stores, the detector client, the batch runner and
 * persistence, once, when the app starts. Nothing here runs on import; features reach these through
 * React context (context.ts), never by importing app/.
 */
import cardJson from '../../models/smearcount-frcnn.json';
import defaultModelUrl from '../../models/smearcount-frcnn.onnx?url';
import wbcCardJson from '../../models/smearcount-wbc.json';
import wbcModelUrl from '../../models/smearcount-wbc.onnx?url';
import { parseClassifierCard, type ClassifierCard } from '../core/differential/card';
import { parseModelCard, type ModelCard } from '../core/detection/card';
import { createAppStore, type AppStore } from '../store/store';
import { modelsInUse } from '../store/modelSlice';
import { createViewStore, type ViewStore } from '../store/viewStore';
import { createTypist, type TypistState } from './typist';
import { DetectorClient } from '../worker/client';
import type { BackendChoice } from '../worker/protocol';
import { AppError, errorMessage } from '../core/errors';
import { createImageFiles, type ImageFiles } from './files';
import { Persistence } from './persist';
import { IntakeJournal, lostInIntake } from './intakeJournal';
import { nfc } from '../core/formats/names';
import { BatchRunner } from './runner';
import { createThumbnails, type Thumbnails } from './thumbnails';
import { createGalleryStore, type GalleryStore } from '../store/galleryStore';
import { createCellTiles, type CellTiles } from './cellTiles';
import { watchDifferentialTarget } from './differentialNotice';
import { SamplePersistence } from './samplePersist';
import { ProfileService } from './profile';
import { watchOptics } from './optics';
import { rejudgeStaleDebris } from './debrisRule';
import { browserDecoder } from './decoder';
import { watchSameField } from './sameField';
import { chooseThreads, parseRecord, recordBatch } from './threadChoice';
import { optimizedModels } from './optimizedModels';
import { RELEASE_SCHEME, releaseRevision, restoredWithdrawal, watchRelease } from '../store/release';
import { createLiveStore, type LiveStore } from '../store/liveStore';
import { fieldSignatures, LiveCamera } from './live';
import { warmRuntimeCache, type WarmState } from './runtimeCache';
import { cardWithOverrides } from './cardOverrides';
import { browserWindowLock, mayEdit, type WindowLock } from './windowLock';
import { watchLaunchFiles, type LaunchQueue } from './launchFiles';

export interface Services {
  card: ModelCard;
  /** The WBC classifier's card (null with ?differential=off). */
  classifier: ClassifierCard | null;
  store: AppStore;
  view: ViewStore;
  files: ImageFiles;
  thumbnails: Thumbnails;
  runner: BatchRunner;
  persistence: Persistence;
  /** The sample record's own store (kept apart: it is cleared with the session, never pre-filled). */
  samplePersistence: SamplePersistence;
  /** The WBC gallery's UI state and its crop tiles. */
  gallery: GalleryStore;
  tiles: CellTiles;
  /** The microscope profile (null without a classifier that exposes its embedding). */
  profile: ProfileService | null;
  /** Live mode: the camera view's state, and the camera that fills the batch field by field. */
  live: LiveStore;
  camera: LiveCamera;
  /** Which window of the app works on the batch (windowLock.ts). */
  windowLock: WindowLock;
  loadDetector(): Promise<DetectorClient>;
  /** The first visit's warm-up of the compiled runtime for the next visit (runtimeCache.ts). */
  runtimeCache(): WarmState;
  /** The typing worker's state (typist.ts). */
  typist(): TypistState;
  /** The engine choice persists; switching restarts the page (the batch is restored from IndexedDB). */
  chooseBackend(b: BackendChoice): void;
  /** Restores a stored batch, then keeps the store saved and finishes any images left queued. */
  startSession(): Promise<void>;
  clearSession(): Promise<void>;
  /** Takes one image out of the batch (the caller has asked the technician): its counts and edits leave the
   * totals, the saved batch follows, and the audit trail keeps a line. Undo puts it back: its file and thumbnail
   * are let go once the removal leaves the history (batchSlice removedImages). An image being counted now
   * finishes and is dropped (the runner checks that it is still in the batch). */
  discardImage(id: string): void;
}

export interface ServiceOptions {
  /** location.search: ?model=<url>&sha256=<hex> loads another model; ?native=WxH and ?scale=off run it
   * as an older card describes it; ?backend= and ?threads= pick the engine (tests and `npm run bench`). */
  search: string;
  /** location.href, to resolve URLs. */
  href: string;
  /** import.meta.env.BASE_URL */
  base: string;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  reload(): void;
}

const BACKEND_KEY = 'smearcount.backend';
/** Wall time per image of finished batches per WASM thread count (threadChoice.ts). */
const THREADS_KEY = 'smearcount.threads';
/** Set (synchronously) while "Clear session" empties IndexedDB: a reload that interrupts it finishes the
 * clearing instead of restoring the sample that was cleared. */
const CLEARING_KEY = 'smearcount.clearing';
/** Said when IndexedDB would not empty for Clear session: the marker (CLEARING_KEY) stays, so the next start
 * empties it before it restores anything (and this page's batch is no longer saved as it changes: persist's
 * clear stopped). */
const notCleared = (e: unknown) =>
  `The last sample's batch was not removed from this device (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}). It is removed when the app next starts, with anything added until then: reload the page before the next sample.`;
/** How long a window handing the batch over waits for the fields its camera is still encoding. */
const CAMERA_HANDOVER_MS = 10_000;

export function createServices(opts: ServiceOptions): Services {
  const params = new URLSearchParams(opts.search);
  const card = cardWithOverrides(parseModelCard(cardJson), params);
  const classifier = params.get('differential') === 'off' ? null : parseClassifierCard(wbcCardJson);
  const store = createAppStore(card.postprocess);
  // the models the report names, with the classifier's unsure bar: a release records them (store/release)
  store.getState().setModels(modelsInUse(card, classifier));
  // what the user sets before the saved batch is back wins over it (startSession makes it again)
  store.getState().holdSettings();
  const view = createViewStore();
  const files = createImageFiles();
  const thumbnails = createThumbnails(files);
  const gallery = createGalleryStore();
  // the classifier's own crop rule: a tile is the picture the model typed
  const tiles = createCellTiles(files, classifier?.crop);
  let client: Promise<DetectorClient> | undefined;

  // ?threads=N forces a count (tests, the bench); otherwise the measured choice for this machine.
  const forcedThreads = params.has('threads') ? Number(params.get('threads')) : null;
  const numThreads =
    forcedThreads ?? chooseThreads(parseRecord(opts.storage.getItem(THREADS_KEY)), globalThis.navigator?.hardwareConcurrency ?? 1, globalThis.crossOriginIsolated === true);
  if (forcedThreads === null) {
    store.subscribe((s, p) => {
      const run = p.run;
      if (!run || s.run || !s.model.backend?.startsWith('wasm')) return;
      const done = s.order.filter((id) => s.images[id].status === 'done' || s.images[id].status === 'error').length - run.doneAtStart;
      const rec = parseRecord(opts.storage.getItem(THREADS_KEY));
      const next = recordBatch(rec, s.model.threads ?? 1, done, performance.now() - run.startedAt);
      if (next !== rec) opts.storage.setItem(THREADS_KEY, JSON.stringify(next));
    });
  }

  /** What the detector worker loads: the model card's detector, the runtime we serve, the thread count. */
  const initRequest = (backend: BackendChoice) => ({
    modelUrl: new URL(params.get('model') ?? defaultModelUrl, opts.href).href,
    // the card names the file ?model= loads (cardOverrides.ts): the worker checks the file against it
    sha256: card.sha256,
    bytes: card.bytes,
    backend,
    wasmBase: new URL(`${opts.base}ort/`, opts.href).href,
    numThreads,
    warmupSize: card.nativeSize,
    // ?optimized=off loads the original models (the bench's before/after)
    optimized: params.get('optimized') === 'off' || !optimizedModels ? undefined : { manifest: optimizedModels, base: new URL(`${opts.base}models/`, opts.href).href },
    classifier: classifier
      ? { modelUrl: new URL(wbcModelUrl, opts.href).href, sha256: classifier.sha256, bytes: classifier.bytes, embedding: classifier.embedding?.name }
      : undefined,
  });

  function loadDetector(): Promise<DetectorClient> {
    if (client) return client;
    const st = store.getState();
    const c = new DetectorClient();
    st.setModel({ status: 'loading', loaded: 0, total: card.bytes, error: undefined });
    const backendParam = params.get('backend') ?? opts.storage.getItem(BACKEND_KEY);
    const backend = backendParam === 'wasm' || backendParam === 'webgpu' ? backendParam : st.backendChoice;
    st.setBackendChoice(backend);
    client = c
      .init({
        ...initRequest(backend),
        onProgress: (loaded, total) => store.getState().setModel({ loaded, total }),
      })
      .then((info) => {
        store.getState().setModel({ status: 'ready', ...info, readyAt: performance.now() });
        // A fallback (WebGPU failed, threads failed) is worth knowing: it explains a slower engine.
        if (info.note && /failed|not available/i.test(info.note)) store.getState().notify({ kind: 'warning', source: 'engine', subject: '', message: info.note });
        return c;
      })
      .catch((e: unknown) => {
        const err = e instanceof AppError ? e : new AppError('session-create', String(e));
        const message = errorMessage(err);
        store.getState().setModel({ status: 'error', error: message });
        store.getState().notify({ kind: 'error', source: 'model', subject: '', message });
        c.terminate();
        client = undefined;
        throw err;
      });
    return client;
  }

  // The typing worker (services/typist.ts): once the detector is ready on one WASM thread, in idle time.
  const typist = createTypist(() => {
    const c = new DetectorClient();
    return c.init({ ...initRequest('wasm'), classifierOnly: true }).then(
      () => c,
      (e: unknown) => {
        c.terminate();
        throw e;
      },
    );
  });
  store.subscribe((s, p) => {
    if (s.model.status !== 'ready' || p.model.status === 'ready' || !classifier || params.get('typist') === 'off') return;
    if (!s.model.backend?.startsWith('wasm') || (s.model.threads ?? 1) !== 1 || (globalThis.navigator?.hardwareConcurrency ?? 1) < 2) return;
    const idle = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
    if (idle) idle(() => typist.start(), { timeout: 1000 });
    else setTimeout(() => typist.start(), 200);
  });

  // A box id names a box within one image: on another image the same id is another cell, so a selection
  // (and a zoom to a box) never outlives its image. Whoever moves to a cell on another image (the gallery's
  // jump, review) selects the image first, then the cell.
  store.subscribe((s, p) => {
    if (s.currentId === p.currentId) return;
    const v = view.getState();
    if (v.selectedId !== null) v.setSelected(null);
    if (v.focus !== null) v.setFocus(null);
  });

  const runner = new BatchRunner(store, loadDetector, card, files, undefined, classifier, (id, bmp) => thumbnails.fromBitmap(id, bmp), typist);
  // WBCs shown without a type (drawn, relabelled, revealed by a threshold) are typed at once.
  store.subscribe((s, p) => {
    if (s.images === p.images && s.postprocess === p.postprocess) return;
    for (const id of s.order) {
      const im = s.images[id];
      if (im.status === 'done' && (im !== p.images[id] || s.postprocess !== p.postprocess)) void runner.classifyMissing(id);
    }
  });
  if (classifier) watchDifferentialTarget(store, classifier.lowConfidence);
  // specks on the camera or lens: a rule across the batch's fields (core/quality/optics)
  watchOptics(store);
  watchSameField(store);
  const persistence = new Persistence(store, files);
  // An image removed is kept, file and thumbnail, while Undo can bring it back; once its removal leaves the history
  // they go. One put back queued (removed before it was counted) is counted now.
  store.subscribe((s, p) => {
    if (s.removedImages === p.removedImages) return;
    for (const id of Object.keys(p.removedImages)) {
      if (s.removedImages[id]) continue;
      if (!s.images[id]) {
        files.delete(id);
        thumbnails.drop(id);
      } else if (s.images[id].status === 'queued') runner.resume();
    }
  });
  const samplePersistence = new SamplePersistence(store, opts.storage);
  const profile = classifier?.embedding ? new ProfileService(store, classifier) : null;
  if (classifier && !classifier.embedding) store.getState().setAdaptation({ unavailable: true });
  const live = createLiveStore();
  const liveTarget = Number(params.get('liveTarget'));
  const camera = new LiveCamera({
    store,
    live,
    addFiles: (f, capture) => runner.addFiles(f, capture),
    loadDetector,
    card,
    lowConfidence: classifier?.lowConfidence ?? 0.6,
    targetOverride: Number.isInteger(liveTarget) && liveTarget > 0 ? liveTarget : null,
    imageFile: (id) => files.get(id),
    // after the restore of a reloaded batch (which replaces the store's images), then at once
    persist: () => (session ?? Promise.resolve()).catch(() => undefined).then(() => persistence.flush()),
    signatures: typeof indexedDB === 'undefined' ? undefined : fieldSignatures(),
  });
  let session: Promise<void> | undefined;
  /** Resolves once this window owns the batch and has restored it (startSession). */
  let sessionRestored!: () => void;
  const restored = new Promise<void>((r) => (sessionRestored = r));
  runner.takeInAfter(restored);
  // Nothing is taken in or counted until this window owns the batch: a drop into a window that waits for it
  // would be counted into a batch that the owner then saves over (or this one over the owner's).
  const notHere = 'This batch is open in another window of Smearcount: these files were not added. Use the batch in this window (the button above), then add them again.';
  const notHereLive =
    'A field captured live, not added to the batch and not kept: the batch is open in another window of Smearcount. Capture that field again in the window that has the batch.';
  runner.halt(notHere, notHereLive);
  const windowLock = browserWindowLock(
    async () => {
      // The window that asked gets the batch as this one holds it now: the session restored first (a claim
      // can come while the restore runs), nothing more counted here, the camera off, then every write done.
      // A field the camera is encoding still joins the batch, to be counted by the other window: refused, it
      // was lost without a word (the app held its only copy, and the notice said to add the files again).
      runner.halt(notHere, session ? 'admit' : notHereLive);
      if (live.getState().open) camera.stop();
      gallery.getState().setOpen(false);
      // the report is a dialog over the read-only panes: left open, its fields took a sample ID and its Release
      // button released the report in this window, neither saved nor in the batch the other window carries on
      view.getState().setReportOpen(false);
      // a page whose session never started restored nothing: a write from it would empty the saved batch
      if (session) {
        await session.catch(() => undefined);
        // the camera tells no one when its last field is in (services/live): an encode and an intake take
        // well under a second, and the claiming window waits on the handing beat meanwhile (for at most
        // CAMERA_HANDOVER_MS: a field still not in by then is refused by name, never waited on for good)
        const giveUpAt = performance.now() + CAMERA_HANDOVER_MS;
        await new Promise<void>((resolve) => {
          const check = () => (camera.pending === 0 || performance.now() > giveUpAt ? resolve() : setTimeout(check, 50));
          check();
        });
        runner.halt(notHere, notHereLive);
        // a drop still being read is filed first (its images queued, for the other window to count): cut off,
        // its files were in this window only
        await new Promise<void>((resolve) => {
          const check = () => store.getState().intake === 0 && (off(), resolve());
          const off = store.subscribe(check);
          check();
        });
        // the last writes of this page: nothing queued after them may land once the other window reads
        const written = Promise.all([persistence.flushAndHalt(), samplePersistence.flush()]);
        samplePersistence.halt();
        await written;
        runner.journalCommitted();
      }
      persistence.halt();
      samplePersistence.halt();
    },
    () => {
      runner.halt(notHere, notHereLive);
      if (live.getState().open) camera.stop();
      gallery.getState().setOpen(false);
      view.getState().setReportOpen(false);
      persistence.halt();
      samplePersistence.halt();
    },
  );
  windowLock.start();
  if (windowLock.role === 'solo') watchOtherWindows(store);
  void windowLock.owned.then(() => windowLock.role !== 'taken' && runner.halt(null));
  // images the operating system opens the installed app with (the manifest's file_handlers)
  watchLaunchFiles((globalThis as { launchQueue?: LaunchQueue }).launchQueue, {
    // after the restore, which replaces the store's images: files added before it were lost
    owned: restored,
    ownsNow: () => mayEdit(windowLock.role),
    addFiles: (f) => runner.addFiles(f),
    notify: (kind, message) => store.getState().notify({ kind, source: 'batch', subject: '', message }),
  });
  // files a page that went was still reading: read once this window owns the batch (startSession), before its
  // first drop joins the list. Read as the page opened, a window that waited for the batch named the files
  // of the owner's drop then being read, long since in the batch or said to be copies, as never taken in.
  const intakeJournal = new IntakeJournal(opts.storage);
  let leftInIntake: string[] = [];
  let capturedInIntake = new Set<string>();
  // a name leaves the list once the batch holding it is committed: not when a failed write has merely ended
  runner.journalIntake(intakeJournal, () => (session ?? Promise.resolve()).catch(() => undefined).then(() => persistence.whenSaved()));
  // Busy: a batch in progress or waiting, or the camera open. The warm-up yields to all of them.
  const busy = () => {
    const s = store.getState();
    return s.run !== null || live.getState().open || s.order.some((id) => s.images[id].status === 'queued' || s.images[id].status === 'running');
  };
  let warmState: WarmState = 'idle';
  const sw = globalThis.navigator?.serviceWorker;
  warmRuntimeCache(Boolean(sw?.controller), sw ? sw.ready : null, {
    size: card.nativeSize,
    whenIdle: () =>
      new Promise<void>((resolve) => {
        let unsubscribe = () => undefined as void;
        const check = () => {
          if (store.getState().model.status !== 'ready' || busy()) return;
          unsubscribe();
          const idle = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
          if (idle) idle(() => resolve(), { timeout: 2000 });
          else setTimeout(resolve, 200);
        };
        unsubscribe = store.subscribe(check);
        check();
      }),
    onBusy(cb) {
      const check = () => busy() && cb();
      const offs = [store.subscribe(check), live.subscribe(check)];
      check();
      return () => offs.forEach((off) => off());
    },
    start() {
      // the app's own engine: a WebGPU session loads another build of the runtime
      if (!store.getState().model.backend?.startsWith('wasm')) throw new Error('not on WASM');
      const c = new DetectorClient();
      // the detector only: its kernels are the ones a first count runs
      const ready = c.init({ ...initRequest('wasm'), classifier: undefined });
      return { ready, detect: (b) => c.detect(b), terminate: () => c.terminate() };
    },
    onState: (s) => (warmState = s),
  });

  return {
    card,
    classifier,
    store,
    view,
    files,
    thumbnails,
    runner,
    persistence,
    samplePersistence,
    gallery,
    tiles,
    profile,
    live,
    camera,
    windowLock,
    loadDetector,
    runtimeCache: () => warmState,
    typist: () => typist.state(),
    chooseBackend(b) {
      opts.storage.setItem(BACKEND_KEY, b);
      void persistence.flush().then(() => opts.reload());
    },
    startSession() {
      // Once per page, although React's StrictMode runs effects twice in development.
      return (session ??= (async () => {
        // another window may own the batch: nothing is restored, saved or counted here until it is this one's
        await windowLock.owned;
        // (drops wait for ownership, and a drop during the restore begins its journal entry after this)
        leftInIntake = intakeJournal.pending();
        capturedInIntake = new Set(intakeJournal.captured().map(nfc));
        const unfinishedClear = opts.storage.getItem(CLEARING_KEY) !== null;
        try {
          if (!unfinishedClear) await samplePersistence.restore();
        } catch {
          // not fatal: the record is re-entered (a private window may have no IndexedDB)
        }
        // saving starts whether or not the restore worked: a failed open is retried on the next write
        samplePersistence.start();
        // (once it watches: what is made again here is not what IndexedDB holds, and is written)
        store.getState().reapplySettings();
        try {
          if (!unfinishedClear) await persistence.restore();
        } catch (e) {
          store.getState().notify({ kind: 'error', source: 'save', subject: '', message: `The previous batch could not be restored (${(e as Error).message}).` });
        }
        if (leftInIntake.length && !unfinishedClear) {
          // named like any refused file: on the notices, the report's first page and the counts CSV
          const st = store.getState();
          for (const name of lostInIntake(leftInIntake, { images: st.order.map((id) => st.images[id].path ?? st.images[id].name), refused: st.refused.map((r) => r.name) })) {
            // a field captured live is no file to drop again
            const message = errorMessage(new AppError('interrupted', capturedInIntake.has(nfc(name)) ? 'live' : ''));
            st.addFileError(name, message);
            st.refuseFile(name, message);
          }
        }
        persistence.start();
        sessionRestored();
        // verdicts on grey specks saved under a debris rule this app no longer runs: redone from the saved
        // files, in the background (its first step awaits a decode, so watchRelease below is watching by then
        // and withdraws a release whose figures this changes)
        if (!unfinishedClear) void rejudgeStaleDebris(store, files, browserDecoder, card);
        if (leftInIntake.length) void persistence.whenSaved().then(() => intakeJournal.end(leftInIntake));
        // after both restores: rebuilding the saved batch is not a change to a released report
        watchRelease(store);
        // ... but a release restored on other figures than it rests on (a setting that was never saved, a
        // change that did not reach the disk before the page closed) is no release: it is withdrawn, and says so
        const restored = store.getState();
        // A release made by an earlier version, whose revision covered less (RELEASE_SCHEME), cannot be
        // checked against this one's: it is withdrawn too, and says that rather than that the batch changed
        if (restored.sample.verifiedAt && (restored.sample.releasedScheme ?? 1) !== RELEASE_SCHEME) restored.withdrawRelease('released by an earlier version of the app, which checked less of the batch: release it again');
        // (one made with other models, after an update of the app, says that: store/release modelsChange)
        else if (restored.sample.verifiedAt && releaseRevision(restored) !== restored.sample.releasedRevision) restored.withdrawRelease(restoredWithdrawal(restored));
        // the settings the user changed while the batch was read, over those it brought (a release that rests on
        // the restored ones is withdrawn by watchRelease, naming the change)
        store.getState().reapplySettings();
        if (unfinishedClear) {
          // failed again, the marker stays: dropped, a later start restored the cleared sample's batch
          const cleared = await Promise.all([persistence.clear(), samplePersistence.flush(), camera.forgetFields()]).then(
            () => true,
            (e: unknown) => {
              store.getState().notify({ kind: 'error', source: 'save', subject: '', message: notCleared(e) });
              return false;
            },
          );
          if (cleared) opts.storage.removeItem(CLEARING_KEY);
        }
        await profile?.start();
        // ... and over the microscope profile's scale and count rule; from now on a setting is simply set
        store.getState().reapplySettings(true);
        if (mayEdit(windowLock.role)) runner.resume();
      })().catch((e: unknown) => {
        store.getState().reapplySettings(true);
        // drops wait for the restore: they are not held for good by a start that failed
        sessionRestored();
        throw e;
      }));
    },
    discardImage(id) {
      const s = store.getState();
      if (!s.images[id]) return;
      if (s.currentId === id) view.getState().setSelected(null);
      s.discardImage(id);
    },
    async clearSession() {
      opts.storage.setItem(CLEARING_KEY, new Date().toISOString());
      // not "Ready" until IndexedDB is empty too
      store.getState().setSave({ pending: true });
      runner.cancel();
      runner.forgetSession();
      store.getState().clearBatch();
      // one batch is one sample: its record and audit trail go with it, never carried to the next
      store.getState().clearSample();
      gallery.getState().reset();
      profile?.forgetBatch();
      files.clear();
      thumbnails.forget();
      tiles.forget();
      view.getState().setSelected(null);
      try {
        await Promise.all([persistence.clear(), samplePersistence.flush(), camera.forgetFields()]);
      } catch (e) {
        // said: the button does not await this, and a failure went unseen (the save left pending) while the last
        // patient's batch stayed on the device
        store.getState().setSave({ pending: false });
        store.getState().notify({ kind: 'error', source: 'save', subject: '', message: notCleared(e) });
        return;
      }
      opts.storage.removeItem(CLEARING_KEY);
    },
  };
}

/** In a browser without Web Locks (windowLock.ts) each window saves its own batch as *the* batch of this
 * browser: with two open, the one that saved last replaced the other's. Each says so as soon as it sees the
 * other (BroadcastChannel, this origin's windows only), in both windows. */
function watchOtherWindows(store: AppStore) {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel('smearcount-windows');
  let told = false;
  channel.onmessage = (e: MessageEvent) => {
    if (e.data === 'open?') channel.postMessage('open');
    if ((e.data === 'open?' || e.data === 'open') && !told) {
      told = true;
      store.getState().notify({
        kind: 'warning',
        source: 'save',
        subject: '',
        message: 'Smearcount is open in another window of this browser. Both save to the same batch, and the one saved last replaces the other: close one of them before counting.',
      });
    }
  };
  channel.postMessage('open?');
}
