// The shapes of what an API's answers say: the outcome of each item a write sent, as data per write.

/**
 * The documented form of a write's answer, as far as it tells outcomes. `sent` names where the request body lists
 * the items (`[]` for a body that is the list, `keywords[]` for a list under `keywords`), to know how many were sent.
 * - `per-item`: one result per item sent, in order, under `list`; the applied entity under `data` (absent: the result
 *   itself), its problems under `problems` (null, one object, a list of objects or strings); `applied` / `failed` name
 *   a status field's values that say so.
 * - `split`: applied items in one list, failed ones in another, each failure with its messages under `problems`.
 * - `problems`: the whole write's problems in one top-level field.
 * - `flag`: a boolean field says whether it worked; `messages` are the fields that say why not.
 * - `boolean`: the whole answer is `true` or `false`.
 * - `none`: fields that look like outcomes but are not this call's (why says whose they are).
 */
export type ItemAnswer =
  | {
      form: 'per-item';
      sent: readonly string[];
      list: string;
      data?: string;
      problems: string;
      applied?: { field: string; values: readonly string[] };
      failed?: { field: string; values: readonly string[] };
    }
  | { form: 'split'; sent: readonly string[]; applied: string; failed: string; problems: string }
  | { form: 'problems'; problems: string }
  | { form: 'flag'; flag: string; messages: readonly string[] }
  | { form: 'boolean' }
  | { form: 'none'; why: string };
