import { create } from 'zustand';
import type { CellClass } from '../core/detection/classes';
import type { LiveState } from '../core/live/judge';

/** A box of the live view, in the camera frame's pixels. */
export interface LiveBox {
  cls: CellClass;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Left out by the lab's count rule (cut by the border): drawn faint, not counted. */
  out?: true;
}

/** Live mode's UI state (the camera view over the page), beside the batch store. The batch itself
 * (captured fields and their counts) lives in the batch store, as for dropped images. */
export interface LiveViewState {
  open: boolean;
  /** 'paused': the app is hidden (another app, the screen locked); the camera is let go until it is shown again. */
  phase: 'starting' | 'running' | 'paused' | 'error';
  /** The camera's sentence when it could not start (errors.ts). */
  error: string | null;
  stream: MediaStream | null;
  /** The camera gives no picture for now (muted: another app has it for a while); nothing is judged meanwhile. */
  muted: boolean;
  /** The device's cameras (Switch camera is offered where there are two or more). */
  cameras: number;
  /** The camera frame's size. */
  size: { width: number; height: number } | null;
  /** The capture rule's verdict on the latest frame (null before the first). */
  state: LiveState | null;
  /** The current field's boxes (latest preview detection) and what they count. */
  boxes: LiveBox[];
  /** When the frame the boxes were detected on was taken, and when the view's present still period began
   * (performance.now()): boxes of a frame before it are an earlier view's (services/live). `boxesAt` 0: no
   * preview's boxes (none yet, or taken away: the dark, a pause, the phone turned), so no field's count. */
  boxesAt: number;
  stillSince: number;
  /** The circular field of an eyepiece view, in frame pixels (null: the whole frame). */
  field: { cx: number; cy: number; r: number } | null;
  /** The batch image the view's still field was captured as, the view on it since and the field saved (null: none,
   * or the view another): the view shows that image's boxes and count, the batch's own, once it is counted. */
  savedAs: string | null;
  /** Names of the fields captured in this live run, in order, each once it is saved (services/live.ts). */
  captured: string[];
  /** Still views that repeated a captured field (not captured again). */
  repeats: number;
  /** Captured fields replaced by a clearly sharper view of the same field (the fine focus turned). */
  sharpened: number;
  /** Frames judged, and previews detected, in this run. */
  frames: number;
  previews: number;
  /** ms spent judging frames on the page (the capture rule and the small copy), summed over `frames`. */
  judgeMs: number;
  /** Over `previews`: ms from each preview's frame to its boxes, and the detector passes they took (bench:live). */
  previewMs: number;
  previewPasses: number;
  /** WBCs of the batch counted toward the differential target, and the target. */
  /** Fields captured live in the whole batch (this run's and earlier runs'), as the WBC count is the batch's. */
  batchFields: number;
  /** Live fields of the batch that a flag keeps out of the totals (grainy, out of focus, …) and that the
   * technician has not accepted: captured, yet adding nothing to the counts or the WBCs toward the target.
   * `flags`: the excluding flags' short labels. */
  leftOut: { name: string; flags: string[] }[];
  /** Live fields of the batch counted with a flag that does not leave them out (a small field of view, platelet
   * clumps, an unfamiliar colour), with its short labels. */
  flagged: { name: string; flags: string[] }[];
  wbc: number;
  target: number;
  /** The target was reached: capturing has stopped. */
  reached: boolean;
  /** The screen is kept on (a screen wake lock is held): a phone clamped to the eyepiece is not touched, and
   * a screen that turns off hides the page, which ends live mode. null: not asked yet; false: the browser
   * has no wake lock or refused one, so the phone's own screen timeout applies. */
  awake: boolean | null;
  /** Live mode's how-to has done its job on this device (Got it, or a field captured: services/live), and is shown
   * only when asked for with the help control (`howtoAsked`). */
  howtoSeen: boolean;
  howtoAsked: boolean;
  /** ms from a view turning still to its field saved in the batch (said to be captured), per captured field. */
  captureMs: number[];
  set(patch: Partial<Omit<LiveViewState, 'set'>>): void;
}

export type LiveStore = ReturnType<typeof createLiveStore>;

export const LIVE_CLOSED = {
  open: false,
  phase: 'starting',
  error: null,
  stream: null,
  cameras: 0,
  muted: false,
  size: null,
  state: null,
  boxes: [],
  boxesAt: 0,
  stillSince: 0,
  field: null,
  savedAs: null,
  captured: [],
  repeats: 0,
  sharpened: 0,
  frames: 0,
  previews: 0,
  judgeMs: 0,
  previewMs: 0,
  previewPasses: 0,
  batchFields: 0,
  leftOut: [],
  flagged: [],
  wbc: 0,
  target: 100,
  reached: false,
  captureMs: [],
  awake: null,
  howtoSeen: false,
  howtoAsked: false,
} satisfies Omit<LiveViewState, 'set'>;

export function createLiveStore() {
  return create<LiveViewState>((set) => ({ ...LIVE_CLOSED, set: (patch) => set(patch) }));
}
