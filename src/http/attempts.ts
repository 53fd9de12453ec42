// The attempts of one HTTP call: each bounded by its own timeout, repeated until a 2xx or as a policy decides, with the
// waits between them cut short by the call's signal. The mechanism only; what to repeat and how long to wait is the caller's (the API
// client's rules in client.ts, a report download's in download.ts).
//
// Written by hand in place of ky, which ran these attempts before: ky builds a WHATWG Request for every call, clones it
// for its retries and links their abort signals, which on Node 20 cost about a fifth of a stateless HTTP tool call's
// server CPU (bench:http-raw against the same code with ky: 0.74x in the 2025 era, 0.78x in the 2026-07-28 era).
// Every rule that decides a repeat was already the client's own.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from './fetch.js';

/** How one attempt ended: answered (any status), or not (a network failure, its timeout, the call's signal). */
export type Outcome = { answer: Answer } | { error: unknown };

export interface AttemptPolicy {
  /** Repeats after the first attempt, at most. */
  retries: number;
  /** Limit for one attempt, from sending to the last byte of the answer. */
  timeoutMs: number;
  /** The call's deadline and cancellation, if any: it ends the attempt in flight and any wait. */
  signal?: AbortSignal;
  /**
   * The wait in ms before repeat number `retry` (1 for the first) after `outcome`, or undefined to stop and report it.
   * Asked only while repeats are left and the call's signal has not fired.
   */
  waitBefore(retry: number, outcome: Outcome): number | undefined | Promise<number | undefined>;
  /** Told just before a repeat is sent, after its wait. */
  repeating?(retry: number, outcome: Outcome, waitedMs: number): void;
}

/** What ends an attempt that its own timeout cut off (not the call's deadline). */
export class AttemptTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'AttemptTimeout';
  }
}

/**
 * Sends until an answer is a 2xx (`ok`) or the policy stops, and returns the last outcome: the 2xx, or what ended the
 * call. When the call's signal fires during a wait, the outcome is that signal's reason (`{ error }`).
 */
export async function runAttempts(send: (signal: AbortSignal) => Promise<Answer>, policy: AttemptPolicy): Promise<Outcome> {
  const { signal } = policy;
  for (let retry = 0; ; retry++) {
    const outcome = await once(send, policy);
    if ('answer' in outcome && outcome.answer.ok) return outcome;
    if (retry >= policy.retries || signal?.aborted) return outcome;
    const wait = await policy.waitBefore(retry + 1, outcome);
    if (wait === undefined || signal?.aborted) return outcome;
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      return { error: signal?.reason };
    }
    policy.repeating?.(retry + 1, outcome, wait);
  }
}

/** One attempt, ended by its timeout or by the call's signal, whichever comes first. */
async function once(send: (signal: AbortSignal) => Promise<Answer>, { timeoutMs, signal }: AttemptPolicy): Promise<Outcome> {
  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(() => controller.abort(new AttemptTimeout(timeoutMs)), timeoutMs);
  try {
    return { answer: await send(controller.signal) };
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}
