import { describe, expect, it } from 'vitest';
import { engineName, engineTip } from './engineWords';

const model = { status: 'ready' as const, loaded: 0, total: 0 };

describe('engineWords', () => {
  it('names the engine, with its threads where more than one', () => {
    expect(engineName({ ...model, backend: 'wasm', threads: 1 })).toBe('WASM (single thread)');
    expect(engineName({ ...model, backend: 'wasm-threads', threads: 4 })).toBe('WASM (multi-thread) · 4 threads');
    expect(engineName({ ...model, backend: 'webgpu' })).toBe('WebGPU');
    expect(engineName(model)).toBe('');
  });

  it("says the worker's note once, with one full stop (its notes end in one: the title read 'WASM.. The engine')", () => {
    expect(engineTip({ ...model, backend: 'wasm', note: 'WebGPU is not available in this browser; using WASM.' })).toBe('WebGPU is not available in this browser; using WASM. The engine can be chosen in Settings.');
    expect(engineTip({ ...model, backend: 'wasm', note: 'WASM 120 ms vs WebGPU 900 ms per image' })).toBe('WASM 120 ms vs WebGPU 900 ms per image. The engine can be chosen in Settings.');
    expect(engineTip({ ...model, backend: 'wasm' })).toBe('The engine can be chosen in Settings.');
  });
});
