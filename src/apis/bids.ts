// The shapes of effective bids (a bid times the multipliers that can raise it), which an API with bid multipliers computes for the bid cap.
import type { EntityKind, LocatedEntity } from './entities.js';

/** An exact multiplier, num/den, read from the API's decimal number without floating-point arithmetic. */
export interface Multiplier {
  text: string;
  num: bigint;
  den: bigint;
}

/**
 * A decimal number (or numeric string) as an exact fraction: String(1.1) is "1.1", read as 11/10, never as the binary
 * double. Undefined when it is not a non-negative number of sane size (then the effective bid is unknown).
 */
export function readMultiplier(value: unknown): Multiplier | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined || text.length > 64 ? null : /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || text === undefined) return undefined;
  const [, whole, frac = '', exp = '0'] = match;
  if (Math.abs(Number(exp)) > 400) return undefined;
  const shift = Number(exp) - frac.length;
  const digits = BigInt(whole + frac);
  return shift >= 0 ? { text, num: digits * 10n ** BigInt(shift), den: 1n } : { text, num: digits, den: 10n ** BigInt(-shift) };
}

/** One multiplier above 1 that can apply to a bid, and where it is set. */
export interface Factor {
  source: string;
  multiplier: Multiplier;
}

/**
 * A bid that multipliers above 1 can raise: the bid in micros (null where there is none to multiply, `noBid` says
 * why), every such multiplier, and where the request changes it. Or why it cannot be known (a read failed).
 */
export type EffectiveBid =
  | { path: string; subject: string; bid: bigint | null; noBid?: string; factors: Factor[] }
  | { path: string; subject: string; unknown: string };

/** The reads an effective bid may need: other entities by id, list reads, any read (src/guard/current.ts gives them). */
export interface EntityReads {
  /** The call's arguments (its `ad_account_id` addresses the reads). */
  readonly args: Record<string, unknown>;
  other(kind: EntityKind, id: string): Promise<{ entity?: Record<string, unknown>; problem?: string }>;
  query(tool: string, args: Record<string, unknown>): Promise<unknown>;
  listAll(tool: string, args: Record<string, unknown>, pages?: number): Promise<Record<string, unknown>[]>;
}

export interface EffectiveBidInput {
  tool: string;
  entities: readonly LocatedEntity[];
  body: unknown;
  current: EntityReads;
}
