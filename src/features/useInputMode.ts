import { useSyncExternalStore } from 'react';

/** Touch or keyboard-and-mouse: hints name taps or keys to match how the technician is working. One
 * module-wide value so every hint on screen agrees; the last pointer or key event decides it. */
export type InputMode = 'touch' | 'keys';

// Keys are assumed only where a mouse or trackpad is the main pointer (it hovers and is fine); a
// tablet or phone starts with touch hints, and its first real key press (a keyboard attached) switches.
let mode: InputMode = typeof matchMedia === 'function' && !matchMedia('(hover: hover) and (pointer: fine)').matches ? 'touch' : 'keys';
// What the hints on screen say. Re-worded hints re-flow the page (the drop zone's line, the review bar's hint,
// "Reviewed (R)"), so the page follows `mode` only once a press is over: re-worded at the press, they moved the
// pressed control from under the pointer before its click, and the click landed on what took its place (a
// mouse on a phone-sized touch page: at 320 px More went 52 px up and its first click opened nothing; a tap
// after keys the same way). An action's answer (inputMode) names what the press was at once.
let shown: InputMode = mode;
/** A press with no click of its own (a drag, a pinch, a long press): the hints follow it this long after. */
export const SETTLE_MS = 500;
let settle: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();
const show = () => {
  clearTimeout(settle);
  settle = undefined;
  if (shown === mode) return;
  shown = mode;
  for (const l of listeners) l();
};
const showSoon = (ms: number) => {
  clearTimeout(settle);
  settle = setTimeout(show, ms);
};

const events: [string, (e: Event) => void][] = [
  ['pointerdown', (e) => onPointer(e as PointerEvent)],
  // the click (a tap's comes after its pointerup) is dispatched whole before the hints change
  ['click', () => shown !== mode && showSoon(0)],
  ['pointerup', () => shown !== mode && showSoon(SETTLE_MS)],
  ['pointercancel', () => shown !== mode && showSoon(SETTLE_MS)],
  ['keydown', (e) => onKey(e as KeyboardEvent)],
];

function subscribe(l: () => void) {
  if (!listeners.size) for (const [type, f] of events) window.addEventListener(type, f, true);
  listeners.add(l);
  return () => {
    listeners.delete(l);
    if (!listeners.size) for (const [type, f] of events) window.removeEventListener(type, f, true);
  };
}
const onPointer = (e: PointerEvent) => {
  mode = e.pointerType === 'touch' || e.pointerType === 'pen' ? 'touch' : 'keys';
  // a press in progress: nothing re-words until it is over
  clearTimeout(settle);
  settle = undefined;
};
// Modifier-only presses come from shortcuts of the OS or browser, not from someone working with keys. A key
// moves no control from under a pointer: the hints follow at once.
const onKey = (e: KeyboardEvent) => {
  if (['Shift', 'Control', 'Alt', 'Meta'].includes(e.key)) return;
  mode = 'keys';
  show();
};

/** The input mode the hints on screen name: it follows the technician's once a press is over. */
export const useInputMode = (): InputMode => useSyncExternalStore(subscribe, () => shown);

/** The same, read outside React (subscribe: the hints' own listeners; snapshot: what they show), for tests. */
export const inputModeStore = { subscribe, snapshot: () => shown };

/** How the technician is working now, read once outside React: an answer an action gives (actions.ts) names
 * taps or keys as the press that asked for it was, before the hints on screen follow. */
export const inputMode = (): InputMode => mode;
