/**
 * Capture fields, not frames: the pure rule that decides, frame by frame, whether the live view shows a
 * field worth capturing. A field is captured once the view has been still for STILL_MS, is lit, is a
 * stained smear (stain colour, and none of the colours the batch's not-smear flag reads as no smear) and is sharp, and does not overlap a field captured before by half or more. The page
 * hands each frame's small RGBA copy (the quality statistics' size) and a clock; nothing here knows
 * about cameras.
 */
import { CALIBRATION } from '../quality/calibration';
import { fieldShare, findCircularField, findTinyField, type Circle } from '../quality/field';
import { SMALL_FIELD_SHARE, unlikeStainColours } from '../quality/flags';
import { pixelStats, withEvenLight, type PixelStats, type Rgba } from '../quality/pixels';
import { boxBlur3, normaliseGain, resampleGrey, shiftedAbsDiff, toGrey, type Grey } from './grey';
import { fieldSignature, matchSignatures, seenBefore, type Signature } from './signature';

export interface LiveParams {
  /** How long the view must stay still before a field is captured. */
  stillMs: number;
  /** Mean absolute grey change between consecutive frames (0-255, on the motion copy) below which the
   * view is still. Camera noise averages out on the 4x-smaller motion copy (well under 1). Each copy is
   * scaled to the same mean grey first (a lamp's flicker or the exposure is no movement), and the change
   * is the least over shifts of up to `tremor` motion pixels (a hand's tremor is none either). */
  stillMotion: number;
  /** Shifts, in pixels of the motion copy (a 64-px-wide copy: 1 is 10 px of a 640-px frame), forgiven
   * between frames and from the still period's first frame. A slow pan still drifts past it. */
  tremor: number;
  /** The same, between the first frame of the still period and now: a slow drift is movement too. */
  maxDrift: number;
  /** Mean grey level of the field below which the view is dark (the lamp off, the eyepiece covered). */
  minBrightness: number;
  /** The share of clipped pixels above which the view is washed out (the batch's over-exposure bar): a field
   * captured so would be left out of the totals. */
  maxClipped: number;
  /** The share of the frame under which the eyepiece's field of view is too small to capture (the batch's
   * small-field flag's). */
  minFieldShare: number;
  /** The quality flags' thresholds, on the same statistics: stain colour and sharpness. */
  minStainChroma: number;
  minSharpness: number;
  /** The batch's bar of the sharpness read through the grain (PixelStats.edges); absent: not judged. */
  minEdges?: number;
  /** A field overlapping a captured one by this fraction or more is not captured again. */
  maxOverlap: number;
  /** A still view of a field captured in this run, this many times as sharp as its capture and showing
   * the same view (overlap `sameView` or more), replaces it: turning the fine focus through a slightly
   * soft view must not keep the soft one. */
  sharper: number;
  sameView: number;
}

export const LIVE_PARAMS: LiveParams = {
  stillMs: 1000,
  stillMotion: 3,
  tremor: 1,
  maxDrift: 4,
  // a view darker than this is not captured: the lamp off or the eyepiece covered, and never a field the
  // batch would leave out as under-exposed (its bar, chosen on darkened validation fields, is lower)
  minBrightness: Math.max(35, CALIBRATION.exposure?.minBrightness ?? 0),
  maxClipped: CALIBRATION.exposure?.maxClipped ?? 1,
  minFieldShare: SMALL_FIELD_SHARE,
  minStainChroma: CALIBRATION.smear.minStainChroma,
  minSharpness: CALIBRATION.focus.minSharpness,
  minEdges: CALIBRATION.focus.minEdges,
  maxOverlap: 0.5,
  sharper: 1.25,
  sameView: 0.8,
};

/** What the view shows now. 'small-field': the eyepiece's field of view covers under SMALL_FIELD_SHARE of the
 * frame (the phone held back from the eyepiece, or not zoomed in); nothing is captured until it fills more.
 * 'capture' asks the caller to capture this frame, then call `captured`;
 * 'sharper' to capture it in place of the captured field `seenIndex`, then call `replaced`. 'no-cells' is the
 * caller's, never the judge's: a view to capture on which the detector found too few red cells. 'removed': a field
 * the technician took out of the batch (remembered with `removed`), not captured again unless `captureAgain` says so. */
export type LiveState = 'moving' | 'settling' | 'dark' | 'bright' | 'not-smear' | 'small-field' | 'blurred' | 'seen' | 'removed' | 'captured' | 'capture' | 'sharper' | 'no-cells';

export interface Verdict {
  state: LiveState;
  /** ms the view has been still */
  stillFor: number;
  /** motion since the previous frame */
  motion: number;
  /** change since the still period's first frame */
  drift: number;
  stats: PixelStats;
  field: Circle | null;
  /** with 'capture': the field's signature, to hand back to `captured` */
  signature?: Signature;
  /** with 'seen', 'removed' and 'sharper': which known field (0-based, in the order known) this one repeats */
  seenIndex?: number;
}

const MOTION_FACTOR = 4;

/** The signature a view's small copy gets when captured (a field already in the batch, read again). */
export function signatureOf(small: Rgba): Signature {
  return fieldSignature(toGrey(small), findCircularField(small));
}

export class CaptureJudge {
  private prev: Grey | null = null;
  private anchor: Grey | null = null;
  private stillSince = 0;
  /** The still period's outcome once decided ('captured' or 'seen'): one decision per still period. */
  private decided: { state: 'captured' | 'seen' | 'removed'; index?: number; final?: boolean } | null = null;
  private signatures: Signature[] = [];
  /** The sharpness of each field when captured; Infinity for a field remembered from an earlier run
   * (never replaced: it may have been checked and edited since). */
  private sharpness: number[] = [];
  /** Which known fields the technician removed from the batch. */
  private removed: boolean[] = [];

  constructor(private params: LiveParams = LIVE_PARAMS) {}

  /** Signatures of the fields captured so far, in order. */
  get fields(): readonly Signature[] {
    return this.signatures;
  }

  onFrame(t: number, small: Rgba): Verdict {
    const p = this.params;
    const grey = toGrey(small);
    const motionCopy = normaliseGain(
      boxBlur3(resampleGrey(grey, { x: 0, y: 0, w: grey.width, h: grey.height }, Math.max(1, Math.round(grey.width / MOTION_FACTOR)), Math.max(1, Math.round(grey.height / MOTION_FACTOR)))),
      p.minBrightness,
    );
    const motion = this.prev ? shiftedAbsDiff(this.prev, motionCopy, p.tremor) : Infinity;
    const drift = this.anchor ? shiftedAbsDiff(this.anchor, motionCopy, p.tremor) : Infinity;
    this.prev = motionCopy;
    if (motion > p.stillMotion || drift > p.maxDrift) {
      this.stillSince = t;
      this.anchor = motionCopy;
      this.decided = null;
    }
    const field = findCircularField(small);
    // judged evenly lit, as the batch judges the saved field (core/quality/illumination): a vignette or a lamp off
    // centre read as blur here would never let a field be captured that the batch counts as sharp
    const stats = pixelStats(withEvenLight({ data: small.data, width: small.width, height: small.height }, field), field);
    const stillFor = t - this.stillSince;
    const base = { stillFor, motion, drift, stats, field };
    // a phone pulled off the eyepiece (a room, a poster, a hand): the batch's not-smear colours, said before
    // "Moving", which would send the technician to the slide
    if (stats.brightness >= p.minBrightness && unlikeStainColours(stats)) return { state: 'not-smear', ...base };
    // A small field of view in a black frame (the phone held back, or not zoomed in): its cells are a few pixels
    // wide. Said before "Moving" (the phone moved toward the eyepiece moves the view) and never read as dark: the
    // whole frame's brightness had said "Too dark: is the lamp on?" under a disc a tenth of the frame.
    if (field && fieldShare(field, small.width, small.height) < p.minFieldShare) return { state: 'small-field', ...base };
    // under half a percent of the frame the disc is no field to judge, and the frame is black about it: still the
    // phone's distance, not the lamp (it had said "Too dark: is the lamp on?")
    if (!field && stats.brightness < p.minBrightness && findTinyField(small) !== null) return { state: 'small-field', ...base };
    if (motion > p.stillMotion || drift > p.maxDrift) return { state: 'moving', ...base };
    if (stats.brightness < p.minBrightness) return { state: 'dark', ...base };
    if ((stats.clipped ?? 0) > p.maxClipped) return { state: 'bright', ...base };
    if (Math.hypot(stats.colour[2], stats.colour[3]) < p.minStainChroma) return { state: 'not-smear', ...base };
    if (stats.sharpness < p.minSharpness || (p.minEdges != null && stats.edges != null && stats.edges < p.minEdges)) return { state: 'blurred', ...base };
    if (stillFor < p.stillMs) return { state: 'settling', ...base };
    // a field decided in this still period is done, unless the focus has been turned to a clearly sharper
    // view of it (the fine focus hardly moves the motion copy, so the still period goes on)
    const index = this.decided?.index;
    if (this.decided && (this.decided.final || index === undefined || !(stats.sharpness >= this.sharpness[index] * p.sharper))) return { state: this.decided.state, ...base, seenIndex: index };
    const signature = fieldSignature(grey, field);
    const seen = seenBefore(signature, this.signatures, p.maxOverlap);
    if (seen) {
      const i = seen.index;
      // a field the technician took out of the batch does not come back by itself (captureAgain: on their word)
      if (this.removed[i]) {
        this.decided = { state: 'removed', index: i, final: true };
        return { state: 'removed', ...base, seenIndex: i };
      }
      const sharper = stats.sharpness >= this.sharpness[i] * p.sharper;
      if (sharper && matchSignatures(this.signatures[i], signature).overlap >= p.sameView) return { state: 'sharper', ...base, signature, seenIndex: i };
      // a sharper view of another part of the field: a repeat for the rest of this still period (no match per frame)
      this.decided = { state: 'seen', index: i, final: sharper };
      return { state: 'seen', ...base, seenIndex: i };
    }
    return { state: 'capture', ...base, signature };
  }

  /** A field captured before this judge (an earlier live run over the same batch): never captured again. `removed`:
   * one the technician took out of the batch since: said so ('removed'), and captured again only by captureAgain. */
  remember(signature: Signature, removed = false) {
    this.signatures.push(signature);
    this.sharpness.push(Infinity);
    this.removed.push(removed);
  }

  /** The technician asks for the removed field `index` back (the view shows it, still): it is forgotten, and the
   * still view is captured on the next frame, without another still second. Returns whether it was a removed field. */
  captureAgain(index: number): boolean {
    if (!this.removed[index]) return false;
    this.signatures.splice(index, 1);
    this.sharpness.splice(index, 1);
    this.removed.splice(index, 1);
    if (this.decided?.index === index) this.decided = null;
    else if (this.decided?.index !== undefined && this.decided.index > index) this.decided = { ...this.decided, index: this.decided.index - 1 };
    return true;
  }

  /** The caller captured the field of a 'capture' verdict: it is remembered, and this still period is done.
   * `sharpness`: the captured view's (the verdict's stats.sharpness); a view 'sharper' than it replaces it. */
  captured(signature: Signature, sharpness = Infinity) {
    this.signatures.push(signature);
    this.sharpness.push(sharpness);
    this.removed.push(false);
    this.decided = { state: 'captured', index: this.signatures.length - 1 };
  }

  /** The caller captured a 'sharper' verdict's view in place of field `index`. */
  replaced(index: number, signature: Signature, sharpness: number) {
    this.signatures[index] = signature;
    this.sharpness[index] = sharpness;
    this.decided = { state: 'captured', index };
  }

  /** The caller could not save the field captured with `signature` (the picture not encoded, the intake refused it):
   * it is no field of the batch, so it is forgotten, and may be captured again. A still period it decided starts
   * over, so the view waits another still second before trying again, and never says it captured it. Returns the
   * field's index as it was (-1: not known, or replaced since). */
  forget(signature: Signature): number {
    const i = this.signatures.indexOf(signature);
    if (i < 0) return -1;
    this.signatures.splice(i, 1);
    this.sharpness.splice(i, 1);
    this.removed.splice(i, 1);
    const d = this.decided?.index;
    if (d === i) {
      this.decided = null;
      this.anchor = null;
    } else if (this.decided && d !== undefined && d > i) this.decided = { ...this.decided, index: d - 1 };
    return i;
  }

  /** The camera was let go and opened again (the app hidden, then shown): the fields are kept, the next frame
   * starts afresh (no still period, nor its decision, goes on across the gap). */
  interrupt() {
    this.prev = this.anchor = null;
    this.decided = null;
  }

  /** Forget the captured fields (a new live run over another slide). */
  reset() {
    this.signatures = [];
    this.sharpness = [];
    this.removed = [];
    this.prev = this.anchor = null;
    this.decided = null;
  }
}
