// Waiting on events rather than time: a generous bound for things the server does on its own, and gates the test opens.

/**
 * How long a test waits (polling every 20 ms) for something the server or a fake does on its own: a request reaching
 * the fake API, a log line, a webhook. Generous, so that a loaded machine only makes the wait longer, never fails it;
 * the wait ends as soon as the thing happens.
 */
export const EVENTUALLY = { timeout: 20_000, interval: 20 } as const;

/**
 * A per-attempt timeout for tests where it must fire: against a fake that never answers (held), so it fires whatever
 * the load; long enough that the request reaches the fake API first on a loaded machine, and that an answer that does
 * come (a retry let through) is never cut.
 */
export const ATTEMPT_CUT_MS = 2_000;

export interface Gate {
  /** Settles when the test opens the gate: give it to a fake as `hold`, so that its answer waits for the test. */
  promise: Promise<void>;
  open(): void;
}

/** A promise the test settles: an answer the fake API holds until the test has done what it wanted meanwhile. */
export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
