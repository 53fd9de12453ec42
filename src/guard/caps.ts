// Operator caps (`--caps`): every money field of a capped kind is checked in the account's currency, effective bids included.
import { type ApiId, apiById } from '../apis/index.js';
import { type Caps, capFor } from '../money/cap-settings.js';
import { placed } from './changes.js';
import type { ConvertedAmount } from './convert.js';
import type { ResolvedCurrency } from './currency.js';
import type { CurrentValues } from './current.js';
import type { EffectiveBid } from '../apis/bids.js';
import { type LocatedEntity, moneyFieldsOf } from './entities.js';
import { formatMajorAmount, formatMicros, parseAmount } from '../money/amount.js';
import { pathText, walkJson } from '../core/walk.js';
import { MONEY_FIELDS, type MoneyField, type MoneyKind, kindsOf } from './money-fields.js';
import type { Problem } from './types.js';

export interface CapInput {
  api: ApiId;
  /** The tool's name: catalog items' bid options are found by it. */
  tool: string;
  caps: Caps;
  amounts: readonly ConvertedAmount[];
  entities: readonly LocatedEntity[];
  /** The request body after conversion (fields of undocumented unit are found in it). */
  body: unknown;
  current: CurrentValues;
  /** The account's currency (read only when a cap applies), and why where it is only assumed. */
  currency: () => Promise<ResolvedCurrency>;
}

const CAP_SOURCE = 'the cap is set by the server operator with --caps';

/** The entity that carries `holder` directly (top-level money fields), if any. */
function entityOf(entities: readonly LocatedEntity[], holder: object | undefined): LocatedEntity | undefined {
  return holder ? entities.find((e) => e.item === holder) : undefined;
}

/** The kinds a money value counts as: from its sibling in the request, else the current entity's, else the create default. */
async function kinds(field: MoneyField, entity: LocatedEntity | undefined, input: CapInput): Promise<MoneyKind[]> {
  const by = field.kindBy;
  if (!by) return [field.kind];
  let sibling = entity?.item[by.sibling];
  if (sibling === undefined && entity) {
    sibling = entity.create ? by.createDefault : (await input.current.entity(entity.kind, entity.id))?.[by.sibling];
  }
  return kindsOf(field, sibling);
}

/** Why this request breaks a configured cap (nothing may be sent then); empty when no cap applies or all hold. */
export async function capProblems(input: CapInput): Promise<Problem[]> {
  const { caps } = input;
  if (Object.keys(caps).length === 0) return [];
  const { code: currency, assumed } = await input.currency().catch((): ResolvedCurrency => ({}));
  const show = (decimal: string) => formatMajorAmount(decimal, currency);
  // A cap applies in the account's currency: where that is only assumed, the cap's amount says so.
  const showCap = (decimal: string) => formatMajorAmount(decimal, currency, assumed);
  const problems: Problem[] = [];
  const missing = new Set<MoneyKind>();
  /** The cap of `kind` in the account's currency; undefined when there is none, and a kind that has none here is refused once. */
  const capOf = (kind: MoneyKind, path: string): { micros: bigint; decimal: string } | undefined => {
    const cap = capFor(caps, kind, currency);
    if (!cap) return undefined;
    if ('missing' in cap) {
      if (!missing.has(kind)) problems.push({ path, message: `${cap.missing}. Nothing was sent (${CAP_SOURCE})` });
      missing.add(kind);
      return undefined;
    }
    return { micros: parseAmount(cap.amount).micros, decimal: cap.amount };
  };
  const over = (path: string, amount: string, kind: MoneyKind, cap: { decimal: string }) =>
    problems.push({ path, message: `${amount} is over the configured ${kind} cap of ${showCap(cap.decimal)}; nothing was sent (${CAP_SOURCE})` });

  // Amounts converted from natural units.
  for (const a of input.amounts) {
    if (a.micros === null || a.decimal === null) continue;
    for (const kind of await kinds(a.field, entityOf(input.entities, a.holder), input)) {
      const cap = capOf(kind, a.path);
      if (cap && a.micros > cap.micros) over(a.path, show(a.decimal), kind, cap);
    }
  }

  // Fields whose unit is not documented cannot be compared with a cap: refused while a cap of their kind is set.
  const converted = placed(input.amounts);
  const undocumented = MONEY_FIELDS.filter((f) => f.api === input.api && f.unit === 'undocumented');
  walkJson(input.body, (value, path, key, holder) => {
    const field = typeof key === 'string' ? undocumented.find((f) => f.apiName === key) : undefined;
    if (!field || !holder || converted.get(holder)?.has(key as string) || value === undefined || value === null) return;
    const kind = field.kind;
    if (caps[kind] !== undefined) {
      problems.push({
        path: pathText(path, 'body'),
        message: `its unit is not documented, so it cannot be checked against the configured ${kind} cap; nothing was sent. Leave it out, or ask the operator to lift the ${kind} cap (${CAP_SOURCE})`,
      });
    }
    return 'skip';
  });

  // A change of the deciding sibling alone (budget_type LIFETIME -> DAILY) turns the current amount into another kind.
  for (const entity of input.entities) {
    if (entity.create) continue;
    for (const field of moneyFieldsOf(input.api, entity.kind)) {
      const by = field.kindBy;
      if (!by || entity.item[by.sibling] === undefined || entity.item[field.apiName] !== undefined) continue;
      const capped = kindsOf(field, entity.item[by.sibling]).filter((k) => caps[k] !== undefined);
      if (!capped.length) continue;
      const where = `${entity.path}.${by.sibling}`;
      const current = await input.current.entity(entity.kind, entity.id);
      const amount = current?.[field.apiName];
      if (typeof amount !== 'number' && typeof amount !== 'string') {
        problems.push({ path: where, message: `the current ${field.inputName} could not be read, so it cannot be checked against the ${capped.join('/')} cap it would fall under; nothing was sent` });
        continue;
      }
      // The API reports the amount in its own unit: micros (Pinterest) or major units (Whop).
      const micros = field.unit === 'major' ? parseAmount(String(amount)).micros : BigInt(amount);
      const shown = field.unit === 'major' ? show(String(amount)) : formatMicros(String(amount), currency);
      for (const kind of capped) {
        const cap = capOf(kind, where);
        if (cap && micros > cap.micros) over(where, `the current ${field.inputName} of ${shown}`, kind, cap);
      }
    }
  }

  const effectiveBids = apiById(input.api).effectiveBids;
  if (caps.bid !== undefined && effectiveBids) {
    const bids = await effectiveBids({ tool: input.tool, entities: input.entities, body: input.body, current: input.current });
    const cap = bids.length ? capOf('bid', bids[0].path) : undefined;
    for (const bid of bids) {
      const problem = effectiveBidProblem(bid, cap, currency, assumed);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

/** Why an effective bid breaks the bid cap, or cannot be checked against it; undefined when it holds. */
function effectiveBidProblem(bid: EffectiveBid, cap: { micros: bigint; decimal: string } | undefined, currency: string | undefined, assumed: string | undefined): Problem | undefined {
  const lift = `ask the operator to lift the bid cap (${CAP_SOURCE})`;
  if ('unknown' in bid) {
    return { path: bid.path, message: `the effective bid of ${bid.subject} cannot be checked against the configured bid cap: ${bid.unknown}; nothing was sent. Try again, or ${lift}` };
  }
  // Without a cap for this currency the write is already refused (once, naming the missing cap).
  if (!cap) return undefined;
  const factors = bid.factors.map((f) => `${f.multiplier.text} (${f.source})`).join(' x ');
  const limit = formatMajorAmount(cap.decimal, currency, assumed);
  if (bid.bid === null) {
    return {
      path: bid.path,
      message: `${bid.subject} has bid multipliers above 1 (${factors}) but ${bid.noBid}, so its effective bid cannot be checked against the configured bid cap of ${limit}; nothing was sent. Give it a bid, keep its multipliers at most 1, or ${lift}`,
    };
  }
  const num = bid.factors.reduce((n, f) => n * f.multiplier.num, 1n);
  const den = bid.factors.reduce((d, f) => d * f.multiplier.den, 1n);
  if (bid.bid * num <= cap.micros * den) return undefined;
  // Rounded up to a micro, so the amount shown is never below the one compared.
  const effective = (bid.bid * num + den - 1n) / den;
  return {
    path: bid.path,
    message: `the effective bid of ${bid.subject} is ${formatMicros(bid.bid, currency)} x ${factors} = ${formatMicros(effective, currency)}, over the configured bid cap of ${limit}; nothing was sent. Lower the bid or the multipliers, or ${lift}`,
  };
}
