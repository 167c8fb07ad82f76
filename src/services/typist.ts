/**
 * The typing worker: a second worker that holds only the WBC classifier, on one WASM thread. The detector
 * worker runs one thing at a time, so WBC typing there waited for, and delayed, the next detection: in a
 * 30-image batch on two cores its 0.2-0.3 s were most of what the batch took beyond its inferences (README,
 * issue 24). Once this worker is ready the page types there; until then, and if it ever fails, the detector
 * worker types as before. It is started after the detector is ready, in idle time, and only where it can
 * help: the detector on one WASM thread (with two, the inference already has both cores) and at least two
 * cores.
 */
import type { Classify } from './wbcTyping';

export type TypistState = 'off' | 'starting' | 'ready' | 'failed';

export interface Typist {
  /** The typing worker's client once it is ready, else null (type in the detector worker). */
  client(): Classify | null;
  state(): TypistState;
  /** Starts it (once); `make` resolves with a ready client. */
  start(): void;
  /** It failed on a request: the detector worker types from now on. */
  failed(): void;
  stop(): void;
}

export function createTypist(make: () => Promise<Classify & { terminate(): void }>): Typist {
  let state: TypistState = 'off';
  let ready: (Classify & { terminate(): void }) | null = null;
  return {
    client: () => (state === 'ready' ? ready : null),
    state: () => state,
    start() {
      if (state !== 'off') return;
      state = 'starting';
      make().then(
        (c) => {
          if (state !== 'starting') return c.terminate(); // stopped meanwhile
          ready = c;
          state = 'ready';
        },
        () => {
          if (state === 'starting') state = 'failed';
        },
      );
    },
    failed() {
      ready?.terminate();
      ready = null;
      state = 'failed';
    },
    stop() {
      ready?.terminate();
      ready = null;
      if (state !== 'failed') state = 'off';
    },
  };
}
