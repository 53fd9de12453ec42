// The approval pages' HTML: self-contained (no scripts, no external assets), accessible, every value escaped.
import { createHash } from 'node:crypto';
import escapeHtml from 'escape-html';
import { type Approval, isExpired } from '../guard/approvals.js';
import { type Change, percent } from '../guard/changes.js';
import { destination } from '../guard/deployment.js';
import { assumedMark, formatMicros } from '../money/amount.js';
import { whyHeld } from '../guard/plain.js';
import { displayJson, oneLine, quote } from '../core/display.js';
import type { Caller } from '../guard/types.js';
import { resultText } from '../core/results.js';

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1b1b1b;background:#fff}
h1{font-size:1.35rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin-top:2rem}
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
ul.lines{margin:.25rem 0;padding-left:1.25rem}ul.lines li{overflow-wrap:anywhere}.tool{color:#555;font-size:.875rem}
p.next{border-left:4px solid #0b6b2b;padding:.5rem 1rem;background:#eef7f0}
details{margin:1.5rem 0}summary{cursor:pointer;font-weight:600}
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

/** A value as a person reads it: amounts and text on one line (escaped, cut), anything else as display JSON. */
function shown(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'none';
  return typeof value === 'string' ? oneLine(value, 200) : displayJson(value, 200);
}

const KIND_WORDS: Record<string, string> = { ad_group: 'ad group', product_group_promotion: 'product group promotion' };

function changeRows(changes: readonly Change[]): string {
  return changes
    .map((c) => {
      const change = c.change_percent === undefined ? '' : `${c.change_percent > 0 ? '+' : ''}${c.change_percent}%`;
      const what = [whyHeld(c), c.note, c.spending ? `spends at ${c.spending}` : undefined].filter(Boolean).join('; ');
      const item = `${KIND_WORDS[c.entity] ?? c.entity} ${c.id ?? (c.create ? `new #${c.index + 1}` : `#${c.index + 1}`)}`;
      const field = `${c.field}${c.unit ? ` (${c.unit})` : ''}`;
      const from = c.create ? 'new' : shown(c.from);
      return `<tr><td>${e(oneLine(item, 120))}</td><td>${e(c.name === undefined ? '' : quote(c.name, 80))}</td><td>${e(oneLine(field, 120))}</td><td>${e(from)}</td><td>${e(shown(c.to))}</td><td>${e(change)}</td><td>${e(oneLine(what, 300))}</td></tr>`;
    })
    .join('\n');
}

/** Sums of each money field over the items it changes (daily and lifetime budgets, caps, bids), from and to. */
function totals(changes: readonly Change[], currency: string | undefined, assumed: string | undefined): string[] {
  const byField = new Map<string, { field: string; unit?: string; from: bigint; to: bigint; items: number; fromKnown: boolean }>();
  for (const c of changes) {
    if (c.to_micro === undefined) continue;
    const key = `${c.field}\n${c.unit ?? ''}`;
    const total = byField.get(key) ?? { field: c.field, unit: c.unit, from: 0n, to: 0n, items: 0, fromKnown: true };
    total.to += BigInt(c.to_micro);
    if (c.from_micro === undefined) total.fromKnown = false;
    else total.from += BigInt(c.from_micro);
    total.items++;
    byField.set(key, total);
  }
  const money = (micros: bigint) => formatMicros(micros, currency, assumed);
  return [...byField.values()].map((t) => {
    const from = t.fromKnown ? `${money(t.from)} -> ` : '';
    const change = t.fromKnown ? percent(t.from, t.to) : undefined;
    const unit = t.unit ? ` (${t.unit})` : '';
    return `${oneLine(t.field, 120)}${unit} over ${t.items} item${t.items === 1 ? '' : 's'}: ${from}${money(t.to)}${change === undefined ? '' : ` (${change > 0 ? '+' : ''}${change}%)`}`;
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
  if (approval.state === 'unknown' && approval.settle_attempt) return 'Approved; sent at most once (the server stopped while sending it), and the outcome is unknown: check the entity';
  return STATE_TEXT[approval.state];
}

/** What the person does next, in every state: where the outcome goes, and what to do when nothing or something unknown happened. */
function nextText(approval: Approval, where: string): string {
  if (isExpired(approval)) return 'Nothing was sent. If you still want this change, ask your assistant to request it again, then decide the new approval.';
  switch (approval.state) {
    case 'pending':
      return `Approve sends exactly the request shown under "Exact request" once, to ${where}. Reject sends nothing. Either way, your assistant reads the outcome with the approval id ${approval.id}. Undecided, it expires at ${timeText(approval.expires_at)} and nothing is sent.`;
    case 'sending':
      return 'The request is being sent. Reload this page in a moment to see its outcome; do not ask for the same change again meanwhile.';
    case 'sent':
      return 'Sent once. Return to your assistant: it reads the outcome with the approval id.';
    case 'failed':
      return "Sent once, and the API refused it: nothing changed. Return to your assistant: it reads the API's answer with the approval id, and can correct the request and ask you again.";
    case 'unknown':
      if (approval.settle_attempt) {
        return 'The server stopped while sending it, so it went out once or not at all, and reading the entity back could not confirm the change. Before anything is asked again, have your assistant read the entity (or look in the ads manager) to see whether the change is there.';
      }
      return 'Sent once, but no usable answer came back: the change may or may not have been applied. Before anything is asked again, have your assistant read the entity (or look in the ads manager) to see whether the change is there.';
    case 'not_sent':
      return 'Nothing was sent, so nothing changed (the outcome below says why). Tell your assistant; if you still want the change, it asks again and you decide the new approval.';
    case 'rejected':
      return 'Nothing was sent. Return to your assistant: it reads the rejection with the approval id. If you want a different change, tell it what instead.';
  }
}

/** A time a person reads, with how far off it is: `2026-12-02 12:42 UTC (in 9 minutes)`. */
function timeText(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return oneLine(String(iso), 40);
  const minutes = Math.round((at - now) / 60_000);
  const relative = Math.abs(minutes) < 1 ? (at >= now ? 'in less than a minute' : 'just now') : minutes > 0 ? `in ${minutes} minute${minutes === 1 ? '' : 's'}` : `${-minutes} minute${minutes === -1 ? '' : 's'} ago`;
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC (${relative})`;
}

function timeTag(iso: string): string {
  return `<time datetime="${e(iso)}">${e(timeText(iso))}</time>`;
}

/** The account beside its id and currency: `"Acme US" (549755885175), USD`; an unknown currency says so. */
function accountText(approval: Approval): string {
  const label = approval.summary.account;
  const id = label?.id ?? approval.account;
  const name = label?.name !== undefined ? `${label.named ? `${label.named} ` : ''}${quote(label.name, 80)}` : undefined;
  const who = name && id ? `${name} (${id})` : (name ?? id);
  if (!who) return 'none named';
  const { code: currency, assumed } = shownCurrency(approval);
  const money = currency ? `${currency}${assumedMark(assumed)}` : 'currency unknown (the account reports none)';
  return `${oneLine(who, 160)}, ${money}`;
}

/** The approval's currency, and why where it is only assumed (the account reports none). */
function shownCurrency(approval: Approval): { code?: string; assumed?: string } {
  const label = approval.summary.account;
  const code = approval.currency ?? label?.currency;
  if (!code) return {};
  if (approval.currency_assumed) return { code, assumed: approval.currency_assumed };
  if (!label?.currency_assumed || code !== label.currency) return { code };
  // An approval stored by an earlier version says only `true`.
  const why: string | boolean = label.currency_assumed;
  return { code, assumed: typeof why === 'string' ? why : 'the account reports none yet' };
}

/** Short form for the list: the account's name, else its id. */
function accountShort(approval: Approval): string {
  const label = approval.summary.account;
  if (label?.name !== undefined) return `${label.named ? `${label.named} ` : ''}${quote(label.name, 60)}${label.id ? ` (${label.id})` : ''}`;
  return oneLine(label?.id ?? approval.account ?? 'none named', 60);
}

/** Who asked: the client's name and version, how it is connected, its session. */
function askedBy(caller: Caller | undefined): string {
  if (!caller) return 'unknown';
  const client = caller.client ? oneLine(caller.client, 80) : 'a client that gave no name';
  const where = oneLine(caller.where ?? `over ${caller.transport}`, 80);
  // A prefix tells sessions apart without showing the whole session id.
  const session = caller.session ? `, session ${oneLine(caller.session.slice(0, 8), 8)}…` : '';
  return `${client}, ${where}${session}`;
}

/** Where the write goes: `api.pinterest.com (production)`. */
function whereTo(approval: Approval): string {
  return approval.deployment ? oneLine(destination(approval.deployment), 120) : 'unknown (an approval made by an older version)';
}

/** The heading: the write in words (older approvals: the tool and what it does). */
function titleOf(approval: Approval): string {
  return approval.summary.title ?? `${approval.tool}: ${approval.summary.verb}`;
}

/** The outcome of a sent write: the tool's result text, and each item's result for batches. */
function outcomeSection(approval: Approval): string {
  if (!approval.outcome && !approval.note) return '';
  if (!approval.outcome) return `<h2 id="outcome">Outcome</h2><p class="error" role="alert">${e(approval.note)}</p>`;
  const text = resultText(approval.outcome);
  const failed = approval.outcome.isError ? '<p class="error" role="alert">The API refused or failed this write; see its answer below.</p>' : '';
  const note = approval.note ? `<p class="notice">${e(approval.note)}</p>` : '';
  return `<h2 id="outcome">Outcome</h2>${failed}${note}<pre aria-labelledby="outcome">${e(text)}</pre>`;
}

/**
 * One approval, in the order a person decides: what it does (in words), where it goes and for whom, who asked, what
 * happens next and Approve / Reject while it is pending; then every held field, totals, notes and the exact request.
 */
export async function approvalPage(approval: Approval, csrf: CsrfFor, notice?: string): Promise<string> {
  const { summary } = approval;
  const pending = approval.state === 'pending' && !isExpired(approval);
  const { code, assumed } = shownCurrency(approval);
  const sums = totals(summary.changes, code, assumed);
  const decided = approval.decided_by ? `<dt>Decided by</dt><dd>${e(approval.decided_by)} at ${timeTag(approval.decided_at ?? '')}</dd>` : '';
  const plain = summary.plain ?? [];
  const actions = pending
    ? `<div class="actions">
<form method="post" action="/approvals/${e(approval.id)}/approve"><input type="hidden" name="csrf" value="${e(await csrf(`approve:${approval.id}`))}"><button class="approve" type="submit">Approve</button></form>
<form method="post" action="/approvals/${e(approval.id)}/reject"><input type="hidden" name="csrf" value="${e(await csrf(`reject:${approval.id}`))}"><button class="reject" type="submit">Reject</button></form>
</div>`
    : '';
  const where = whereTo(approval);
  const body = `
${notice ? `<p class="notice" role="status">${e(notice)}</p>` : ''}
<h1>${e(titleOf(approval))}</h1>
<dl>
<dt>Status</dt><dd class="status">${e(stateText(approval))}</dd>
<dt>Account</dt><dd>${e(accountText(approval))}</dd>
<dt>Goes to</dt><dd>${e(where)}</dd>
<dt>Asked by</dt><dd>${e(askedBy(approval.requested_by))}</dd>
<dt>Tool</dt><dd>${e(approval.tool)} (${e(summary.verb)})</dd>
<dt>Approval id</dt><dd>${e(approval.id)}</dd>
<dt>Requested</dt><dd>${timeTag(approval.created_at)}</dd>
<dt>Expires</dt><dd>${timeTag(approval.expires_at)}</dd>${decided}
</dl>
${plain.length > 1 ? `<h2 id="words">What it does</h2><ul aria-labelledby="words" class="lines">${plain.map((line) => `<li>${e(line)}</li>`).join('')}</ul>` : ''}
<h2 id="next">What happens next</h2>
<p class="next">${e(nextText(approval, where))}</p>
${actions}
<h2 id="changes">Changes</h2>
<p>${e(summary.headline)}</p>
<table aria-labelledby="changes"><thead><tr><th scope="col">Item</th><th scope="col">Name</th><th scope="col">Field</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Change</th><th scope="col">Why held</th></tr></thead>
<tbody>${changeRows(summary.changes) || '<tr><td colspan="7">An ordinary write (held because every write is confirmed here).</td></tr>'}</tbody></table>
${sums.length ? `<h2 id="totals">Totals</h2><ul aria-labelledby="totals">${sums.map((t) => `<li>${e(t)}</li>`).join('')}</ul>` : ''}
${summary.notes.length ? `<h2 id="notes">Notes</h2><ul aria-labelledby="notes">${summary.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''}
<details><summary id="request">Exact request</summary>
<pre aria-labelledby="request">${e(requestText(approval))}</pre></details>
${outcomeSection(approval)}
<p><a href="/approvals">All pending approvals</a></p>`;
  return layout(`${oneLine(titleOf(approval), 80)} · approval`, body, await csrf('sign-out'));
}

/** How many plain lines a row of the list shows before "and N more". */
const LIST_LINES = 2;

/** Every pending approval, oldest first: each row says what it does (entity, change, amount), for which account, who asked, and when it expires. */
export async function listPage(approvals: readonly Approval[], csrf: CsrfFor, approver: string): Promise<string> {
  const rows = approvals
    .map((a) => {
      const plain = a.summary.plain ?? [];
      const lines = plain.length > 1 ? plain.slice(0, LIST_LINES).map((l) => `<li>${e(l)}</li>`).join('') + (plain.length > LIST_LINES ? `<li>and ${plain.length - LIST_LINES} more</li>` : '') : '';
      return `<tr><td><a href="/approvals/${e(a.id)}">${e(titleOf(a))}</a>${lines ? `<ul class="lines">${lines}</ul>` : ''}<div class="tool">${e(a.tool)}</div></td><td>${e(accountShort(a))}</td><td>${e(whereTo(a))}</td><td>${e(askedBy(a.requested_by))}</td><td>${timeTag(a.expires_at)}</td></tr>`;
    })
    .join('\n');
  const body = `<h1>Pending approvals</h1><p>Signed in as ${e(approver)}.</p>
${rows ? `<table aria-label="Pending approvals"><thead><tr><th scope="col">What it does</th><th scope="col">Account</th><th scope="col">Goes to</th><th scope="col">Asked by</th><th scope="col">Expires</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Nothing is waiting for approval.</p>'}`;
  return layout('Pending approvals', body, await csrf('sign-out'));
}

/**
 * The HTTP sign-in: with an approver token (`csrf`: the form's token, where approver tokens are configured), and, in
 * the OAuth mode, with the API people sign in to (`withApi`: a link that starts it).
 */
export function signInPage(csrf: string | undefined, problem?: string, withApi?: { label: string; href: string }): string {
  const api = withApi
    ? `<p>Sign in with your ${e(withApi.label)} account to approve or reject the changes you asked your assistant for (and those of ad accounts the operator named you an approver of).</p>
<p><a href="${e(withApi.href)}" class="sign-in">Sign in with ${e(withApi.label)}</a></p>`
    : '';
  const token = csrf
    ? `${withApi ? '<h2>Operators</h2>' : ''}<p>Approvers sign in with their approver token (not the bot's bearer token).</p>
<form method="post" action="/approvals/sign-in"><input type="hidden" name="csrf" value="${e(csrf)}">
<label for="token">Approver token</label><input id="token" name="token" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form>`
    : '';
  const body = `<h1>Sign in to approve</h1>
${problem ? `<p class="error" role="alert">${e(problem)}</p>` : ''}
${api}${token}`;
  return layout('Sign in', body);
}

/**
 * After signing in with the API: the browser goes on to `target` from this page (a refresh, and a link), a request
 * of this site that carries the new SameSite=Strict session cookie, which the redirects from the API's site may not.
 */
export function signedInPage(approver: string, target: string): string {
  const body = `<h1>Signed in</h1><p class="notice">Signed in as ${e(approver)}.</p><p><a href="${e(target)}">Continue to your approvals</a></p>`;
  return layout('Signed in', body).replace('</title>', `</title><meta http-equiv="refresh" content="0;url=${e(target)}">`);
}

/** A short page that says what happened (refusals, expired links). */
export function messagePage(title: string, text: string): string {
  return layout(title, `<h1>${e(title)}</h1><p class="error" role="alert">${e(text)}</p><p><a href="/approvals">Approvals</a></p>`);
}
