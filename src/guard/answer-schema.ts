// The JSON Schema of what a write answers instead of its API's answer (previews, holds, polls; messages.ts makes them).
import type { ChangeReason } from './changes.js';

type JsonSchema = Record<string, unknown>;

/**
 * Each `status` the guard answers a write with, and the fields its structuredContent always has besides it (see the
 * functions of messages.ts that make each). Rules as data: test/calls/output-schemas.test.ts checks held answers.
 */
export const HELD_STATUSES = {
  dry_run: ['request', 'changes'],
  confirmation_required: ['confirmation_token', 'expires_at', 'request', 'changes'],
  approval_required: ['approval_id', 'expires_at', 'page', 'request', 'changes'],
  approval_unavailable: [],
  too_many_pending: ['pending', 'limit', 'setting'],
  not_confirmed: ['request', 'changes'],
  declined: ['request', 'changes'],
  approval_unknown: ['approval_id'],
  approval_elsewhere: ['approval_id'],
  approval_mismatch: ['approval_id'],
  approval_expired: ['approval_id'],
  approval_pending: ['approval_id', 'expires_at', 'page'],
  approval_rejected: ['approval_id'],
  approval_sending: ['approval_id'],
  approval_outcome_unrecorded: ['approval_id'],
  approval_not_sent: ['approval_id'],
} as const satisfies Record<string, readonly string[]>;

/** Every reason a change is held for (changes.ts `ChangeReason`). */
const REASONS: readonly ChangeReason[] = ['money', 'status', 'activation', 'schedule', 'setting', 'parent', 'unclassified', 'spend', 'access', 'data', 'destructive'];

const text = { type: 'string' };
const when = { type: 'string', format: 'date-time' };

/** One change of a held write as previews list it (changes.ts `Change`): amounts natural, with their currency. */
const CHANGE: JsonSchema = {
  type: 'object',
  required: ['entity', 'index', 'field', 'reason'],
  properties: {
    entity: text,
    index: { type: 'integer' },
    id: text,
    name: text,
    field: text,
    reason: { enum: [...REASONS] },
    why: text,
    from: {},
    to: {},
    from_micro: text,
    to_micro: text,
    change_percent: { type: 'number' },
    note: text,
    spending: text,
    create: { const: true },
    unit: text,
  },
};

/** The exact request a held write would send (approvals.ts `ApprovalSummary.request`). */
const REQUEST: JsonSchema = {
  type: 'object',
  required: ['method', 'path', 'query'],
  properties: {
    method: text,
    path: text,
    query: { type: 'object', additionalProperties: { anyOf: [text, { type: 'array', items: text }] } },
    body: {},
  },
};

/**
 * What a write answers when it is not sent now: a preview, a hold for a person, a refusal at a bound, or the state of
 * an approval it polls (`approval_id`). `status` says which; nothing in it was sent unless the status says so.
 */
export const HELD_ANSWER_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A write not sent by this call: `status` says why (a preview, a hold for a person, or the state of an approval read with approval_id).',
  required: ['status'],
  properties: {
    status: { enum: Object.keys(HELD_STATUSES) },
    confirmation_token: text,
    approval_id: text,
    expires_at: when,
    page: text,
    request: REQUEST,
    changes: { type: 'array', items: CHANGE },
    pending: { type: 'integer' },
    limit: { type: 'integer' },
    setting: text,
    decided_by: text,
    decided_at: when,
  },
  // Each status with the fields it always has (named again under `properties`, as strict validators ask).
  anyOf: Object.entries(HELD_STATUSES).map(([status, fields]) => ({
    properties: { status: { const: status }, ...Object.fromEntries(fields.map((field) => [field, true])) },
    ...(fields.length ? { required: [...fields] } : {}),
  })),
};

/** What an approved write's outcome adds to the API's answer when it is read with approval_id (messages.ts `approvedOutcome`). */
export const APPROVAL_OUTCOME_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Present when this answer was read with approval_id: the person who approved the write, and how its send ended.',
  required: ['id', 'status', 'outcome'],
  properties: {
    id: text,
    status: { const: 'approved' },
    outcome: { enum: ['sent', 'failed', 'unknown'] },
    decided_by: text,
    decided_at: when,
  },
};
