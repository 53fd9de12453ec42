// The approval pages' HTML: self-contained (no scripts, no external assets), accessible, every value escaped.
import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import { type Approval, isExpired } from '../guards/approvals.js';
import type { Change } from '../guards/changes.js';
import { formatMoney } from '../guards/money.js';
import { percent } from '../guards/changes.js';

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1b1b1b;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}pre{background:#f4f4f4;border:1px solid #999;padding:.75rem;overflow:auto;white-space:pre-wrap;word-break:break-word}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
.actions{display:flex;gap:1rem;margin:1.5rem 0}.actions form{margin:0}
button{font:inherit;padding:.5rem 1.25rem;border-radius:.25rem;border:2px solid #1b1b1b;cursor:pointer}
button.approve{background:#0b6b2b;color:#fff;border-color:#0b6b2b}button.reject{background:#fff;color:#8a1111;border-color:#8a1111}
button:focus-visible,a:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
.status{font-weight:600}.notice{border-left:4px solid #1a5fb4;padding:.5rem 1rem;background:#eef4fb}
.error{border-left:4px solid #8a1111;padding:.5rem 1rem;background:#fbeeee}
label{display:block;font-weight:600;margin-bottom:.25rem}input[type=password]{font:inherit;padding:.4rem;width:min(30rem,100%)}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #999}header form{margin:0}
`;

/** The Content-Security-Policy of every page: nothing but this page's own style, forms posting to this origin. */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/** A form's single-use CSRF token, issued for one action of one session. */
export type CsrfFor = (action: string) => Promise<string>;

const e = (value: unknown): string => escapeHtml(String(value ?? ''));

function layout(title: string, body: string, signOut?: string): string {
  const header = signOut
    ? `<header><p>Approvals</p><form method="post" action="/approvals/sign-out"><input type="hidden" name="csrf" value="${e(signOut)}"><button type="submit">Sign out</button></form></header>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin"><title>${e(title)} · pinterest-api-mcp</title><style>${STYLE}</style></head>
<body>${header}<main>${body}</main></body></html>`;
}

/** A value as a person reads it: text as is, anything else as JSON. */
function shown(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function changeRows(changes: readonly Change[]): string {
  return changes
    .map((c) => {
      const change = c.change_percent === undefined ? '' : `${c.change_percent > 0 ? '+' : ''}${c.change_percent}%`;
      const what = [c.why, c.note, c.spending].filter(Boolean).join('; ');
      return `<tr><td>${e(c.entity)} ${e(c.id ?? `#${c.index + 1}`)}</td><td>${e(c.name ?? '')}</td><td>${e(c.field)}</td><td>${e(shown(c.from))}</td><td>${e(shown(c.to))}</td><td>${e(change)}</td><td>${e(what)}</td></tr>`;
    })
    .join('\n');
}

/** Sums of each money field over the items it changes (daily and lifetime budgets, caps, bids), from and to. */
function totals(changes: readonly Change[], currency: string | undefined): string[] {
  const byField = new Map<string, { from: bigint; to: bigint; items: number; fromKnown: boolean }>();
  for (const c of changes) {
    if (c.to_micro === undefined) continue;
    const total = byField.get(c.field) ?? { from: 0n, to: 0n, items: 0, fromKnown: true };
    total.to += BigInt(c.to_micro);
    if (c.from_micro === undefined) total.fromKnown = false;
    else total.from += BigInt(c.from_micro);
    total.items++;
    byField.set(c.field, total);
  }
  const money = (micros: bigint) => formatMoney(String(micros), currency ?? 'USD');
  return [...byField].map(([field, t]) => {
    const from = t.fromKnown ? `${money(t.from)} -> ` : '';
    const change = t.fromKnown ? percent(t.from, t.to) : undefined;
    return `${field} over ${t.items} item${t.items === 1 ? '' : 's'}: ${from}${money(t.to)}${change === undefined ? '' : ` (${change > 0 ? '+' : ''}${change}%)`}`;
  });
}

function requestText(approval: Approval): string {
  const { method, path, query, body } = approval.summary.request;
  const search = new URLSearchParams(Object.entries(query).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]]))).toString();
  return `${method} ${path}${search ? `?${search}` : ''}\n${body === undefined ? '' : JSON.stringify(body, null, 2)}`;
}

const STATE_TEXT: Record<Approval['state'], string> = {
  pending: 'Waiting for your decision',
  rejected: 'Rejected: nothing was sent',
  sending: 'Approved: sending the request (if this stays, the outcome was not recorded: check the entity)',
  sent: 'Approved and sent once',
  failed: 'Approved and sent once; the API refused it, so nothing changed',
  unknown: 'Approved and sent once; the outcome is unknown: check the entity',
  not_sent: 'Approved, but not sent',
};

function stateText(approval: Approval): string {
  if (isExpired(approval)) return 'Expired: nothing was sent';
  if (approval.state === 'not_sent' && !approval.decided_by) return 'Not sent: it could not be decided';
  return STATE_TEXT[approval.state];
}

/** The outcome of a sent write: the tool's result text, and each item's result for batches. */
function outcomeSection(approval: Approval): string {
  if (!approval.outcome && !approval.note) return '';
  if (!approval.outcome) return `<h2 id="outcome">Outcome</h2><p class="error" role="alert">${e(approval.note)}</p>`;
  const text = approval.outcome.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  const failed = approval.outcome.isError ? '<p class="error" role="alert">The API refused or failed this write; see its answer below.</p>' : '';
  const note = approval.note ? `<p class="notice">${e(approval.note)}</p>` : '';
  return `<h2 id="outcome">Outcome</h2>${failed}${note}<pre aria-labelledby="outcome">${e(text)}</pre>`;
}

/** One approval: what a person needs to decide, the exact request, and Approve / Reject while it is pending. */
export async function approvalPage(approval: Approval, csrf: CsrfFor, notice?: string): Promise<string> {
  const { summary } = approval;
  const pending = approval.state === 'pending' && !isExpired(approval);
  const sums = totals(summary.changes, approval.currency);
  const decided = approval.decided_by ? `<dt>Decided by</dt><dd>${e(approval.decided_by)} at ${e(approval.decided_at)}</dd>` : '';
  const actions = pending
    ? `<div class="actions">
<form method="post" action="/approvals/${e(approval.id)}/approve"><input type="hidden" name="csrf" value="${e(await csrf(`approve:${approval.id}`))}"><button class="approve" type="submit">Approve</button></form>
<form method="post" action="/approvals/${e(approval.id)}/reject"><input type="hidden" name="csrf" value="${e(await csrf(`reject:${approval.id}`))}"><button class="reject" type="submit">Reject</button></form>
</div>`
    : '';
  const body = `
${notice ? `<p class="notice" role="status">${e(notice)}</p>` : ''}
<h1>${e(approval.tool)}: ${e(summary.verb)}</h1>
<dl>
<dt>Status</dt><dd class="status">${e(stateText(approval))}</dd>
<dt>Ad account</dt><dd>${e(approval.account ?? 'none named')}</dd>
<dt>Currency</dt><dd>${e(approval.currency ?? 'no amounts')}</dd>
<dt>Requested</dt><dd>${e(approval.created_at)}</dd>
<dt>Expires</dt><dd>${e(approval.expires_at)}</dd>${decided}
</dl>
<p>${e(summary.headline)}</p>
<h2 id="changes">Changes</h2>
<table aria-labelledby="changes"><thead><tr><th scope="col">Item</th><th scope="col">Name</th><th scope="col">Field</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Change</th><th scope="col">Why held</th></tr></thead>
<tbody>${changeRows(summary.changes) || '<tr><td colspan="7">An ordinary write (held because every write is confirmed here).</td></tr>'}</tbody></table>
${sums.length ? `<h2 id="totals">Totals</h2><ul aria-labelledby="totals">${sums.map((t) => `<li>${e(t)}</li>`).join('')}</ul>` : ''}
${summary.notes.length ? `<h2 id="notes">Notes</h2><ul aria-labelledby="notes">${summary.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''}
<h2 id="request">The exact request</h2>
<pre aria-labelledby="request">${e(requestText(approval))}</pre>
${actions}
${outcomeSection(approval)}
<p><a href="/approvals">All pending approvals</a></p>`;
  return layout(`${approval.tool} approval`, body, await csrf('sign-out'));
}

/** Every pending approval, oldest first. */
export async function listPage(approvals: readonly Approval[], csrf: CsrfFor, approver: string): Promise<string> {
  const rows = approvals
    .map((a) => `<tr><td><a href="/approvals/${e(a.id)}">${e(a.tool)}</a></td><td>${e(a.account ?? '')}</td><td>${e(a.summary.headline)}</td><td>${e(a.expires_at)}</td></tr>`)
    .join('\n');
  const body = `<h1>Pending approvals</h1><p>Signed in as ${e(approver)}.</p>
${rows ? `<table aria-label="Pending approvals"><thead><tr><th scope="col">Tool</th><th scope="col">Ad account</th><th scope="col">What it changes</th><th scope="col">Expires</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Nothing is waiting for approval.</p>'}`;
  return layout('Pending approvals', body, await csrf('sign-out'));
}

/** Sign-in with an approver token (HTTP). */
export function signInPage(csrf: string, problem?: string): string {
  const body = `<h1>Sign in to approve</h1>
${problem ? `<p class="error" role="alert">${e(problem)}</p>` : ''}
<p>Approvers sign in with their approver token (not the bot's bearer token).</p>
<form method="post" action="/approvals/sign-in"><input type="hidden" name="csrf" value="${e(csrf)}">
<label for="token">Approver token</label><input id="token" name="token" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form>`;
  return layout('Sign in', body);
}

/** A short page that says what happened (refusals, expired links). */
export function messagePage(title: string, text: string): string {
  return layout(title, `<h1>${e(title)}</h1><p class="error" role="alert">${e(text)}</p><p><a href="/approvals">Approvals</a></p>`);
}
