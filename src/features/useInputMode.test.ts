import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// A touch-first page (a phone, or a tablet with a mouse attached): matchMedia says no fine hovering pointer.
async function load() {
  vi.resetModules();
  vi.stubGlobal('window', new EventTarget());
  vi.stubGlobal('matchMedia', () => ({ matches: false }));
  const m = await import('./useInputMode');
  const changes: string[] = [];
  const stop = m.inputModeStore.subscribe(() => changes.push(m.inputModeStore.snapshot()));
  return { ...m, changes, stop };
}
const fire = (type: string, init: Record<string, unknown> = {}) => window.dispatchEvent(Object.assign(new Event(type), init));

describe('input mode: the hints follow a press once it is over', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('a mouse click on a touch page: the hints stay as they were from its press to its click, then name keys', async () => {
    const { inputModeStore, inputMode, changes, stop } = await load();
    expect(inputModeStore.snapshot()).toBe('touch');
    fire('pointerdown', { pointerType: 'mouse' });
    // re-worded here, the page re-flowed under the pointer and the click went to what took the control's place
    expect(inputModeStore.snapshot()).toBe('touch');
    expect(changes).toEqual([]);
    // an action run by this press answers in its words at once
    expect(inputMode()).toBe('keys');
    fire('pointerup', { pointerType: 'mouse' });
    fire('click');
    expect(inputModeStore.snapshot()).toBe('touch');
    await vi.advanceTimersByTimeAsync(0);
    expect(inputModeStore.snapshot()).toBe('keys');
    expect(changes).toEqual(['keys']);
    stop();
  });

  it('a tap after keys: unchanged until the tap has had its click, which comes after the finger is lifted', async () => {
    const { inputModeStore, SETTLE_MS, changes, stop } = await load();
    fire('keydown', { key: 'u' });
    // a key moves nothing from under a pointer: at once
    expect(changes).toEqual(['keys']);
    fire('pointerdown', { pointerType: 'touch' });
    fire('pointerup', { pointerType: 'touch' });
    await vi.advanceTimersByTimeAsync(SETTLE_MS / 5);
    expect(inputModeStore.snapshot()).toBe('keys');
    fire('click');
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toEqual(['keys', 'touch']);
    stop();
  });

  it('a press with no click (a drag, a pinch): the hints follow once the pointer is up and the page is still', async () => {
    const { inputModeStore, SETTLE_MS, changes, stop } = await load();
    fire('keydown', { key: 'n' });
    fire('pointerdown', { pointerType: 'touch' });
    fire('pointerdown', { pointerType: 'touch' });
    fire('pointerup', { pointerType: 'touch' });
    // the second finger still down... and pressed again: the first lift's wait starts over at the next lift
    fire('pointerdown', { pointerType: 'touch' });
    await vi.advanceTimersByTimeAsync(SETTLE_MS * 2);
    expect(inputModeStore.snapshot()).toBe('keys');
    fire('pointercancel', { pointerType: 'touch' });
    await vi.advanceTimersByTimeAsync(SETTLE_MS);
    expect(inputModeStore.snapshot()).toBe('touch');
    expect(changes).toEqual(['keys', 'touch']);
    stop();
  });

  it('modifier keys alone change nothing; a press that is the mode shown changes nothing', async () => {
    const { inputModeStore, changes, stop } = await load();
    fire('keydown', { key: 'Shift' });
    fire('pointerdown', { pointerType: 'pen' });
    fire('pointerup', { pointerType: 'pen' });
    fire('click');
    await vi.advanceTimersByTimeAsync(1000);
    expect(inputModeStore.snapshot()).toBe('touch');
    expect(changes).toEqual([]);
    stop();
  });
});
