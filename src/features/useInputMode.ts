import { useSyncExternalStore } from 'react';

/** Touch or keyboard-and-mouse: hints name taps or keys to match how the technician is working. One
 * module-wide value so every hint on screen agrees; the last pointer or key event decides it. */
export type InputMode = 'touch' | 'keys';

// Keys are assumed only where a mouse or trackpad is the main pointer (it hovers and is fine); a
// tablet or phone starts with touch hints, and its first real key press (a keyboard attached) switches.
let mode: InputMode = typeof matchMedia === 'function' && !matchMedia('(hover: hover) and (pointer: fine)').matches ? 'touch' : 'keys';
const listeners = new Set<() => void>();
const set = (m: InputMode) => {
  if (m === mode) return;
  mode = m;
  for (const l of listeners) l();
};

function subscribe(l: () => void) {
  if (!listeners.size) {
    window.addEventListener('pointerdown', onPointer, true);
    window.addEventListener('keydown', onKey, true);
  }
  listeners.add(l);
  return () => {
    listeners.delete(l);
    if (!listeners.size) {
      window.removeEventListener('pointerdown', onPointer, true);
      window.removeEventListener('keydown', onKey, true);
    }
  };
}
const onPointer = (e: PointerEvent) => set(e.pointerType === 'touch' || e.pointerType === 'pen' ? 'touch' : 'keys');
// Modifier-only presses come from shortcuts of the OS or browser, not from someone working with keys.
const onKey = (e: KeyboardEvent) => !['Shift', 'Control', 'Alt', 'Meta'].includes(e.key) && set('keys');

export const useInputMode = (): InputMode => useSyncExternalStore(subscribe, () => mode);

/** The same, read once outside React: an answer an action gives (actions.ts) names taps or keys as the hints do. */
export const inputMode = (): InputMode => mode;
