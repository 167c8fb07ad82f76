/**
 * Steady figures for a still view. Before the batch has counted a captured field, the live view's figures are the
 * latest preview's, and each preview reads another frame of the camera: a sensor's noise tips a borderline cell
 * either way, and on a still field the figure read at arm's length jumped by a cell or two several times a second
 * (measured with the fake camera's per-frame grain of 3 grey levels: "this field: 21, 20, 22, 21, 22, 21 RBC" in
 * one second of a still field). The view shows one preview's reading (its boxes and its counts, which agree) and
 * keeps it while the view stays still, until RUN previews in a row agree that a count is off in the same direction
 * (all higher, or all lower, in one class): a real change (the fine focus turned, a cell drifting in) shows after
 * RUN previews; a jitter about the shown figure does not. A new still period (the slide moved, a new field) starts
 * afresh: its first preview shows at once, as does every preview while the view moves.
 */
import { CLASS_NAMES, type CellClass } from '../detection/classes';

export type FieldCounts = Record<CellClass, number>;

export interface Reading<T> {
  /** When the preview's frame was taken (the clock of `stillSince`). */
  at: number;
  counts: FieldCounts;
  /** What is shown with it (the preview's boxes). */
  item: T;
}

/** Previews in a row that must agree a shown count is off before it changes. */
export const RUN = 3;

export class SteadyReading<T> {
  private shown: Reading<T> | null = null;
  /** The previews of the present still period since the one shown, latest last (at most RUN). */
  private since: Reading<T>[] = [];

  /** A preview has ended; `stillSince`: when the view's present still period began. Returns the reading to show. */
  add(next: Reading<T>, stillSince: number): Reading<T> {
    // the shown reading's frame is from before this still period (the view moved since): a new view, shown at once
    if (!this.shown || this.shown.at < stillSince || next.at < stillSince) return this.show(next);
    this.since = [...this.since, next].slice(-RUN);
    if (this.since.length === RUN && CLASS_NAMES.some((c) => this.since.every((r) => r.counts[c] > this.shown!.counts[c]) || this.since.every((r) => r.counts[c] < this.shown!.counts[c]))) return this.show(next);
    return this.shown;
  }

  /** The view's boxes were taken away (the dark, a pause, the phone turned): the next preview is shown at once. */
  reset() {
    this.shown = null;
    this.since = [];
  }

  private show(r: Reading<T>): Reading<T> {
    this.shown = r;
    this.since = [];
    return r;
  }
}
