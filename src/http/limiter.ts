// Per rate-limit-category concurrency limiter, so one busy category cannot starve the others (hand-written: ~50 lines,
// the maintained queue libraries that do this (p-queue, p-limit 7) need Node 22).
import { setTimeout as sleep } from 'node:timers/promises';

interface Lane {
  active: number;
  waiting: (() => void)[];
  /** Epoch ms before which no new request of this category starts (set from a 429's Retry-After). */
  pausedUntil: number;
}

export class CategoryLimiter {
  private readonly lanes = new Map<string, Lane>();

  /** @param concurrency maximum requests in flight per category */
  constructor(private readonly concurrency = 8) {}

  private lane(category: string | undefined): Lane {
    const key = category ?? 'default';
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { active: 0, waiting: [], pausedUntil: 0 };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  async run<T>(category: string | undefined, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const lane = this.lane(category);
    if (lane.active >= this.concurrency) await new Promise<void>((resolve) => lane.waiting.push(resolve));
    lane.active++;
    try {
      // A category the API asked us to slow down waits out its Retry-After; other categories are unaffected.
      const wait = lane.pausedUntil - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal });
      return await task();
    } finally {
      lane.active--;
      lane.waiting.shift()?.();
    }
  }

  /** Holds new requests of `category` for `ms` (a 429 with Retry-After). */
  pause(category: string | undefined, ms: number): void {
    const lane = this.lane(category);
    lane.pausedUntil = Math.max(lane.pausedUntil, Date.now() + ms);
  }

  /** Requests currently running or queued in a category (for tests and diagnostics). */
  load(category: string): number {
    const lane = this.lanes.get(category);
    return lane ? lane.active + lane.waiting.length : 0;
  }
}
