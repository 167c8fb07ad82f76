import type { Detection } from '../core/detection/detection';
import type { ScaleInfo } from '../core/detection/scale';
import type { Labeled } from '../core/metrics/ap';
import type { Edits } from '../core/edits/edits';
import type { History } from '../core/edits/commands';
import type { Quality } from '../core/quality/assess';

export interface ImageCapture {
  source: 'live';
  /** When the frame was taken (ISO 8601). */
  at: string;
}

export type ImageStatus = 'queued' | 'running' | 'done' | 'error';

export interface ImageEntry {
  /** sha-256 of the file's bytes: the same photo dropped twice is one entry. */
  id: string;
  name: string;
  /** Path inside the folder the user dropped or chose ("day1/a.jpg"), when known: keeps same-named
   * images apart in exports. */
  path?: string;
  bytes: number;
  /** Where the picture came from when not a dropped file: a field live mode captured, and when (ISO). */
  capture?: ImageCapture;
  status: ImageStatus;
  /** Counted before and queued again (Count again): a Cancel leaves it in the batch, to be counted (it is
   * no file the technician still has to drop again). Read while it is queued. */
  recount?: boolean;
  width?: number;
  height?: number;
  /** Kept unfiltered so that threshold sliders never re-run the model. */
  raw?: Detection[];
  inferenceMs?: number;
  /** The WBC classifier's type probabilities, by detection id (card class order). */
  wbc?: Record<string, number[]>;
  /** The classifier's embedding of each typed WBC (what on-device adaptation learns from), by detection id. */
  emb?: Record<string, number[]>;
  /** Type probabilities after adaptation to this microscope (the model's blended with the profile's head);
   * written by the profile service, used instead of `wbc` where present. */
  adapted?: Record<string, number[]>;
  /** The engine that detected this image, recorded when it was counted (a reload or another engine later
   * does not change it; Count again records the new one). Absent in batches counted before it was kept. */
  engine?: { backend: string; threads: number };
  /** The detector model that counted this image, recorded with the engine: a batch restored after an update
   * to another model keeps the figures of the model that made them, and the report names that one. */
  detector?: { name: string; sha256: string };
  /** The WBC classifier models whose types this image holds (the one that typed it when counted, and any that
   * typed a WBC drawn or relabelled since, after an update): the report names those that are not loaded. */
  classifiers?: { name: string; sha256: string }[];
  /** Classifier time on this image, ms (all its WBCs, one batch). */
  classifyMs?: number;
  /** How the magnification logic ran on this image (estimate, passes, scale used). */
  scale?: ScaleInfo;
  error?: string;
  /** Quality flags (core/quality) from the pixels and the model's detections, set when detection
   * finishes; wbc-type-unsure is derived from the shown types instead (selectors imageFlags). */
  quality?: Quality;
  /** Model detections (raw ids) that sit on the camera or lens, not the slide: the same speck at the same
   * pixel in several fields of the batch (core/quality/optics). Written by the optics service; left out of
   * the counts and drawn faint. A box a person edits is theirs again. */
  optics?: string[];
  /** The user accepted a not-smear / out-of-focus image: it counts in the batch totals again. */
  flagsAccepted?: boolean;
  edits: Edits;
  history: History;
  reviewed: boolean;
  /** Uncertain boxes a reviewer accepted as they are (no longer listed by U). */
  accepted?: string[];
  gt?: Labeled[];
}


