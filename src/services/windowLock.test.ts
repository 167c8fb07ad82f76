import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLAIM_KEY, GRACE_MS, LOCK_NAME, STEAL_AFTER_MS, WindowLock, type Channel } from './windowLock';

/** One browser's lock manager as the Web Locks spec has it, for one lock name: exclusive, queued in order,
 * ifAvailable answered at once, steal releasing the holder (whose request rejects with AbortError), a signal
 * aborting a queued request, and a closed window's locks and requests dropped. */
class Browser {
  private held: Req | null = null;
  private queue: Req[] = [];
  private channels = new Set<{ win: number; ch: Channel }>();

  locksFor(win: number): Pick<LockManager, 'request'> {
    return {
      request: ((name: string, opts: LockOptions, cb: LockGrantedCallback<unknown>) => {
        expect(name).toBe(LOCK_NAME);
        return new Promise<unknown>((resolve, reject) => {
          const req: Req = { win, cb, resolve, reject };
          if (opts.steal) {
            this.held?.reject(new DOMException('stolen', 'AbortError'));
            this.held = null;
            return this.grant(req);
          }
          if (opts.ifAvailable && (this.held || this.queue.length)) return resolve(cb(null));
          if (!this.held && !this.queue.length) return this.grant(req);
          this.queue.push(req);
          opts.signal?.addEventListener('abort', () => {
            this.queue = this.queue.filter((q) => q !== req);
            reject(new DOMException('aborted', 'AbortError'));
          });
        });
      }) as LockManager['request'],
    };
  }

  channelFor(win: number): Channel {
    const ch: Channel = {
      onmessage: null,
      postMessage: (m) => {
        for (const o of this.channels) if (o.ch !== ch) queueMicrotask(() => o.ch.onmessage?.({ data: m }));
      },
    };
    this.channels.add({ win, ch });
    return ch;
  }

  /** The window's page stops running (its scripts and channel go) while the browser still holds its lock. */
  unload(win: number) {
    for (const o of this.channels) if (o.win === win) this.channels.delete(o);
  }

  /** The window's page goes: its lock is released, its requests and channel go with it. */
  close(win: number) {
    this.queue = this.queue.filter((q) => q.win !== win);
    for (const o of this.channels) if (o.win === win) this.channels.delete(o);
    if (this.held?.win === win) {
      this.held = null;
      this.next();
    }
  }

  holder() {
    return this.held?.win ?? null;
  }

  private grant(req: Req) {
    this.held = req;
    Promise.resolve(req.cb({ name: LOCK_NAME, mode: 'exclusive' } as Lock)).then((v) => {
      if (this.held !== req) return; // stolen, or its window closed
      this.held = null;
      req.resolve(v);
      this.next();
    });
  }

  private next() {
    const r = this.queue.shift();
    if (r) this.grant(r);
  }
}
type Req = { win: number; cb: LockGrantedCallback<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };

function tabSession() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

let browser: Browser;
let events: string[];
let wins = 0;

function open(opts: { session?: ReturnType<typeof tabSession>; reloaded?: boolean; deaf?: boolean; handOverMs?: number } = {}) {
  const win = ++wins;
  const session = opts.session ?? tabSession();
  const reload = vi.fn();
  const lock = new WindowLock({
    locks: browser.locksFor(win),
    channel: opts.deaf ? null : browser.channelFor(win),
    session,
    reloaded: opts.reloaded ?? false,
    handOver: async () => {
      events.push(`${win}: saving`);
      await new Promise((r) => setTimeout(r, opts.handOverMs ?? 50));
      events.push(`${win}: saved`);
    },
    halt: () => events.push(`${win}: halted`),
    reload,
  });
  let owned = false;
  void lock.owned.then(() => {
    owned = true;
    events.push(`${win}: owner`);
  });
  lock.start();
  return { win, lock, session, reload, owned: () => owned };
}

/** A window that owns the batch (opened with `opts`) and a second one waiting for it. */
async function ownerAndWaiting(opts: Parameters<typeof open>[0] = {}) {
  const a = open(opts);
  await vi.advanceTimersByTimeAsync(0);
  const b = open();
  await vi.advanceTimersByTimeAsync(0);
  return [a, b] as const;
}

beforeEach(() => {
  vi.useFakeTimers();
  browser = new Browser();
  events = [];
});
afterEach(() => vi.useRealTimers());

describe('WindowLock: one window of the app works on the batch', () => {
  it('the first window owns the batch; a second one waits, says so, and starts nothing', async () => {
    const a = open();
    await vi.advanceTimersByTimeAsync(0);
    const b = open();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(a.lock.role).toBe('owner');
    expect(a.owned()).toBe(true);
    expect(b.lock.role).toBe('elsewhere');
    expect(b.owned()).toBe(false);
    expect(browser.holder()).toBe(a.win);
  });

  it('taking the batch over: the owner saves its work before it lets go, then is read-only; the asking window owns it after', async () => {
    const [a, b] = await ownerAndWaiting({ handOverMs: 1000 });
    b.lock.takeOver();
    expect(b.lock.role).toBe('claiming');
    await vi.advanceTimersByTimeAsync(10);
    expect(a.lock.role).toBe('handing');
    expect(browser.holder()).toBe(a.win);
    await vi.advanceTimersByTimeAsync(2000);
    expect(events).toEqual([`${a.win}: owner`, `${a.win}: saving`, `${a.win}: saved`, `${b.win}: owner`]);
    expect(a.lock.role).toBe('taken');
    expect(b.lock.role).toBe('owner');
    expect(browser.holder()).toBe(b.win);
    // the read-only window is not queued: closing the new owner leaves the batch free, not handed back unasked
    expect(a.session.getItem(CLAIM_KEY)).toBeNull();
    expect(b.session.getItem(CLAIM_KEY)).toBe('1');
    browser.close(b.win);
    await vi.advanceTimersByTimeAsync(GRACE_MS + 100);
    expect(a.lock.role).toBe('taken');
    expect(browser.holder()).toBeNull();
  });

  it('an owner that does not answer (a frozen tab, an older version) has the lock taken after STEAL_AFTER_MS and stops writing', async () => {
    const [a, b] = await ownerAndWaiting({ deaf: true });
    b.lock.takeOver();
    await vi.advanceTimersByTimeAsync(STEAL_AFTER_MS - 100);
    expect(b.lock.role).toBe('claiming');
    await vi.advanceTimersByTimeAsync(200);
    expect(b.lock.role).toBe('owner');
    expect(a.lock.role).toBe('taken');
    expect(events).toEqual([`${a.win}: owner`, `${a.win}: halted`, `${b.win}: owner`]);
  });

  it('an owner whose save takes longer than STEAL_AFTER_MS (a drop still being read) is waited for: the lock is not taken from it', async () => {
    const [a, b] = await ownerAndWaiting({ handOverMs: 3 * STEAL_AFTER_MS });
    b.lock.takeOver();
    await vi.advanceTimersByTimeAsync(2 * STEAL_AFTER_MS);
    expect(a.lock.role).toBe('handing');
    expect(b.lock.role).toBe('claiming');
    expect(browser.holder()).toBe(a.win);
    await vi.advanceTimersByTimeAsync(2 * STEAL_AFTER_MS);
    expect(events).toEqual([`${a.win}: owner`, `${a.win}: saving`, `${a.win}: saved`, `${b.win}: owner`]);
    expect(b.lock.role).toBe('owner');
  });

  it('the owner closes: a waiting window gets the batch once the grace for a reload has passed', async () => {
    const [a, b] = await ownerAndWaiting();
    browser.close(a.win);
    await vi.advanceTimersByTimeAsync(GRACE_MS - 100);
    expect(b.lock.role).toBe('elsewhere');
    expect(b.owned()).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(b.lock.role).toBe('owner');
    expect(b.owned()).toBe(true);
  });

  it('the owner reloads: it gets its batch back, and the waiting window, which started nothing, goes on waiting', async () => {
    const tab = tabSession();
    const [a, b] = await ownerAndWaiting({ session: tab });
    browser.close(a.win);
    await vi.advanceTimersByTimeAsync(300); // the page loads again
    const again = open({ session: tab, reloaded: true });
    await vi.advanceTimersByTimeAsync(GRACE_MS + STEAL_AFTER_MS);
    expect(again.lock.role).toBe('owner');
    expect(b.lock.role).toBe('elsewhere');
    expect(b.owned()).toBe(false);
    expect(events).toEqual([`${a.win}: owner`, `${again.win}: owner`]);
    // and b still takes it when that one closes
    browser.close(again.win);
    await vi.advanceTimersByTimeAsync(GRACE_MS + 100);
    expect(b.lock.role).toBe('owner');
  });

  it('the reloaded owner runs before the browser frees its old page\'s lock: its claim, said again, still reaches the waiting window, which goes on waiting', async () => {
    const tab = tabSession();
    const [a, b] = await ownerAndWaiting({ session: tab });
    browser.unload(a.win);
    const again = open({ session: tab, reloaded: true });
    await vi.advanceTimersByTimeAsync(300); // its first claim went out; nobody had the lock to give back
    expect(again.lock.role).toBe('claiming');
    browser.close(a.win); // now the old page's lock is free: b, queued first, gets it
    await vi.advanceTimersByTimeAsync(GRACE_MS + STEAL_AFTER_MS);
    expect(again.lock.role).toBe('owner');
    expect(b.lock.role).toBe('elsewhere');
    expect(events).toEqual([`${a.win}: owner`, `${again.win}: owner`]);
  });

  it('a reload that takes most of the grace still gets its batch back', async () => {
    const tab = tabSession();
    const [a, b] = await ownerAndWaiting({ session: tab });
    browser.close(a.win);
    await vi.advanceTimersByTimeAsync(GRACE_MS - 500);
    const again = open({ session: tab, reloaded: true });
    await vi.advanceTimersByTimeAsync(GRACE_MS + STEAL_AFTER_MS);
    expect(again.lock.role).toBe('owner');
    expect(b.lock.role).toBe('elsewhere');
    expect(GRACE_MS).toBeGreaterThanOrEqual(3000);
  });

  it('"Use it in this window" while the waiting window sits in the grace ends it at once: the window works now', async () => {
    const [a, b] = await ownerAndWaiting();
    browser.close(a.win);
    await vi.advanceTimersByTimeAsync(100);
    expect(b.lock.role).toBe('elsewhere');
    b.lock.takeOver();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.lock.role).toBe('owner');
    expect(b.owned()).toBe(true);
  });

  it('a new tab that was not reloaded does not claim the batch, even with the tab flag (a duplicated tab copies it)', async () => {
    const tab = tabSession();
    open({ session: tab });
    await vi.advanceTimersByTimeAsync(0);
    const dup = open({ session: tab, reloaded: false });
    await vi.advanceTimersByTimeAsync(GRACE_MS + STEAL_AFTER_MS);
    expect(dup.lock.role).toBe('elsewhere');
  });

  it('a read-only window that asks for the batch again reloads to claim it (what it shows may be older than the saved batch)', async () => {
    const [a, b] = await ownerAndWaiting();
    b.lock.takeOver();
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.lock.role).toBe('taken');
    a.lock.takeOver();
    expect(a.reload).toHaveBeenCalledOnce();
    expect(a.session.getItem(CLAIM_KEY)).toBe('1');
  });

  it('without Web Locks each window works as before', async () => {
    const lock = new WindowLock({ locks: undefined, channel: null, session: null, reloaded: false, handOver: async () => undefined, halt: () => undefined, reload: () => undefined });
    lock.start();
    expect(lock.role).toBe('solo');
    await expect(lock.owned).resolves.toBeUndefined();
  });
});
