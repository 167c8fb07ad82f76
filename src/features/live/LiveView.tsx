import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { LiveState } from '../../core/live/judge';
import { zoomToField } from '../../core/live/zoom';
import { useApp, useServices } from '../../services/context';
import { flaggedWords, leftOutWords } from '../../services/live';
import { useDialogFocus } from '../useDialogFocus';
import { useSettledText } from './useSettledText';
import { fieldCountWords, fieldsWords, reachedWords, saidWords, savedFieldWords } from './liveWords';
import { savedField } from './savedField';
import { LiveNotices } from './LiveNotices';
import { browserLocale, plain } from '../../core/formats/numbers';
import type { LiveViewState } from '../../store/liveStore';
import './live.css';

/** What the technician reads under the view: the capture rule's verdict in plain words. */
const SAID: Record<LiveState, string> = {
  moving: 'Moving: hold the slide still to capture this field',
  settling: 'Hold still…',
  dark: 'Too dark: is the lamp on?',
  bright: 'Too bright: turn the lamp down or shorten the exposure',
  // a phone pulled off the eyepiece (a room, a poster, a hand), or a slide with no stain: said plainly, with what to do
  'not-smear': 'Not a blood smear: hold the phone to the eyepiece',
  // the field of view a small disc in the frame: where the whole frame was judged, this read "Too dark"
  'small-field': 'The field of view is small: move the phone closer to the eyepiece, or zoom in',
  'no-cells': 'No cells found here: move to where the cells lie side by side, or hold the phone to the eyepiece',
  blurred: 'Out of focus: turn the fine focus',
  seen: 'Already captured: move to a new field',
  // a field the technician took out of the batch: not captured again unless asked (Capture again, beside it). Two
  // lines upright, as the other statuses: a third moved the picture up
  removed: 'You removed this field: move to a new field',
  captured: 'Captured: move to the next field',
  capture: 'Capturing…',
  sharper: 'Sharper: this view replaces the softer capture of the field',
};

/** How long the view's status and figures must hold before a screen reader is told them (useSettledText). */
const SAY_AFTER_MS = 1000;

const COLOUR = { RBC: '#ff5a5a', WBC: '#4da3ff', Platelets: '#ffd23f' } as const;

function useLive<T>(sel: (s: LiveViewState) => T): T {
  return useStore(useServices().live, sel);
}

/** Live mode, full screen over the page: the camera, the current field's boxes, the running count. */
export function LiveView() {
  const { camera, gallery, live } = useServices();
  const open = useLive((s) => s.open);
  const phase = useLive((s) => s.phase);
  const error = useLive((s) => s.error);
  const stream = useLive((s) => s.stream);
  const size = useLive((s) => s.size);
  const state = useLive((s) => s.state);
  const boxes = useLive((s) => s.boxes);
  // boxes of a frame taken before the view's present still period: a preview begun while the slide moved, ended
  // once it stopped (they had been drawn at full strength beside their cells under "Hold still…")
  const stale = useLive((s) => s.state === 'moving' || (s.boxes.length > 0 && s.boxesAt < s.stillSince));
  const field = useLive((s) => s.field);
  // the still view its field was captured from: once the batch has counted the saved field, the view shows that
  // count and its boxes (a preview, another frame of the camera, could differ by a borderline cell)
  const savedAs = useLive((s) => s.savedAs);
  const savedImage = useApp((s) => (savedAs ? s.order.map((id) => s.images[id]).find((im) => im?.name === savedAs) : undefined));
  const params = useApp((s) => s.postprocess);
  const saved = useMemo(() => savedField(savedImage, params), [savedImage, params]);
  const captured = useLive((s) => s.captured.length);
  const batchFields = useLive((s) => s.batchFields);
  const leftOut = useLive((s) => s.leftOut);
  const flagged = useLive((s) => s.flagged);
  const wbc = useLive((s) => s.wbc);
  const target = useLive((s) => s.target);
  const reached = useLive((s) => s.reached);
  // a preview's boxes on the view (0: none yet, or taken away by the dark, a pause, the phone turned: no count)
  const counted = useLive((s) => s.boxesAt > 0);
  const awake = useLive((s) => s.awake);
  const cameras = useLive((s) => s.cameras);
  const muted = useLive((s) => s.muted);
  const video = useRef<HTMLVideoElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const [stage, setStage] = useState({ width: 0, height: 0 });
  const dialog = useRef<HTMLDivElement>(null);
  // a modal over the whole screen: the focus goes to Stop (Enter or Space ends live mode), the page behind
  // leaves the Tab order and the accessibility tree, and the focus comes back to Live on closing
  useDialogFocus(dialog, open, { inert: true });
  const howtoSeen = useLive((s) => s.howtoSeen);
  const howtoAsked = useLive((s) => s.howtoAsked);

  // the stage's size, for the zoom to the eyepiece's circle
  useEffect(() => {
    const el = stageRef.current;
    if (!el) return;
    const measure = () => setStage({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [open]);

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    v.srcObject = stream;
    if (stream) void v.play().catch(() => undefined);
  }, [stream, open]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') camera.stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, camera]);

  const locale = browserLocale();
  const num = (x: number) => plain(x, locale);
  const status = reached ? reachedWords(wbc, locale) : phase === 'starting' ? 'Starting the camera…' : phase === 'paused' ? 'Paused while the app is hidden: the camera is off until you come back' : muted && phase === 'running' ? 'The camera gives no picture: another app may be using it. Live mode goes on when the picture is back' : state ? SAID[state] : 'Waiting for the first frame…';
  const fields = fieldsWords(batchFields, captured, locale);
  // one live region for the status and the batch's figures, said once they hold (the target at once)
  const said = useSettledText(open && phase !== 'error' ? saidWords(status, wbc, target, fields, locale) : '', SAY_AFTER_MS, reached);

  if (!open) return null;
  const fieldShown = phase === 'running' && !reached && !muted && state !== 'not-smear' && state !== 'dark' && !(state === 'small-field' && !field);
  const drawn = saved?.boxes ?? boxes;
  const count = (c: keyof typeof COLOUR) => drawn.filter((b) => b.cls === c && !b.out).length;
  const zoom = size ? zoomToField(stage, size, field) : null;
  return (
    <div className="live-view" ref={dialog} data-testid="live-view" role="dialog" aria-modal="true" aria-label="Live counting at the eyepiece" data-state={state ?? phase} data-stale={(stale && !saved) || undefined}>
      <div className="live-stage" ref={stageRef}>
        <div className="live-zoom" data-testid="live-zoom" data-scale={zoom?.scale ?? 1} style={zoom && zoom.scale !== 1 ? { transform: `translate(${zoom.tx}px, ${zoom.ty}px) scale(${zoom.scale})` } : undefined}>
          <video ref={video} muted playsInline autoPlay aria-hidden />
          {size && (
            <svg className="live-boxes" viewBox={`0 0 ${size.width} ${size.height}`} preserveAspectRatio="xMidYMid meet" aria-hidden data-testid="live-boxes" data-count={drawn.length} data-saved={saved ? savedAs : undefined}>
              {field && <circle cx={field.cx} cy={field.cy} r={field.r} fill="none" stroke="#fff" strokeOpacity={0.35} strokeDasharray="8 6" strokeWidth={2} />}
              {drawn.map((b, i) => {
                const geometry = { x: b.x1, y: b.y1, width: b.x2 - b.x1, height: b.y2 - b.y1, fill: 'none' };
                // the colour a little wider than the outline's edges, so that it still names the class
                const width = Math.max(2.4, size.width / 250);
                const dash = b.out ? { strokeDasharray: '6 4' } : {};
                return (
                  <g key={i}>
                    {/* a dark outline under the class colour: on a pale smear the colours alone read as little as
                        1.06:1 (the platelets' yellow), 1.4:1 (blue) and 1.5:1 (red) against it, lost on a phone in bright light */}
                    <rect {...geometry} data-halo stroke="#000" strokeOpacity={b.out ? 0.4 : 0.7} strokeWidth={width * 2} {...dash} />
                    <rect {...geometry} stroke={COLOUR[b.cls]} strokeWidth={width} {...dash} {...(b.out ? { strokeOpacity: 0.5 } : {})} />
                  </g>
                );
              })}
            </svg>
          )}
        </div>
      </div>
      <div className="live-bar">
        {/* the page's warnings raised meanwhile: behind the view they waited for Stop */}
        <LiveNotices open={open && phase !== 'error'} />
        {phase === 'error' ? (
          <p className="live-error" role="alert" data-testid="live-error">
            {error}
          </p>
        ) : (
          <>
            <p className="live-count" data-testid="live-count">
              {/* No live region here: the field's figures change with every preview (several a second), and the
                  batch's with each capture; the status line's settled copy below says those. Both the batch's: a
                  second run's fields add to the first's, as its WBCs do. */}
              <span data-testid="live-totals">
                <strong data-testid="live-wbc">{num(wbc)}</strong> / {num(target)} WBC · <span data-testid="live-fields">{num(batchFields)}</span> live field{batchFields === 1 ? '' : 's'}
                {batchFields > captured && <span data-testid="live-run-fields"> ({num(captured)} this run)</span>}
              </span>
              {/* at the target nothing more is detected (nor captured): no field's figures; nor over a view that is no
                  smear (cells "found" on a poster), nor where the detector rests on a view that is no field (dark, or a
                  field of view too small to find: it read "this field: counting…" for as long as the lamp was off, or
                  the last field's figures at 0), nor while the camera is let go (paused) or gives no picture */}
              {/* the figures' place is kept while they are not shown (dark, no smear), and on a phone held upright it is two
                  lines high, as is the status line's: the bar changed height as the figures came and went or wrapped
                  ("this field: …" one line, "live-0001.jpg: …" two) and as the status did ("Moving: …" two lines,
                  "Captured: …" one), and the picture above it moved up and down by half a line each time */}
              <span className="live-field-slot">
                {fieldShown && (
                  <span className="live-field-count" data-testid="live-field-count">
                    {/* while the slide moves the figures are the last still view's, as the faded boxes are (and an earlier
                        view's until the still view's first preview): say so */}
                    {saved && savedAs
                      ? savedFieldWords(savedAs, saved.counts, saved.counted, locale)
                      : counted
                        ? fieldCountWords(stale, { RBC: count('RBC'), WBC: count('WBC'), Platelets: count('Platelets') }, locale)
                        : 'this field: counting…'}
                  </span>
                )}
              </span>
              {/* captured, yet not in the counts: without this line the bar reads "2 live fields" over one field's cells;
                  and counted with a flag worth a look (a small field of view: move the phone closer now) */}
              <span aria-live="polite">
                {leftOut.length > 0 && (
                  <span className="live-left-out" data-testid="live-left-out">
                    {leftOutWords(leftOut)}
                  </span>
                )}
                {flagged.length > 0 && (
                  <span className="live-flagged" data-testid="live-flagged">
                    {flaggedWords(flagged)}
                  </span>
                )}
              </span>
            </p>
            {/* until dismissed on this device or a field is captured (the technician knows how it works); or asked for (?) */}
            {((!howtoSeen && !captured) || howtoAsked) && !reached && phase === 'running' && (
              <p className={`live-howto${howtoAsked ? ' asked' : ''}`} data-testid="live-howto" id="live-howto">
                Hold the phone to the eyepiece and focus. Move the slide to a field and let go: each still, sharp field is captured once, automatically.{' '}
                <button
                  className="live-howto-ok"
                  data-testid="live-howto-ok"
                  onClick={() => camera.dismissHowto()}
                >
                  Got it
                </button>
              </p>
            )}
            {awake === false && phase === 'running' && (
              // no wake lock (an older browser): the phone's screen timeout will end live mode between fields
              <p className="live-awake" data-testid="live-awake">
                This browser cannot keep the screen on: set a longer screen timeout in the phone's settings, or live mode stops when the screen turns off.
              </p>
            )}
            {/* the status as it is, frame by frame, for the eye; a screen reader is told it once it holds */}
            <p className={`live-said${reached ? ' reached' : ''}`} data-testid="live-status">
              {status}
            </p>
            <p className="sr-only" role="status" data-testid="live-said">
              {said}
            </p>
          </>
        )}
        {/* the buttons keep together at the bar's end: Stop had wrapped alone to the left of a row of its own, under the
            help control, on a phone held upright */}
        <div className="live-actions">
          {reached && phase !== 'error' && (
            // what the status line asks for next, one tap away: on a phone the Gallery button is behind More
            <button
              className="live-gallery"
              data-testid="live-gallery"
              onClick={() => {
                camera.stop();
                gallery.getState().setOpen(true);
              }}
            >
              Stop and verify
            </button>
          )}
          {state === 'removed' && phase === 'running' && !reached && (
            <button className="live-again" data-testid="live-again" onClick={() => camera.captureAgain()}>
              Capture again
            </button>
          )}
          {cameras > 1 && phase !== 'error' && (
            // a phone's other lenses, a microscope's USB camera beside a laptop's own: the run goes on with the next
            <button className="live-switch" data-testid="live-switch" disabled={phase !== 'running'} onClick={() => void camera.switchCamera()} aria-label="Switch camera">
              Switch<span className="live-switch-word"> camera</span>
            </button>
          )}
          {phase !== 'error' && (
            // the how-to again, once dismissed: what live mode does and how to hold the phone
            <button className="live-help" data-testid="live-help" aria-label="How live mode works" title="How live mode works" aria-expanded={howtoAsked} onClick={() => live.getState().set({ howtoAsked: !howtoAsked })}>
              ?
            </button>
          )}
          <button className="live-stop" data-testid="live-stop" data-autofocus onClick={() => camera.stop()}>
            {phase === 'error' ? 'Close' : 'Stop'}
          </button>
        </div>
      </div>
    </div>
  );
}
