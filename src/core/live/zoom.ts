/**
 * Zoom to the eyepiece: a phone held to the eyepiece sees a round field in a black ring, and a 16:9 stream
 * on a portrait screen shows it a quarter of the screen wide. Where the live view found the circle, the
 * view is scaled about the stage's centre so the circle fills the stage's shorter side, and moved so the
 * circle sits in the middle. Pure: the stage's and the frame's sizes in, a CSS transform out.
 */
export interface Zoom {
  /** scale about the stage's centre */
  scale: number;
  /** translation in stage pixels, applied after the scale */
  tx: number;
  ty: number;
}

export const NO_ZOOM: Zoom = { scale: 1, tx: 0, ty: 0 };
/** The circle fills this share of the stage's shorter side. */
const FILL = 0.96;
/** No zoom past this (the frame's own pixels would show), nor under MIN_GAIN (not worth the movement). */
const MAX_SCALE = 3;
const MIN_GAIN = 1.15;

export function zoomToField(stage: { width: number; height: number }, frame: { width: number; height: number }, field: { cx: number; cy: number; r: number } | null): Zoom {
  if (!field || field.r <= 0 || !stage.width || !stage.height || !frame.width || !frame.height) return NO_ZOOM;
  // the frame is shown with object-fit: contain
  const fit = Math.min(stage.width / frame.width, stage.height / frame.height);
  const want = (FILL * Math.min(stage.width, stage.height)) / (2 * field.r * fit);
  if (want < MIN_GAIN) return NO_ZOOM;
  // steps of 5%: the circle found frame by frame moves by a pixel or two, the view should not
  const scale = Math.round(Math.min(MAX_SCALE, want) * 20) / 20;
  const dx = (field.cx - frame.width / 2) * fit;
  const dy = (field.cy - frame.height / 2) * fit;
  const step = Math.max(stage.width, stage.height) / 50;
  const snap = (v: number) => Math.round(v / step) * step || 0; // no -0
  return { scale, tx: snap(-dx * scale), ty: snap(-dy * scale) };
}
