// Failed sign-ins per client address: each failure doubles the wait before the next attempt is even looked at.

/** Failed attempts in a row that cost nothing (typos); every one after them starts a wait. */
const FREE_FAILURES = 3;
/** The first wait, and the longest. */
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 5 * 60_000;
/** An address quiet this long starts afresh. */
const FORGET_AFTER_MS = 60 * 60_000;
/** Most addresses remembered; the one quiet longest is forgotten first (a flood of addresses cannot grow memory). */
const MAX_ADDRESSES = 10_000;

interface Failures {
  count: number;
  /** When the next attempt may be looked at (ms). */
  nextAt: number;
  lastAt: number;
}

/**
 * A growing delay per address: after the first few failures in a row (typos), each further failure makes the address
 * wait 1, 2, 4, ... seconds (at most five minutes) before any attempt is looked at, so guessing a token costs time that doubles with every guess. Kept in this process only: a visitor
 * who is not signed in stores nothing in the shared store.
 */
export class SignInThrottle {
  private readonly byAddress = new Map<string, Failures>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds this address must still wait before an attempt is looked at; 0 when it may try now. */
  waitSeconds(address: string): number {
    const entry = this.fresh(address);
    if (!entry) return 0;
    const left = entry.nextAt - this.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  /** Records a failed attempt; returns the seconds the address now waits. */
  failed(address: string): number {
    const now = this.now();
    const count = (this.fresh(address)?.count ?? 0) + 1;
    const wait = count <= FREE_FAILURES ? 0 : Math.min(FIRST_WAIT_MS * 2 ** (count - FREE_FAILURES - 1), MAX_WAIT_MS);
    this.byAddress.delete(address); // re-inserted last: the map's order is oldest activity first
    this.byAddress.set(address, { count, nextAt: now + wait, lastAt: now });
    if (this.byAddress.size > MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value!);
    return Math.ceil(wait / 1000);
  }

  succeeded(address: string): void {
    this.byAddress.delete(address);
  }

  private fresh(address: string): Failures | undefined {
    const entry = this.byAddress.get(address);
    if (entry && this.now() - entry.lastAt > FORGET_AFTER_MS) {
      this.byAddress.delete(address);
      return undefined;
    }
    return entry;
  }
}
