import { describe, expect, it, vi } from 'vitest';
import { warmRuntimeCache, type RuntimeCacheOptions, type WarmState } from './runtimeCache';

const tick = () => new Promise((r) => setTimeout(r, 0));

function setup(over: Partial<RuntimeCacheOptions> = {}) {
  const states: WarmState[] = [];
  let busyCb: (() => void) | undefined;
  const client = { ready: Promise.resolve(), detect: vi.fn(async () => undefined), terminate: vi.fn() };
  const o: RuntimeCacheOptions = {
    start: vi.fn(() => client),
    size: { width: 4, height: 3 },
    whenIdle: () => Promise.resolve(),
    onBusy: (cb) => ((busyCb = cb), () => (busyCb = undefined)),
    onState: (s) => states.push(s),
    lingerMs: 0,
    field: async () => ({}) as ImageBitmap,
    ...over,
  };
  return { o, client, states, busy: () => busyCb?.() };
}

describe('warmRuntimeCache', () => {
  it('does nothing on a visit whose runtime came from the service worker', async () => {
    const { o, states } = setup();
    warmRuntimeCache(true, Promise.resolve(), o);
    await tick();
    expect(o.start).not.toHaveBeenCalled();
    expect(states).toEqual(['skipped']);
  });

  it('does nothing without a service worker', async () => {
    const { o, states } = setup();
    warmRuntimeCache(false, null, o);
    await tick();
    expect(o.start).not.toHaveBeenCalled();
    expect(states).toEqual(['skipped']);
  });

  it('waits for the service worker and for idle, runs the detector, then stops its worker', async () => {
    let ready!: () => void;
    const sw = new Promise<void>((r) => (ready = r));
    const { o, client, states } = setup({ runs: 2 });
    warmRuntimeCache(false, sw, o);
    await tick();
    expect(o.start).not.toHaveBeenCalled();
    ready();
    for (let i = 0; i < 10; i++) await tick();
    expect(client.detect).toHaveBeenCalledTimes(2);
    expect(client.terminate).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['waiting', 'running', 'done']);
  });

  it('starts no worker when the user started working before the idle callback ran', async () => {
    // the real onBusy checks at once on subscribing: a batch dropped between the idle check and the idle
    // callback calls back synchronously, before any worker exists
    const { o, states } = setup({ onBusy: (cb) => (cb(), () => undefined) });
    warmRuntimeCache(false, Promise.resolve(), o);
    for (let i = 0; i < 10; i++) await tick();
    expect(o.start).not.toHaveBeenCalled();
    expect(states).toEqual(['waiting', 'stopped']);
  });

  it('stops at once when the user starts working', async () => {
    let release!: () => void;
    const { o, client, states, busy } = setup({ runs: 3 });
    client.detect.mockImplementationOnce(() => new Promise<undefined>((r) => (release = () => r(undefined))));
    warmRuntimeCache(false, Promise.resolve(), o);
    for (let i = 0; i < 5; i++) await tick();
    expect(client.detect).toHaveBeenCalledTimes(1);
    busy();
    expect(client.terminate).toHaveBeenCalledTimes(1);
    release();
    for (let i = 0; i < 5; i++) await tick();
    expect(client.detect).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['waiting', 'running', 'stopped']);
  });

  it('a warm-up that fails only stops', async () => {
    const { o, client, states } = setup();
    client.ready = Promise.reject(new Error('no memory'));
    warmRuntimeCache(false, Promise.resolve(), o);
    for (let i = 0; i < 5; i++) await tick();
    expect(client.terminate).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toBe('stopped');
  });
});
