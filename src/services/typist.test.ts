import { describe, expect, it } from 'vitest';
import { createTypist } from './typist';

const client = (name: string, log: string[]) => ({
  classify: async (_c: Float32Array, n: number) => ({ logits: new Float32Array(n), classes: 1, ms: 0, name }),
  terminate: () => void log.push(`${name} terminated`),
});

describe('createTypist', () => {
  it('has no client until its worker is ready; starts once', async () => {
    const log: string[] = [];
    let made = 0;
    let resolve!: (c: ReturnType<typeof client>) => void;
    const t = createTypist(() => {
      made++;
      return new Promise((r) => (resolve = r));
    });
    expect(t.state()).toBe('off');
    expect(t.client()).toBeNull();
    t.start();
    t.start();
    expect(made).toBe(1);
    expect(t.state()).toBe('starting');
    expect(t.client()).toBeNull();
    const c = client('typing', log);
    resolve(c);
    await Promise.resolve();
    expect(t.state()).toBe('ready');
    expect(t.client()).toBe(c);
    // a failure on a request: the detector worker types from then on
    t.failed();
    expect(t.client()).toBeNull();
    expect(t.state()).toBe('failed');
    expect(log).toEqual(['typing terminated']);
    t.start();
    expect(made).toBe(1);
  });

  it('a worker that cannot start leaves typing where it was; one ready after stop() is terminated', async () => {
    const bad = createTypist(() => Promise.reject(new Error('no WebAssembly')));
    bad.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(bad.state()).toBe('failed');
    expect(bad.client()).toBeNull();
    const log: string[] = [];
    let resolve!: (c: ReturnType<typeof client>) => void;
    const late = createTypist(() => new Promise((r) => (resolve = r)));
    late.start();
    late.stop();
    resolve(client('late', log));
    await Promise.resolve();
    expect(late.client()).toBeNull();
    expect(log).toEqual(['late terminated']);
  });
});
