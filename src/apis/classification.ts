// The classes of writes and what the guard does with each; every API's adapter classifies each of its non-GET operations once, as data.
//
// Classes (the guard's rules, in `src/guard/decide.ts`):
// - `read`: a POST that only computes or reads (previews, quotes, report jobs, filtered reads); sent at once, and
//   a read for `--read-only` and the tool annotations.
// - `neutral`: writes that cannot change how much is spent, when, on what or on whom, and send no one's personal
//   data; sent at once (held only with `--confirm-writes all`).
// - `entity`: writes of campaigns, ad groups, ads, keywords and product group promotions; held unless every field
//   they set is on that entity kind's spend-neutral list (`entities.ts`).
// - `spend`: always held, whatever the body says.
// - `access`: writes that grant or remove access to a business's assets, audiences or accounts; always held.
// - `data`: writes that send personal data somewhere (leads, customer lists, logs) or change what automated bidding
//   learns from (conversion events, product feeds); held unless `--confirm-writes` leaves `data` out.
// - `destructive`: deletes and other writes that cannot be undone; held unless `--confirm-writes` leaves
//   `destructive` out.
// Each adapter's table (`src/apis/<api>/classification.ts`, its `writeClasses`) classifies its writes with the
// constructors of `write-classes.ts`. A write that is in no table is held as unclassified (unknown means held); a test
// fails when any write operation of any catalog is missing, or when an entry names no operation.

import { APIS } from './index.js';

export type WriteClass = 'read' | 'neutral' | 'entity' | 'spend' | 'access' | 'data' | 'destructive';

/** Classes `--confirm-writes` may add to the always-held ones (spend, access, entity and unclassified writes). */
export const OPTIONAL_HOLDS = ['data', 'destructive'] as const;
export type OptionalHold = (typeof OPTIONAL_HOLDS)[number];

/**
 * What `--ad-accounts` does with a write that names no ad account, in an API whose calls name them (see `scope.ts`):
 * `none`, it touches no ad account, so it is sent; `unnamed`, it reaches ad accounts it has no field to name, so it
 * is refused. An unmarked write has a field that can name one (its API's `accounts.fields`) and is refused when it
 * names none; a test checks that every write without such a field is marked.
 */
export type AccountUse = { none: string } | { unnamed: string };

export interface Classification {
  class: WriteClass;
  /** One line: why the operation is in this class (shown in previews of held writes). */
  reason: string;
  account?: AccountUse;
}

/**
 * Tool name -> class, of every API (each adapter's `writeClasses`). Keyed by tool name (API prefix included), so two
 * APIs cannot collide.
 */
export const WRITE_CLASSES: Readonly<Record<string, Classification>> = Object.assign({}, ...APIS.map((api) => api.writeClasses));

/** Classification of a non-GET tool; undefined for a write nobody classified (the guard holds it). */
export function classify(toolName: string): Classification | undefined {
  return WRITE_CLASSES[toolName];
}

/** Whether a tool writes: every non-GET operation except the classified reads (unclassified ones count as writes). */
export function isWrite(toolName: string, method: string): boolean {
  return method !== 'GET' && classify(toolName)?.class !== 'read';
}

/** Tool names of one class, sorted. */
export function toolsOfClass(cls: WriteClass): string[] {
  return Object.entries(WRITE_CLASSES)
    .filter(([, c]) => c.class === cls)
    .map(([name]) => name)
    .sort();
}

/** Which writes each `--confirm-writes` class holds, for `--help` (the README's table says the same; a test checks it). */
export function confirmationLevels(): string[] {
  return [
    `spend        holds ${toolsOfClass('spend').join(', ')} always;`,
    `             ${toolsOfClass('access').join(', ')} always;`,
    `             ${toolsOfClass('entity').join(', ')} unless every field they set is spend-neutral;`,
    '             and any write that is not classified (all of this whatever --confirm-writes says)',
    `data         also holds ${toolsOfClass('data').join(', ')}`,
    `destructive  also holds ${toolsOfClass('destructive').join(', ')}`,
    'all          holds every write',
    'Name spend, data and destructive in any combination and order (spend alone adds nothing), or all.',
  ];
}
