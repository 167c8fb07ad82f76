import type { ModelSlice } from '../store/modelSlice';

const BACKEND_NAME = { webgpu: 'WebGPU', 'wasm-threads': 'WASM (multi-thread)', wasm: 'WASM (single thread)' } as const;

type Model = ModelSlice['model'];

/** The engine the detector runs on, as the status line's chip names it: "WASM (multi-thread) · 4 threads". */
export function engineName(model: Model): string {
  if (!model.backend) return '';
  return `${BACKEND_NAME[model.backend]}${model.threads && model.threads > 1 ? ` · ${model.threads} threads` : ''}`;
}

/** What the chip says more: why this engine (a fall-back, the warm-up's timings) and where to choose another. The
 * worker's notes end in a full stop already (the title read "…using WASM.. The engine…"). */
export function engineTip(model: Model): string {
  const note = model.note?.trim().replace(/\.$/, '');
  return `${note ? `${note}. ` : ''}The engine can be chosen in Settings.`;
}
