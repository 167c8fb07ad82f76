/**
 * One window owns the batch. Every window of the app saves the batch as *the* batch of this browser, so with
 * two windows working, the one that saved last replaced the other's work (2 images counted in one window, 1
 * in another: after a reload, 1). A Web Lock (navigator.locks, held for the page's life and released by the
 * browser when the page goes, crashed or closed) now decides which window works on it:
 *
 * - the first window takes the lock and starts its session; a later one waits for it, and says so;
 * - "Use it in this window" asks the owner (BroadcastChannel) to save its work and let go: the owner saves,
 *   stops saving, becomes read-only and says so, then releases; the lock passes to the asking window, which
 *   restores the batch as saved. An owner that does not answer (a frozen tab, a version without this file)
 *   has the lock taken from it after STEAL_AFTER_MS, and stops saving as soon as the browser tells it;
 * - when the owner closes, a waiting window gets the lock. It waits GRACE_MS before it starts, because a
 *   reload of the owner also releases the lock: the reloaded owner (sessionStorage, this tab's) claims it
 *   back at once, and a waiting window that has started nothing simply lets go. The reloaded page's claim
 *   may go out before the waiting window has the lock (the browser frees the old page's lock a little after
 *   the new page runs), so a claiming window says it again each CLAIM_BEAT_MS until it holds the lock.
 * - a window that lost the batch stays read-only (what it shows was saved for the other window, and may
 *   be older than what the other now holds): to work there again it reloads and claims the batch at start.
 *
 * Without Web Locks (an old browser) each window works as before and says so when it sees another.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';

export const LOCK_NAME = 'smearcount-batch';
export const CHANNEL_NAME = 'smearcount-batch-owner';
/** sessionStorage key: set while this tab owns the batch (or asked for it before its reload). */
export const CLAIM_KEY = 'smearcount-owns-batch';
/** How long a waiting window that was given the lock unasked waits for the owner's reload to claim it back.
 * Long enough for a reload on a loaded two-core machine (1.5 s was not: the CI's run of 2026-12-07 saw the
 * waiting window start and then lose the batch to the reloaded owner); a window the technician asks to work
 * in ("Use it in this window") ends its grace at once. */
export const GRACE_MS = 4000;
/** How often a claiming window says its claim again (see above). */
export const CLAIM_BEAT_MS = 1000;
/** How long an owner has to save its work and let go before the lock is taken from it. */
export const STEAL_AFTER_MS = 5000;

/**
 * - starting: the lock is being asked for;
 * - owner: this window works on the batch;
 * - solo: no Web Locks in this browser: this window works on it, as every window did before;
 * - elsewhere: another window owns it; this one has started nothing and takes the batch when it is free;
 * - claiming: this window asked the owner to hand the batch over;
 * - handing: this window, the owner, is saving its work for the window that asked;
 * - taken: another window took the batch: this one is read-only.
 */
export type WindowRole = 'starting' | 'owner' | 'solo' | 'elsewhere' | 'claiming' | 'handing' | 'taken';

/** Whether a window in this role may change the batch. */
export const mayEdit = (r: WindowRole) => r === 'owner' || r === 'solo';

/** claim: a window asks for the batch; handing: the owner is still saving for it (sent each HANDING_BEAT_MS:
 * a long save, a drop still being read, is not taken for a frozen owner). */
type Message = { type: 'claim' | 'handing'; from: string };
export const HANDING_BEAT_MS = 1000;

export interface Channel {
  postMessage(m: Message): void;
  onmessage: ((e: { data: unknown }) => void) | null;
}

export interface WindowLockDeps {
  /** navigator.locks; undefined where the browser has none. */
  locks: Pick<LockManager, 'request'> | undefined;
  channel: Channel | null;
  /** This tab's sessionStorage (survives its reloads, not another tab's). */
  session: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Whether this page was opened by a reload (performance's navigation entry). */
  reloaded: boolean;
  /** Saves what this window holds and stops every writer: the owner gives the batch to another window. It
   * may take a while (a drop being read is finished first): the asking window waits while it runs. */
  handOver(): Promise<void>;
  /** Stops every writer at once, with no write: the lock was taken (this window did not answer in time). */
  halt(): void;
  reload(): void;
  setTimeout?: (f: () => void, ms: number) => unknown;
  clearTimeout?: (t: unknown) => void;
}

export class WindowLock {
  readonly state: StoreApi<{ role: WindowRole }> = createStore(() => ({ role: 'starting' as WindowRole }));
  private readonly id = Math.random().toString(36).slice(2);
  /** Resolves the held lock's promise: the browser then gives it to the next window. */
  private letGo?: () => void;
  /** Resolved when this window owns the batch (startSession waits on it). */
  private ownedResolve!: () => void;
  readonly owned: Promise<void> = new Promise((r) => (this.ownedResolve = r));
  /** The queued request's abort (a steal replaces it). */
  private waiting?: AbortController;
  private stealTimer?: unknown;
  /** A waiting window given the lock unasked: set while it waits GRACE_MS for a reloaded owner's claim.
   * true: a claim came (it lets go); false: this window was asked to work (it keeps the lock). */
  private inGrace?: (claimed: boolean) => void;
  private readonly setTimer: (f: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private deps: WindowLockDeps) {
    this.setTimer = deps.setTimeout ?? ((f, ms) => setTimeout(f, ms));
    this.clearTimer = deps.clearTimeout ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  get role(): WindowRole {
    return this.state.getState().role;
  }

  private set(role: WindowRole) {
    this.state.setState({ role });
  }

  /** Asks for the batch. `owned` resolves once this window has it (at once, in a browser without locks). */
  start() {
    const { locks, channel } = this.deps;
    if (!locks) {
      this.set('solo');
      this.ownedResolve();
      return;
    }
    if (channel) channel.onmessage = (e) => this.onMessage(e.data);
    const claim = this.deps.reloaded && this.deps.session?.getItem(CLAIM_KEY) === '1';
    let held = false;
    locks
      .request(LOCK_NAME, { ifAvailable: true }, (lock) => {
        if (lock) return (held = true), this.hold(false);
        this.set('elsewhere');
        this.queue();
        // this tab owned the batch before its reload (or asked for it before a reload): it takes it back
        if (claim) this.takeOver();
        return undefined;
      })
      .catch((e: unknown) => this.lost(held, e));
  }

  /** "Use it in this window": asks the owner to save its work and let go; takes the lock if it does not. */
  takeOver() {
    if (this.role === 'taken') {
      // what this window shows is older than the batch as the other window saved it: a fresh page claims it
      this.deps.session?.setItem(CLAIM_KEY, '1');
      this.deps.reload();
      return;
    }
    if (this.role !== 'elsewhere') return;
    if (this.inGrace) {
      // the lock is already this window's, waiting only for a reload that would claim it: it is wanted here
      this.set('claiming');
      return this.inGrace(false);
    }
    this.set('claiming');
    const say = () => {
      if (this.role !== 'claiming' || this.letGo) return;
      this.deps.channel?.postMessage({ type: 'claim', from: this.id });
      this.setTimer(say, CLAIM_BEAT_MS);
    };
    say();
    this.armSteal();
  }

  /** Takes the lock after STEAL_AFTER_MS without a word from the owner. */
  private armSteal() {
    if (this.stealTimer !== undefined) this.clearTimer(this.stealTimer);
    this.stealTimer = this.setTimer(() => {
      this.stealTimer = undefined;
      if (this.role !== 'claiming') return;
      this.waiting?.abort();
      let held = false;
      this.deps.locks!.request(LOCK_NAME, { steal: true }, () => ((held = true), this.hold(true))).catch((e: unknown) => this.lost(held, e));
    }, STEAL_AFTER_MS);
  }

  private queue() {
    this.waiting = new AbortController();
    let held = false;
    this.deps.locks!.request(LOCK_NAME, { signal: this.waiting.signal }, () => ((held = true), this.hold(this.role === 'claiming'))).catch((e: unknown) => this.lost(held, e));
  }

  /** The lock is this window's: held until letGo. `asked`: this window asked for it (no grace). */
  private async hold(asked: boolean): Promise<void> {
    const released = new Promise<void>((r) => (this.letGo = r));
    this.waiting = undefined;
    if (this.stealTimer !== undefined) this.clearTimer(this.stealTimer);
    this.stealTimer = undefined;
    if (!asked && this.role === 'elsewhere') {
      // the owner closed, or is reloading: a reloaded owner claims the batch back within the grace
      const claimed = await new Promise<boolean>((resolve) => {
        const t = this.setTimer(() => {
          this.inGrace = undefined;
          resolve(false);
        }, GRACE_MS);
        this.inGrace = (claimed) => {
          this.clearTimer(t);
          this.inGrace = undefined;
          resolve(claimed);
        };
      });
      if (claimed) {
        this.letGo?.();
        this.letGo = undefined;
        this.queue();
        return released;
      }
    }
    this.set('owner');
    this.deps.session?.setItem(CLAIM_KEY, '1');
    this.ownedResolve();
    return released;
  }

  private onMessage(data: unknown) {
    const m = data as Message | null;
    if (!m || m.from === this.id) return;
    if (m.type === 'handing') {
      if (this.role === 'claiming' && this.stealTimer !== undefined) this.armSteal();
      return;
    }
    if (m.type !== 'claim') return;
    if (this.inGrace) return this.inGrace(true);
    if (this.role !== 'owner') return;
    this.set('handing');
    this.deps.session?.removeItem(CLAIM_KEY);
    const beat = () => {
      if (this.role !== 'handing') return;
      this.deps.channel?.postMessage({ type: 'handing', from: this.id });
      this.setTimer(beat, HANDING_BEAT_MS);
    };
    beat();
    void this.deps
      .handOver()
      .catch(() => this.deps.halt())
      .then(() => {
        this.set('taken');
        this.letGo?.();
        this.letGo = undefined;
      });
  }

  /** A request of this window's ended in an error. `held`: it had been granted, so another window stole the
   * lock: this one's writers stop at once. A queued request aborted (a steal replaced it) is nothing. */
  private lost(held: boolean, e: unknown) {
    if (held) {
      if (this.role !== 'owner' && this.role !== 'handing') return; // let go in a grace, or handed over already
      this.deps.halt();
      this.deps.session?.removeItem(CLAIM_KEY);
      this.set('taken');
    } else if ((e as { name?: string } | null)?.name !== 'AbortError') {
      // the lock manager refused (an opaque origin): work as before rather than never start
      this.set('solo');
      this.ownedResolve();
    }
  }
}

/** The deps from the browser (services.ts). */
export function browserWindowLock(handOver: () => Promise<void>, halt: () => void): WindowLock {
  const nav = globalThis.navigator as Navigator | undefined;
  const nav0 = (globalThis.performance?.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined)?.type;
  let session: Storage | null = null;
  try {
    session = globalThis.sessionStorage ?? null;
  } catch {
    // storage refused: a reload then waits like any other window
  }
  return new WindowLock({
    locks: nav?.locks,
    channel: typeof BroadcastChannel === 'undefined' ? null : (new BroadcastChannel(CHANNEL_NAME) as unknown as Channel),
    session,
    reloaded: nav0 === 'reload',
    handOver,
    halt,
    reload: () => location.reload(),
  });
}
