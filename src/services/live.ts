/**
 * Live mode (GUIDE 20: a camera is one more source of images). Reads the rear camera's frames, judges
 * each on a small copy with the pure capture rule (core/live/judge), shows the current field's boxes from
 * the detector, and hands each captured field to the same intake as a dropped file, as live-0001.jpg and
 * so on. Nothing about the camera reaches core, and nothing leaves the device.
 *
 * Frames are dropped, never queued: the rule runs on the newest frame only (a slow page judges fewer
 * frames), and at most one preview detection is in flight (the next preview takes whatever frame is
 * newest when it ends), so a slow detector never builds a backlog of frames.
 *
 * A field is said to be captured only once it is saved (GUIDE 13): "Captured: move to the next field" sends
 * the technician on, and a reload, a crashed tab or a phone that kills the page must not lose it then.
 * Until its IndexedDB write has committed, the view says "Capturing…" and the field is in no count of the
 * bar. (Before, the field was announced when the frame was drawn, and encoding, intake and the batched
 * write took up to 0.7 s more: a reload then lost it.)
 */
import type { ModelCard } from '../core/detection/card';
import { AppError, CameraDeniedError, errorMessage } from '../core/errors';
import { CaptureJudge, LIVE_PARAMS, signatureOf, type Verdict } from '../core/live/judge';
import type { Signature } from '../core/live/signature';
import { scaleCircle } from '../core/quality/field';
import { fieldCells } from '../core/live/fieldCells';
import { SteadyReading } from '../core/live/steady';
import { statsSize, type SmallImage } from '../core/quality/pixels';
import { EXCLUDING_FLAGS, FLAG_SHORT } from '../core/quality/flags';
import { CALIBRATION } from '../core/quality/calibration';
import { inTotals, selectDifferentialState, wasEdited } from '../store/selectors';
import type { AppStore } from '../store/store';
import type { DifferentialState } from '../core/differential/rules';
import type { ImageCapture, ImageEntry } from '../store/types';
import { LIVE_CLOSED, type LiveBox, type LiveStore } from '../store/liveStore';
import type { DetectorClient } from '../worker/client';
import { addBackEntry } from './backButton';
import { KeyedDb } from './idb';
import { browserDecoder } from './decoder';
import { readAtScale, readImage } from './readImage';
import type { ScaleInfo } from '../core/detection/scale';

/** localStorage key of the camera chosen with Switch camera (a device id, this origin's own). */
const CAMERA_KEY = 'smearcount.liveCamera';
/** localStorage key: live mode's how-to has done its job on this device (dismissed with Got it, or a field captured). */
const HOWTO_KEY = 'smearcount.liveHowtoSeen';

function howtoSeen(): boolean {
  try {
    return localStorage.getItem(HOWTO_KEY) === '1';
  } catch {
    return false;
  }
}

async function videoInputs(): Promise<MediaDeviceInfo[]> {
  try {
    return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput' && d.deviceId);
  } catch {
    return [];
  }
}

/** A still view's previews read at the scale its latest full read chose, this many in a row (readAtScale), then
 * read in full again (core/detection/scale's estimate on the frame of the moment). */
const SCALE_REUSES = 4;

/** The rule judges at most this many frames a second (a camera gives 30; stillness needs far fewer). */
const JUDGE_FPS = 12;
const JPEG_QUALITY = 0.92;

export interface LiveDeps {
  store: AppStore;
  live: LiveStore;
  /** `capture`: recorded on the image (source and time), as the batch keeps it. */
  addFiles(files: File[], capture: ImageCapture): Promise<void>;
  loadDetector(): Promise<Pick<DetectorClient, 'detect'>>;
  card: ModelCard;
  lowConfidence: number;
  /** ?liveTarget=N: stop at N WBCs instead of the differential's target (demonstrations, tests). */
  targetOverride: number | null;
  /** The stored file of a batch image (a field captured before this page, read again for its signature). */
  imageFile(id: string): Blob | undefined;
  /** Writes the batch to IndexedDB now; resolves once the write has committed (or its failure is shown). */
  persist(): Promise<void>;
  /** Where each captured field's signature is kept over a reload (fieldSignatures below); none: this page only. */
  signatures?: FieldSignatures;
}

/** The signatures of the fields captured, by file name, kept on the device over a reload: a field the
 * technician removed has no picture left to read one from, and after a reload Live with the slide unmoved
 * captured it again as a new image. A signature is a 48-px high-passed greyscale copy of the field (about 7 KB);
 * Clear session empties the store with the batch. */
export interface FieldSignatures {
  get(name: string): Promise<Signature | undefined>;
  put(name: string, signature: Signature): Promise<void>;
  clear(): Promise<void>;
}

/** FieldSignatures in IndexedDB (one keyed store of its own). */
export function fieldSignatures(db = new KeyedDb('smearcount-live', 'signatures')): FieldSignatures {
  return {
    get: (name) => db.get<Signature>(name),
    put: (name, signature) => db.put(name, signature),
    clear: () => db.clear(),
  };
}

/** What tells an installed app (a PWA in a window of its own) from a browser tab. */
export interface DisplayEnv {
  matchMedia?: (query: string) => { matches: boolean };
  /** Safari on iOS: true in an app added to the home screen (it predates display-mode). */
  navigator?: { standalone?: boolean };
}

/** Whether the app runs installed, with no address bar (the manifest asks for display "standalone"). */
export function runsInstalled(env: DisplayEnv = globalThis as DisplayEnv): boolean {
  return env.navigator?.standalone === true || env.matchMedia?.('(display-mode: standalone)').matches === true;
}

/** The camera's refusal as a coded error (DOMException names from the Media Capture spec). `installed`:
 * where the refusal's sentence sends the technician (no address bar in an installed app). */
export function cameraError(e: unknown, installed = runsInstalled()): AppError {
  const name = (e as { name?: string })?.name ?? '';
  const msg = (e as Error)?.message ?? String(e);
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return new CameraDeniedError(msg, installed);
  if (name === 'NotFoundError' || name === 'DevicesNotFoundError' || name === 'OverconstrainedError') return new AppError('no-camera', msg);
  return new AppError('camera-failed', msg);
}

/** What a page without a camera to ask for is told, before asking (null: it has one). Browsers give the camera
 * only to a secure page (https, or localhost): at a plain http:// address (a lab PC serving the app on the
 * network) navigator.mediaDevices is missing altogether, and "No camera was found" sent a technician holding a
 * phone with a camera nowhere. */
export function cameraUnavailable(
  env: { isSecureContext?: boolean; navigator?: { mediaDevices?: { getUserMedia?: unknown } }; location?: { origin?: string } } = globalThis,
): AppError | null {
  if (env.navigator?.mediaDevices?.getUserMedia) return null;
  if (env.isSecureContext === false) return new AppError('camera-insecure', env.location?.origin ?? '');
  return new AppError('no-camera', 'this browser offers no camera to the page');
}

/** The next free live-NNNN number in the batch (a second live run goes on from the first). */
export function nextLiveNumber(names: Iterable<string>): number {
  let n = 0;
  for (const name of names) {
    const m = /^live-(\d+)\.jpg$/.exec(name);
    if (m) n = Math.max(n, Number(m[1]));
  }
  return n + 1;
}

export const liveName = (n: number) => `live-${String(n).padStart(4, '0')}.jpg`;

export class LiveCamera {
  private judge = new CaptureJudge();
  private video: HTMLVideoElement | null = null;
  private stream: MediaStream | null = null;
  private small: CanvasRenderingContext2D | null = null;
  private runId = 0;
  private lastJudged = 0;
  private previewBusy = false;
  /** Previews finished since the view was last other than decided (captured or seen): its boxes are known
   * after two (the first may have started on an earlier frame: a moving one, or a soft one before the focus
   * came back). */
  private stillPreviews = 0;
  private unsubscribe: (() => void) | null = null;
  /** Takes the camera's own listeners off (set while a camera is open). */
  private cameraOff: (() => void) | null = null;
  /** Each opening of the camera (a run's first, or after a pause); a pause or Stop moves it on. */
  private cameraId = 0;
  private capturing = 0;
  /** Names of the fields captured (true) or replaced by a sharper view (false) in this page and not yet saved:
   * not yet said to be captured. */
  private unsaved = new Map<string, boolean>();
  /** Recounts the bar's figures (set while live mode runs). */
  private recount: (() => void) | null = null;
  /** Takes the live view's history entry off when it closes other than by Back (services/backButton). */
  private takeOffBackEntry: (() => void) | null = null;
  /** The screen wake lock held while live mode runs. */
  private wake: WakeLockSentinel | null = null;
  /** Signatures of the fields captured on this page, by file name: a later run checks against those
   * still in the batch, so Stop then Live never captures a field twice. */
  private known = new Map<string, Signature>();
  /** The batch image of each of the judge's fields, by the judge's index. */
  private fieldNames: string[] = [];
  /** The judge's index of the removed field the view shows now (null: none): Capture again asks for it back. */
  private removedShown: number | null = null;
  /** When the latest preview's frame was taken, and the red cells it found in the field. */
  private lastPreview: { at: number; rbc: number } | null = null;
  /** The latest frame judged is under the dark bar (whatever the rule called it): no preview's boxes for it. */
  private unlit = false;
  /** Which preview's boxes and figures a still view shows (core/live/steady: a sensor's noise no longer makes them
   * jump a cell or two from preview to preview). */
  private steady = new SteadyReading<LiveBox[]>();
  /** The scale the latest full read of the still view chose (a second pass, a small field's square), for the next
   * previews of the same view: each had paid the passes that choose it again (bench:live --profile, load 14-19: a
   * field needing the second pass 1,096 ms and 2 passes a preview, against 309 ms and 1 on one that does not; a
   * small field's square 419 ms and 2). */
  private viewScale: { at: number; width: number; height: number; reuses: number; scale: ScaleInfo } | null = null;

  constructor(private deps: LiveDeps) {}

  /** The fields of the batch captured before this run (live-NNNN.jpg still in it), remembered by the new
   * judge: from this page's own captures, or read again from the stored file after a reload. And the fields
   * of an earlier run still being saved (Stop, then Live at once, while "Capturing…"): not in the batch yet,
   * they were captured again. */
  private async rememberBatch(judge: CaptureJudge, run: number) {
    const s = this.deps.store.getState();
    const inBatch = s.order.map((id) => ({ id, name: s.images[id]?.name })).filter((f) => f.name && /^live-\d+\.jpg$/.test(f.name));
    const names = new Set(inBatch.map((f) => f.name));
    const saving = [...this.unsaved.keys()].filter((name) => !names.has(name)).map((name) => ({ id: '', name }));
    for (const { id, name } of [...inBatch, ...saving]) {
      if (!name) continue;
      let sig = this.known.get(name);
      if (!sig) {
        const blob = id ? this.deps.imageFile(id) : undefined;
        if (!blob) continue;
        try {
          sig = await smallSignature(blob);
          this.known.set(name, sig);
        } catch {
          continue; // an unreadable file: the field may be captured again, nothing worse
        }
      }
      if (run !== this.runId) return;
      judge.remember(sig);
      this.fieldNames.push(name);
    }
    // The fields captured on this page that the technician has removed from the batch since: the view says so and
    // captures them only when asked (Capture again). Before, Stop, Remove image, then Live with the slide unmoved
    // captured the removed field again straight away, as a new image, undoing the technician's removal.
    // After a reload their signatures come from the device's store (the removed picture is gone with the batch's
    // commit): before, the field was captured again as a new image.
    const named = new Set([...this.known.keys(), ...s.audit.map((a) => a.image).filter((n) => /^live-\d+\.jpg$/.test(n))]);
    for (const name of named) {
      if (names.has(name) || this.unsaved.has(name) || !removedByHand(s.audit, name)) continue;
      let sig = this.known.get(name);
      if (!sig) {
        sig = await this.deps.signatures?.get(name).catch(() => undefined);
        if (run !== this.runId) return;
        if (!sig) continue;
        this.known.set(name, sig);
      }
      judge.remember(sig, true);
      this.fieldNames.push(name);
    }
  }

  /** Clear session: the fields captured are forgotten, here and on the device. */
  async forgetFields(): Promise<void> {
    this.known.clear();
    await this.deps.signatures?.clear().catch(() => undefined);
  }

  /** The technician wants the removed field the view shows back in the batch (Capture again): the still view is
   * captured on the next frame, as a new image. */
  captureAgain() {
    const i = this.removedShown;
    if (i === null || !this.judge.captureAgain(i)) return;
    const [name] = this.fieldNames.splice(i, 1);
    if (name) this.known.delete(name);
    this.removedShown = null;
  }

  async start(): Promise<void> {
    const { live } = this.deps;
    if (live.getState().open) return;
    const run = ++this.runId;
    this.judge = new CaptureJudge();
    this.fieldNames = [];
    this.removedShown = null;
    this.stillPreviews = 0;
    this.lastPreview = null;
    this.viewScale = null;
    const remembered = this.rememberBatch(this.judge, run);
    live.getState().set({ ...LIVE_CLOSED, open: true, phase: 'starting', target: this.target(), howtoSeen: howtoSeen() });
    // A phone that locks or switches apps must not keep its camera, nor judge or detect what it cannot show: the
    // run pauses (the camera let go, the detector idle) and goes on by itself once the app is shown again, the
    // fields it knows kept. Before, live mode ended there, and the technician, the phone clamped to the eyepiece,
    // had to find Live again after every unlock.
    const onVisibility = () => {
      if (run !== this.runId) return;
      const { phase } = live.getState();
      if (document.visibilityState === 'hidden') {
        if (phase === 'running' || phase === 'starting') this.pause();
      } else if (phase === 'paused') {
        live.getState().set({ phase: 'starting' });
        // (hidden while the camera first opened, the batch's fields may still be being read)
        void this.openCamera(run, remembered);
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    this.unsubscribe = () => document.removeEventListener('visibilitychange', onVisibility);
    await this.openCamera(run, remembered);
  }

  /** Opens the camera for run `run` and judges its frames; `remembered`: the batch's fields, known before the
   * first capture can happen. A camera that opens after a pause (or Stop) began is let go at once. */
  private async openCamera(run: number, remembered?: Promise<void>): Promise<void> {
    const { live } = this.deps;
    const opening = ++this.cameraId;
    const current = () => run === this.runId && opening === this.cameraId;
    try {
      const unavailable = cameraUnavailable();
      if (unavailable) throw unavailable;
      let stream: MediaStream;
      const size = { width: { ideal: 1280 }, height: { ideal: 960 } };
      const chosen = this.chosenCamera();
      try {
        // The camera chosen with Switch camera; else the rear camera, the one a phone holds to the eyepiece
        // ('ideal', so a laptop's only camera still serves).
        stream = await navigator.mediaDevices.getUserMedia({ video: chosen ? { deviceId: { exact: chosen }, ...size } : { facingMode: { ideal: 'environment' }, ...size }, audio: false });
      } catch (e) {
        const name = (e as { name?: string })?.name;
        if (!chosen || (name !== 'OverconstrainedError' && name !== 'NotFoundError')) throw cameraError(e);
        // the chosen camera is gone (a USB camera unplugged since): the rear camera, as before any choice
        this.chooseCamera(null);
        try {
          stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, ...size }, audio: false });
        } catch (e2) {
          throw cameraError(e2);
        }
      }
      if (!current()) return void stream.getTracks().forEach((t) => t.stop());
      void this.countCameras(run, opening);
      this.stream = stream;
      const video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = stream;
      await video.play();
      // the fields already in the batch are known before the first capture can happen
      await remembered;
      if (!current()) return;
      this.video = video;
      live.getState().set({ phase: 'running', stream, muted: false, size: { width: video.videoWidth, height: video.videoHeight } });
      if (!this.recount) this.watchTarget();
      // The camera can end on its own: unplugged, or taken by another app.
      const onEnded = () => {
        if (!current()) return;
        const message = `The camera stopped (unplugged, or taken by another app). ${this.keptWords()} Press Live to go on.`;
        this.runId++;
        this.release();
        live.getState().set({ phase: 'error', error: message, boxes: [], boxesAt: 0 });
        this.say('warning', message);
      };
      // A phone's Back closes the live view rather than leaving the app (one entry a run, a pause or not).
      this.takeOffBackEntry ??= addBackEntry(() => {
        if (run === this.runId) this.stop();
      });
      // A camera another app takes for a while (a call on an iPhone) is muted, not ended: no picture comes, and the
      // view stood frozen on the last frame, its boxes and "Hold still…" with it. The view now says so, judges
      // nothing meanwhile, and goes on afresh once the picture is back.
      const onMute = () => {
        if (!current()) return;
        this.judge.interrupt();
        this.stillPreviews = 0;
        this.lastPreview = null;
        live.getState().set({ muted: true, state: null, boxes: [], boxesAt: 0 });
      };
      const onUnmute = () => {
        if (current()) live.getState().set({ muted: false });
      };
      for (const t of stream.getVideoTracks()) {
        t.addEventListener('ended', onEnded);
        t.addEventListener('mute', onMute);
        t.addEventListener('unmute', onUnmute);
      }
      this.cameraOff = () => {
        for (const t of stream.getVideoTracks()) {
          t.removeEventListener('ended', onEnded);
          t.removeEventListener('mute', onMute);
          t.removeEventListener('unmute', onUnmute);
        }
      };
      if (stream.getVideoTracks().some((t) => t.muted)) onMute();
      this.keepAwake(run, opening);
      this.loop(run);
      // the detector for the boxes (loads at start anyway; here it is awaited only by the previews)
      this.deps.loadDetector().catch(() => undefined);
    } catch (e) {
      if (!current()) return;
      const err = e instanceof AppError ? e : cameraError(e);
      this.release();
      // a camera that will not open again on coming back (another app holds it, the permission taken back since)
      // or on Switch camera: the run's fields are in the batch, and the view says so, as it does for a camera
      // that stops (before, only "The camera could not start…", over a run's worth of captured fields)
      const message = this.keptCount() ? `${errorMessage(err)} ${this.keptWords()}` : errorMessage(err);
      live.getState().set({ phase: 'error', error: message });
      this.deps.store.getState().notify({ kind: 'error', source: 'camera', subject: '', message });
    }
  }

  /** The next camera of the device (a phone's other lenses, a microscope's USB camera beside a laptop's own): the
   * run goes on with it, its fields kept, and the choice is kept for the next Live. Before, the app always asked
   * for the rear camera, and a computer gave its built-in one, the microscope's out of reach. */
  async switchCamera(): Promise<void> {
    const { live } = this.deps;
    const run = this.runId;
    if (!live.getState().open || live.getState().phase !== 'running' || !this.stream) return;
    const current = this.stream.getVideoTracks()[0]?.getSettings().deviceId;
    const cameras = await videoInputs();
    if (run !== this.runId || cameras.length < 2 || live.getState().phase !== 'running') return;
    const i = cameras.findIndex((d) => d.deviceId === current);
    this.chooseCamera(cameras[(i + 1) % cameras.length].deviceId);
    this.pause();
    live.getState().set({ phase: 'starting' });
    await this.openCamera(run);
  }

  /** Live mode's how-to is not shown at the next Live (Got it, or a field captured: the technician knows how it
   * works); the help control shows it again. Before, it came back at every Live, with nothing to dismiss it. */
  dismissHowto() {
    this.deps.live.getState().set({ howtoSeen: true, howtoAsked: false });
    try {
      localStorage.setItem(HOWTO_KEY, '1');
    } catch {
      // no storage: dismissed for this page
    }
  }

  /** The camera chosen with Switch camera (null: the rear camera). */
  private chosenCamera(): string | null {
    try {
      return localStorage.getItem(CAMERA_KEY);
    } catch {
      return null;
    }
  }

  private chooseCamera(id: string | null) {
    try {
      if (id) localStorage.setItem(CAMERA_KEY, id);
      else localStorage.removeItem(CAMERA_KEY);
    } catch {
      // no storage: the choice lasts this run
    }
  }

  /** How many cameras the device has (once one is open: before, browsers hide them), for Switch camera. */
  private async countCameras(run: number, opening: number) {
    const n = (await videoInputs()).length;
    if (run === this.runId && opening === this.cameraId) this.deps.live.getState().set({ cameras: n });
  }

  /** The app hidden: the camera and the wake lock let go, nothing judged or detected until it is shown again.
   * The run (its fields, the bar's figures, the fields the judge knows) is kept; a field being saved goes on. */
  private pause() {
    this.cameraId++;
    this.releaseCamera();
    // the view the camera shows on coming back is judged afresh: no still period goes on across the pause
    this.judge.interrupt();
    this.stillPreviews = 0;
    this.lastPreview = null;
    this.deps.live.getState().set({ phase: 'paused', stream: null, state: null, boxes: [], boxesAt: 0, muted: false });
  }

  /** Ends live mode; the fields captured stay in the batch. */
  stop() {
    this.runId++;
    this.release();
    this.deps.live.getState().set({ ...LIVE_CLOSED });
    // the history entry the live view added goes with it (none left to take off after Back), so Back then
    // leaves nothing behind
    const takeOff = this.takeOffBackEntry;
    this.takeOffBackEntry = null;
    takeOff?.();
  }

  private say(kind: 'info' | 'warning', message: string) {
    this.deps.store.getState().notify({ kind, source: 'camera', subject: '', message });
  }

  /** This run's captured fields, the ones still being saved included. */
  private keptCount(): number {
    return this.deps.live.getState().captured.length + [...this.unsaved.values()].filter(Boolean).length;
  }

  /** "The 3 fields captured are in the batch." for the fields of this run, the one still being saved included
   * (its write goes on after Stop: "No field was captured" was said over it). */
  private keptWords(): string {
    const n = this.keptCount();
    return n ? `The ${n} field${n === 1 ? '' : 's'} captured ${n === 1 ? 'is' : 'are'} in the batch.` : 'No field was captured.';
  }

  /** Keeps the screen on while live mode runs. The phone is clamped to the eyepiece and nobody touches it
   * between fields, so a screen timeout of 30 s turned the screen off, which hides the page and ends live
   * mode, a few fields into a 100-cell differential. The browser drops the lock when the page is hidden,
   * and live mode pauses then anyway (the camera's next opening asks again). */
  private keepAwake(run: number, opening: number) {
    const { live } = this.deps;
    const lock = (navigator as Partial<Navigator>).wakeLock;
    if (!lock) return live.getState().set({ awake: false });
    lock.request('screen').then(
      (sentinel) => {
        // (a lock granted after a pause or Stop is let go: a new opening asks again)
        if (run !== this.runId || opening !== this.cameraId) return void sentinel.release().catch(() => undefined);
        this.wake = sentinel;
        live.getState().set({ awake: true });
        sentinel.addEventListener('release', () => {
          if (this.wake !== sentinel) return;
          this.wake = null;
          if (run === this.runId) live.getState().set({ awake: false });
        });
      },
      () => {
        if (run === this.runId) live.getState().set({ awake: false });
      },
    );
  }

  /** Ends the run's hold on the page: the camera, and the bar's and the page's listeners. */
  private release() {
    this.recount = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.releaseCamera();
  }

  /** Lets the camera and the screen go (the frame loop ends with its video). */
  private releaseCamera() {
    const wake = this.wake;
    this.wake = null;
    void wake?.release().catch(() => undefined);
    this.cameraOff?.();
    this.cameraOff = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    if (this.video) this.video.srcObject = null;
    this.video = null;
  }

  private target() {
    return this.deps.targetOverride ?? this.deps.store.getState().diffRules.target;
  }

  /** WBCs counted toward the target (wbcTowardTarget: the technician verifies them in the gallery afterwards,
   * so an unverified cell counts here). At the target, capturing stops. */
  private watchTarget() {
    const { store, live, lowConfidence } = this.deps;
    const update = () => {
      const d = selectDifferentialState(store.getState(), lowConfidence);
      const target = this.target();
      const wbc = wbcTowardTarget(d);
      const reached = wbc >= target;
      const was = live.getState().reached;
      const s = store.getState();
      // a field not yet saved is not yet captured, as far as the view says (see the file's comment)
      // (a field being replaced by a sharper view is one field, though both views are in the batch for a moment)
      const fields = s.order.map((id) => s.images[id]).filter((im) => im?.capture?.source === 'live' && this.unsaved.get(im.name) !== true);
      // a captured field a flag leaves out (a grainy view at the eyepiece) adds nothing to the counts: the
      // view says so, or the technician moves on believing it counted
      const leftOut = leftOutFields(fields);
      const flagged = flaggedFields(fields);
      const same = (prev: readonly { name: string; flags: string[] }[], now: typeof prev) => prev.length === now.length && prev.every((f, i) => f.name === now[i].name && f.flags.join() === now[i].flags.join());
      const l = live.getState();
      live.getState().set({
        wbc,
        batchFields: new Set(fields.map((im) => im.name)).size,
        target,
        reached: was || reached,
        ...(same(l.leftOut, leftOut) ? {} : { leftOut }),
        ...(same(l.flagged, flagged) ? {} : { flagged }),
      });
      if (reached && !was) navigator.vibrate?.([200, 100, 200]);
    };
    update();
    this.recount = update;
    const unwatch = store.subscribe(update);
    const before = this.unsubscribe;
    this.unsubscribe = () => {
      before?.();
      unwatch();
    };
  }

  private loop(run: number) {
    const video = this.video;
    if (!video) return;
    const next = () => {
      // a pause lets this video go (a new one comes on coming back, with its own loop)
      if (run !== this.runId || this.video !== video) return;
      // requestVideoFrameCallback fires once per new camera frame; where it is missing, a timer
      if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(tick);
      else setTimeout(tick, 1000 / JUDGE_FPS);
    };
    const tick = () => {
      try {
        const now = performance.now();
        // a muted camera's frames (none, or black) are no view of the slide
        if (now - this.lastJudged >= 1000 / JUDGE_FPS - 5 && !this.deps.live.getState().muted) {
          this.lastJudged = now;
          this.onFrame(video, now);
        }
      } finally {
        next();
      }
    };
    next();
  }

  private onFrame(video: HTMLVideoElement, now: number) {
    const { live } = this.deps;
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return;
    const size = statsSize(width, height);
    if (!this.small || this.small.canvas.width !== size.width || this.small.canvas.height !== size.height) {
      const c = document.createElement('canvas');
      c.width = size.width;
      c.height = size.height;
      this.small = c.getContext('2d', { willReadFrequently: true });
    }
    const ctx = this.small!;
    const t0 = performance.now();
    ctx.drawImage(video, 0, 0, size.width, size.height);
    const px = ctx.getImageData(0, 0, size.width, size.height);
    const verdict = this.judge.onFrame(now, px);
    const judgeMs = performance.now() - t0;
    const st = live.getState();
    const field = verdict.field ? scaleCircle(verdict.field, width / size.width) : null;
    // (the boxes of a preview whose frame came before it are an earlier view's: the view fades them, as while moving)
    const patch: Partial<ReturnType<LiveStore['getState']>> = { frames: st.frames + 1, judgeMs: st.judgeMs + judgeMs, field, stillSince: now - verdict.stillFor };
    if (!st.size || st.size.width !== width || st.size.height !== height) {
      patch.size = { width, height };
      // the phone turned (the browser turns the frames with the screen): the boxes are the other frame's, and
      // would be drawn across this one, some of them off it
      if (st.size) Object.assign(patch, { boxes: [], boxesAt: 0 });
    }
    let state = verdict.state;
    if (verdict.state === 'capture') {
      // A view the detector has read in this still period with fewer red cells than the batch's not-smear bar
      // (a page, a pale poster, a bare part of the slide) would be captured only to be left out: it is not. Where
      // no preview of it has ended yet (a slow phone), the batch's flag is the safeguard.
      const p = this.lastPreview;
      if (st.reached) state = 'settling';
      else if (p && p.at >= now - verdict.stillFor && p.rbc < CALIBRATION.smear.minRbc) state = 'no-cells';
      else this.capture(video, verdict, now);
    }
    if (verdict.state === 'sharper') {
      state = 'captured';
      if (this.replace(video, verdict, now)) state = 'capture';
    }
    // the judge has decided this still view: it is said to be captured once its field is saved
    if (state === 'captured' && this.unsaved.size) state = 'capture';
    if (verdict.state === 'seen' && st.state !== 'seen') patch.repeats = st.repeats + 1;
    this.removedShown = verdict.state === 'removed' ? (verdict.seenIndex ?? null) : null;
    patch.state = state;
    // the still view the field was captured from, saved: its figures are the saved field's count (LiveView)
    const savedAs = state === 'captured' && verdict.seenIndex !== undefined ? (this.fieldNames[verdict.seenIndex] ?? null) : null;
    if (savedAs !== st.savedAs) patch.savedAs = savedAs;
    const decided = state === 'captured' || state === 'seen' || state === 'removed';
    if (!decided) this.stillPreviews = 0;
    // Battery: the detector runs only while there is something new to show. A still view already captured or
    // seen gives the same boxes preview after preview, and at the target nothing more is captured (the last
    // field's boxes go); before, a phone's core was busy with previews for the whole differential, and after it.
    // nor is a view that is no smear (a room, a poster): its "cells" are not drawn on it; nor a dark one (the lamp
    // off, a phone laid down between slides: about 8 previews a second of black frames before, for as long as it
    // lay there), where the last field's boxes would sit on black
    // So is a field of view too small to judge (under half a percent of the frame, found by no field: core/live
    // judge), black about a speck, as it rested when it was read as dark.
    // And a frame under the dark bar that the rule calls moving (the lamp going off or coming on, a cut to black): a
    // preview of it found no cells, and the view read "last field: 0 RBC, 0 WBC, 0 PLT" as the field came back.
    this.unlit = verdict.stats.brightness < LIVE_PARAMS.minBrightness;
    const noSmear = state === 'not-smear' || state === 'dark' || this.unlit || (state === 'small-field' && !verdict.field);
    // (boxes taken away are no field's count: boxesAt 0, and the view reads "counting…" until the next preview, where
    // it had read "last field: 0 RBC, 0 WBC, 0 PLT" as each field came back out of the dark)
    if ((st.reached || noSmear) && st.boxesAt) Object.assign(patch, { boxes: [], boxesAt: 0 });
    const idle = st.reached || noSmear || (decided && this.stillPreviews >= 2);
    live.getState().set(patch);
    // the judged copy also tells grey specks from platelets in the preview (core/quality/debris)
    if (!idle) this.preview(video, { data: px.data, width: size.width, height: size.height, scale: size.width / width }, verdict);
  }

  /** A clearly sharper view of a field captured in this run: it takes the soft capture's place in the batch,
   * under the same name, unless the technician has edited that image already (then it stays, and the field
   * is done). Returns whether it was replaced. */
  private replace(video: HTMLVideoElement, verdict: Verdict, now: number): boolean {
    const { store } = this.deps;
    const i = verdict.seenIndex!;
    const name = this.fieldNames[i];
    const s = store.getState();
    const id = s.order.find((k) => s.images[k].name === name);
    if (!id || wasEdited(s.images[id])) {
      this.judge.replaced(i, verdict.signature!, Infinity);
      return false;
    }
    this.judge.replaced(i, verdict.signature!, verdict.stats.sharpness);
    this.capture(video, verdict, now, { name, id });
    return true;
  }

  /** The frame judged is drawn at once (the video moves on); encoding, intake and the write follow, and
   * only then is the field said to be captured (the run's list, the sharpened count, the bar's figures).
   * `replaces`: the batch image of the field a sharper view replaces (it keeps the name), else the field is
   * the next live-NNNN.jpg. The soft capture leaves the batch only once the sharp one is in it, so that one
   * write stores the one and deletes the other: a reload at any moment finds one of them, never neither. */
  private capture(video: HTMLVideoElement, verdict: Verdict, now: number, replaces?: { name: string; id: string }) {
    const { live, store } = this.deps;
    if (!replaces) this.judge.captured(verdict.signature!, verdict.stats.sharpness);
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    const stillSince = now - verdict.stillFor;
    const capturedAt = new Date().toISOString();
    const s = store.getState();
    // (nor a name the audit trail has for an image no longer in the batch: a capture removed after Stop came back as
    // live-0001.jpg on the next run, a counted image under the name the trail said was removed)
    const name = replaces?.name ?? liveName(nextLiveNumber([...s.order.map((id) => s.images[id].name), ...s.audit.map((a) => a.image), ...live.getState().captured, ...this.unsaved.keys()]));
    if (!replaces) this.fieldNames.push(name);
    this.known.set(name, verdict.signature!);
    this.unsaved.set(name, !replaces);
    this.capturing++;
    const run = this.runId;
    const judge = this.judge;
    const signature = verdict.signature!;
    const saved = (ok: boolean) => {
      this.unsaved.delete(name);
      this.capturing--;
      // A new field that did not reach the batch (its picture not encoded: a phone short of memory; or the intake
      // refused it) is no captured field: the judge forgets it, so the view does not say "Captured" over it, nor
      // "Already captured" when the slide comes back to it, and the field is captured again once the view has
      // been still another second. Before, the judge kept it: "Captured: move to the next field", and no image.
      // (a run started since, while it was being saved, remembered it too: Stop, then Live at once)
      if (!ok && !replaces) {
        if (judge !== this.judge) judge.forget(signature);
        const i = this.judge.forget(signature);
        if (i >= 0) this.fieldNames.splice(i, 1);
        this.known.delete(name);
      }
      // kept over a reload: if the technician removes the field, a later run still knows it (rememberBatch)
      if (ok) this.deps.signatures?.put(name, signature).catch(() => undefined);
      const l = live.getState();
      // a field saved after Stop is in the batch all the same; the closed view's figures are not touched
      if (run === this.runId && ok) {
        if (!replaces && !l.howtoSeen) this.dismissHowto();
        l.set(replaces ? { sharpened: l.sharpened + 1, captureMs: [...l.captureMs, performance.now() - stillSince] } : { captured: [...l.captured, name], captureMs: [...l.captureMs, performance.now() - stillSince] });
      }
      this.recount?.();
    };
    canvas.toBlob(
      (blob) => {
        if (!blob) {
          // no notice from the intake here: say it, or a field goes missing without a word
          if (run === this.runId) this.say('warning', `The camera's picture of a field could not be saved (the device may be short of memory): hold the field still to capture it again.`);
          return saved(false);
        }
        const file = new File([blob], name, { type: 'image/jpeg', lastModified: Date.now() });
        void (async () => {
          try {
            await this.deps.addFiles([file], { source: 'live', at: capturedAt });
            const after = store.getState();
            const added = after.order.some((id) => id !== replaces?.id && after.images[id].name === name);
            // a view the intake refused replaces nothing (the intake's notice says why)
            if (replaces && added && after.images[replaces.id]) after.discardImage(replaces.id, 'replaced by a sharper view of the same field');
            // resolves once committed; a failed write is shown by persistence itself (what a reload would lose)
            await this.deps.persist();
            saved(added);
          } catch {
            saved(false);
          }
        })();
      },
      'image/jpeg',
      JPEG_QUALITY,
    );
  }

  /** The current field's boxes: one detection in flight at most, on the newest frame. `small`: the frame's
   * statistics copy, which the capture rule judged (`judged`: its field, in the copy's pixels, and statistics). */
  private preview(video: HTMLVideoElement, small: SmallImage, judged: Pick<Verdict, 'field' | 'stats'>) {
    if (this.previewBusy || this.deps.store.getState().model.status !== 'ready') return;
    const run = this.runId;
    const camera = this.cameraId;
    const { card, live, store } = this.deps;
    const width = video.videoWidth;
    const height = video.videoHeight;
    this.previewBusy = true;
    void (async () => {
      let frame: ImageBitmap | null = null;
      try {
        const loaded = await this.deps.loadDetector();
        let passes = 0;
        const client: Pick<DetectorClient, 'detect'> = { detect: (bmp) => (passes++, loaded.detect(bmp)) };
        const at = performance.now();
        // The frame read as the batch reads the captured field (services/readImage: its scale logic, a second pass
        // where the cells' size asks for it, a small field of view from its square, the same resizing), so that the
        // figures on the screen are those the saved field gets. Before, one pass at the frame's size: a field at
        // another magnification read differently here and in the batch (a 2x2 mosaic's red cells, about a fifth).
        frame = await createImageBitmap(video);
        const fixed = store.getState().fixedScale;
        const stillSince = live.getState().stillSince;
        // The same still view (its frame's size, its still period) read in full before, at a scale that took more
        // than one pass to choose: one pass at that scale. Its figures are those a full read of the frame gives
        // where its estimate chooses the same scale (as the saved field's read must too), and a full read every
        // SCALE_REUSES + 1 previews follows the view's own estimate.
        const known = this.viewScale;
        const reuse = !fixed && known && known.width === width && known.height === height && known.at >= stillSince && known.reuses < SCALE_REUSES && (known.scale.passes === 2 || known.scale.region);
        const read = reuse ? await readAtScale(frame, known.scale, card, client, browserDecoder.copy) : await readImage(frame, card, client, browserDecoder.copy, fixed);
        if (reuse) known.reuses++;
        else this.viewScale = fixed ? null : { at, width, height, reuses: 0, scale: read.scale };
        // a view that turned to no smear, or dark, while this preview ran: its boxes are not drawn
        const now = live.getState().state;
        if (run !== this.runId || camera !== this.cameraId || live.getState().reached || live.getState().muted || now === 'not-smear' || now === 'dark' || this.unlit) return;
        // a frame of another size since (the phone turned): these boxes are not this frame's
        if (video.videoWidth !== width || video.videoHeight !== height) return;
        this.stillPreviews++;
        // the cells as the batch will count the captured field (core/live/fieldCells): in the eyepiece's field, the
        // WBC rule's red cells as RBCs, a grey speck on the eyepiece or the phone's lens no platelet, and the lab's
        // count rule (the cells it leaves out drawn, not counted)
        const { cells, counted } = fieldCells(read.raw, small, judged.field, judged.stats, { width, height }, card, store.getState().postprocess);
        this.lastPreview = { at, rbc: cells.filter((d) => d.cls === 'RBC').length };
        const boxes: LiveBox[] = cells.map((d, i) => ({ cls: d.cls, x1: d.box.x1, y1: d.box.y1, x2: d.box.x2, y2: d.box.y2, ...(counted[i] ? {} : { out: true }) }));
        const l = live.getState();
        // boxes taken away since the last preview (the dark, a pause, the phone turned): this one shows at once
        if (!l.boxesAt) this.steady.reset();
        const tally = { RBC: 0, WBC: 0, Platelets: 0 };
        for (const b of boxes) if (!b.out) tally[b.cls]++;
        const shown = this.steady.add({ at, counts: tally, item: boxes }, l.stillSince);
        live.getState().set({ boxes: shown.item, boxesAt: shown.at, previews: l.previews + 1, previewMs: l.previewMs + performance.now() - at, previewPasses: l.previewPasses + passes });
      } catch {
        // a preview that fails is skipped; the captured fields are detected by the batch as usual
      } finally {
        frame?.close();
        this.previewBusy = false;
      }
    })();
  }

  /** Fields being encoded or taken in (tests wait for none before counting the batch). */
  get pending() {
    return this.capturing;
  }
}

/** The WBCs of the batch toward the differential's target: the typed cells the 100% is made of, verified or
 * not (the technician verifies them after Stop). Erythroblasts (NRBC) are counted per 100 WBC, outside it, and
 * smudge / other are no type: none of them brings the target nearer. Before, every typed cell counted, NRBC
 * included, and live mode stopped at "Target reached: 100 WBC" over a differential of fewer. */
export function wbcTowardTarget(d: Pick<DifferentialState, 'preliminary'>): number {
  return d.preliminary.total;
}

/** Why a captured field that could not be counted (its detection failed) is not in the totals. */
export const NOT_COUNTED = 'could not be counted';

/** The captured fields kept out of the totals: those a flag leaves out (not accepted), with the flags' short labels,
 * and those whose counting failed. */
export function leftOutFields(images: readonly ImageEntry[]): { name: string; flags: string[] }[] {
  return images
    .filter((im) => (im.status === 'done' && !inTotals(im)) || im.status === 'error')
    .map((im) => ({ name: im.name, flags: im.status === 'error' ? [NOT_COUNTED] : (im.quality?.flags ?? []).filter((f) => EXCLUDING_FLAGS.includes(f)).map((f) => FLAG_SHORT[f]) }));
}

/** The counted fields with a flag that does not leave them out (a small field of view, platelet clumps, an
 * unfamiliar colour): counted, yet worth a look, and the small field's "move the phone closer" is for now. */
export function flaggedFields(images: readonly ImageEntry[]): { name: string; flags: string[] }[] {
  return images
    .filter((im) => im.status === 'done' && inTotals(im))
    .map((im) => ({ name: im.name, flags: (im.quality?.flags ?? []).filter((f) => !EXCLUDING_FLAGS.includes(f) && f !== 'wbc-type-unsure').map((f) => FLAG_SHORT[f]) }))
    .filter((f) => f.flags.length > 0);
}

/** How many fields a line names before "and N more" (the bar stays a few lines on a phone). */
const NAMED = 4;

/** "live-0002.jpg (grainy), live-0005.jpg (out of focus), and 3 more": the latest first. */
function fieldList(fields: readonly { name: string; flags: readonly string[] }[]): string {
  const latest = [...fields].reverse();
  const named = latest.slice(0, latest.length > NAMED ? NAMED - 1 : NAMED).map((f) => `${f.name} (${f.flags.join(', ')})`);
  return latest.length > named.length ? `${named.join(', ')}, and ${latest.length - named.length} more` : named.join(', ');
}

/** The bar's line for the captured fields left out of the totals ('' for none): which, why, and to check it, or
 * them. Each is named (before: "3 fields not counted (grainy, too dark)", and the technician could not tell which). */
export function leftOutWords(leftOut: readonly { name: string; flags: readonly string[] }[]): string {
  if (!leftOut.length) return '';
  if (leftOut.length === 1) return `${leftOut[0].name} not counted (${leftOut[0].flags.join(', ')}): check it after Stop`;
  return `${leftOut.length} fields not counted: ${fieldList(leftOut)}. Check them after Stop`;
}

/** The bar's line for the counted fields with an advisory flag ('' for none). */
export function flaggedWords(flagged: readonly { name: string; flags: readonly string[] }[]): string {
  if (!flagged.length) return '';
  if (flagged.length === 1) return `${flagged[0].name} counted, with a flag (${flagged[0].flags.join(', ')})`;
  return `${flagged.length} fields counted with a flag: ${fieldList(flagged)}`;
}

/** Whether the batch image `name` was last taken out by the technician (Remove image, or its redo), as the audit
 * trail says: not put back by Undo since, nor replaced by a sharper view (which keeps the name in the batch). */
export function removedByHand(audit: readonly { image: string; field: string; to: string | null }[], name: string): boolean {
  for (let i = audit.length - 1; i >= 0; i--) if (audit[i].image === name && audit[i].field === 'image') return audit[i].to === 'removed';
  return false;
}

/** The signature of a stored image, read at the live view's statistics size (core/live signatureOf). */
async function smallSignature(blob: Blob): Promise<Signature> {
  const bmp = await createImageBitmap(blob);
  try {
    const size = statsSize(bmp.width, bmp.height);
    const c = new OffscreenCanvas(size.width, size.height);
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bmp, 0, 0, size.width, size.height);
    return signatureOf(ctx.getImageData(0, 0, size.width, size.height));
  } finally {
    bmp.close();
  }
}
