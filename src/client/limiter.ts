// Per rate-limit-category concurrency limiter, so one busy category cannot starve the others (hand-written: ~30 lines,
// the maintained queue libraries that do this (p-queue, p-limit 7) need Node 22).

interface Lane {
  active: number;
  waiting: (() => void)[];
}

export class CategoryLimiter {
  private readonly lanes = new Map<string, Lane>();

  /** @param concurrency maximum requests in flight per category */
  constructor(private readonly concurrency = 8) {}

  async run<T>(category: string | undefined, task: () => Promise<T>): Promise<T> {
    const key = category ?? 'default';
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { active: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.active >= this.concurrency) await new Promise<void>((resolve) => lane!.waiting.push(resolve));
    lane.active++;
    try {
      return await task();
    } finally {
      lane.active--;
      lane.waiting.shift()?.();
    }
  }

  /** Requests currently running or queued in a category (for tests and diagnostics). */
  load(category: string): number {
    const lane = this.lanes.get(category);
    return lane ? lane.active + lane.waiting.length : 0;
  }
}
