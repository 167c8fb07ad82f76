/**
 * A batch's results reach React at most once per frame (16 ms). Each image of a batch changed the store
 * four or five times (queued, running, its size, done, its save), each in a task of its own, and each change
 * was a React render and commit of everything that reads the images: on two cores that page work is time
 * the detector waits for (issue 24). Updates made inside `deferRender` still change the store at once (the
 * runner reads back what it wrote); only React's subscribers hear of them later, together. Everything else
 * (what a user types, clicks or drags) notifies at once as before: a controlled input must see its value in
 * the same event.
 *
 * A timer, not requestAnimationFrame: waiting for the frame requested one for every deferred update, even
 * one that changed nothing on screen (an image's size), and in the batch trace the page then painted 121
 * frames instead of 81, which cost more than the renders saved; the timer kept 85. It also runs in a
 * hidden tab, where animation frames do not.
 */
import type { StoreApi } from 'zustand';

let deferring = 0;
const pending = new Set<() => void>();
const FRAME_MS = 16;
let timer: ReturnType<typeof setTimeout> | undefined;

/** Runs `fn`; React's subscribers hear of the store updates it makes within a frame, with any others made meanwhile. */
export function deferRender<T>(fn: () => T): T {
  deferring++;
  try {
    return fn();
  } finally {
    deferring--;
  }
}

function flush() {
  timer = undefined;
  const due = [...pending];
  pending.clear();
  for (const l of due) l();
}

function schedule(listener: () => void) {
  pending.add(listener);
  if (timer === undefined) timer = setTimeout(flush, FRAME_MS);
}

const framed = new WeakMap<object, StoreApi<unknown>>();

/** The store as React should subscribe to it: notified at once, or within a frame for deferred updates. */
export function frameBatched<S>(api: StoreApi<S>): StoreApi<S> {
  let out = framed.get(api) as StoreApi<S> | undefined;
  if (!out) {
    out = {
      ...api,
      subscribe(listener) {
        const notify = () => listener(api.getState(), api.getState());
        const unsubscribe = api.subscribe(() => {
          if (deferring) return schedule(notify);
          pending.delete(notify);
          notify();
        });
        return () => {
          pending.delete(notify);
          unsubscribe();
        };
      },
    };
    framed.set(api, out as StoreApi<unknown>);
  }
  return out;
}
