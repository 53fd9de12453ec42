// Operator caps (`--caps`): every money field of a capped kind is checked, including kinds decided by a sibling field.
import type { ApiId } from '../catalog/apis.js';
import { placed } from './changes.js';
import type { ConvertedAmount } from './convert.js';
import type { CurrentValues } from './current.js';
import { type LocatedEntity, moneyFieldsOf } from './entities.js';
import { formatMajor, formatMoney, parseAmount } from './money.js';
import { MONEY_FIELDS, type MoneyField, type MoneyKind, kindsOf } from './money-fields.js';
import type { Problem } from './types.js';

export interface CapInput {
  api: ApiId;
  /** Caps in natural units by money kind. */
  caps: Readonly<Partial<Record<MoneyKind, string>>>;
  amounts: readonly ConvertedAmount[];
  entities: readonly LocatedEntity[];
  /** The request body after conversion (fields of undocumented unit are found in it). */
  body: unknown;
  current: CurrentValues;
  /** The account's currency, for messages (read only when a cap applies). */
  currency: () => Promise<string | undefined>;
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
  const currency = await input.currency().catch(() => undefined);
  const show = (decimal: string) => formatMajor(decimal, currency ?? 'USD');
  const problems: Problem[] = [];
  const over = (path: string, amount: string, kind: MoneyKind, cap: string) =>
    problems.push({ path, message: `${amount} is over the configured ${kind} cap of ${show(cap)}; nothing was sent (${CAP_SOURCE})` });

  // Amounts converted from natural units.
  for (const a of input.amounts) {
    if (a.micros === null || a.decimal === null) continue;
    for (const kind of await kinds(a.field, entityOf(input.entities, a.holder), input)) {
      const cap = caps[kind];
      if (cap !== undefined && a.micros > parseAmount(cap).micros) over(a.path, show(a.decimal), kind, cap);
    }
  }

  // Fields whose unit is not documented cannot be compared with a cap: refused while a cap of their kind is set.
  const converted = placed(input.amounts);
  const undocumented = MONEY_FIELDS.filter((f) => f.api === input.api && f.unit === 'undocumented');
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`));
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const field = undocumented.find((f) => f.apiName === key);
      if (field && !converted.get(value)?.has(key) && child !== undefined && child !== null) {
        const kind = field.kind;
        if (caps[kind] !== undefined) {
          problems.push({
            path: `${path}.${key}`,
            message: `its unit is not documented, so it cannot be checked against the configured ${kind} cap; nothing was sent. Leave it out, or ask the operator to lift the ${kind} cap (${CAP_SOURCE})`,
          });
        }
      } else walk(child, `${path}.${key}`);
    }
  };
  walk(input.body, 'body');

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
      const shown = field.unit === 'major' ? formatMajor(String(amount), currency ?? 'USD') : formatMoney(String(amount), currency ?? 'USD');
      for (const kind of capped) {
        if (micros > parseAmount(caps[kind]!).micros) over(where, `the current ${field.inputName} of ${shown}`, kind, caps[kind]!);
      }
    }
  }
  return problems;
}
