import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { deferRender, frameBatched } from './renderBatch';

describe('frameBatched', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tells a subscriber of deferred updates once, within a frame, while the store changes at once', () => {
    const store = createStore<{ n: number }>(() => ({ n: 0 }));
    const heard: number[] = [];
    frameBatched(store).subscribe((s) => heard.push(s.n));
    for (let i = 1; i <= 3; i++) deferRender(() => store.setState({ n: i }));
    expect(store.getState().n).toBe(3);
    expect(heard).toEqual([]);
    vi.advanceTimersByTime(16);
    expect(heard).toEqual([3]);
  });

  it('tells of other updates at once, and forgets a subscriber that left', () => {
    const store = createStore<{ n: number }>(() => ({ n: 0 }));
    const heard: number[] = [];
    const api = frameBatched(store);
    expect(frameBatched(store)).toBe(api); // one subscribe function per store: React keeps its subscription
    const stop = api.subscribe((s) => heard.push(s.n));
    store.setState({ n: 1 });
    expect(heard).toEqual([1]);
    deferRender(() => store.setState({ n: 2 }));
    stop();
    vi.advanceTimersByTime(100);
    expect(heard).toEqual([1]);
  });
});
