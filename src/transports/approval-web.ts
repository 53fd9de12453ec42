// The approval page's requests under /approvals: sign-in (link secret or approver token), sessions, CSRF, Approve and Reject.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Approver } from '../config.js';
import { type Approval, Approvals } from '../guards/approvals.js';
import { Confirmations, type TokenKind, requestHash } from '../guards/confirmations.js';
import type { Logger } from '../logger.js';
import { redactor } from '../redact.js';
import { type Store, StoreUnavailable, inStore } from '../store.js';
import { BodyTooLarge, bearerMatches, readBody, sameSecret, secretDigest } from './requests.js';
import { CONTENT_SECURITY_POLICY, approvalPage, listPage, messagePage, signInPage } from './approval-page.js';

/**
 * How a person signs in. `link` (stdio): the link the server opens in the person's browser carries a single-use
 * secret, exchanged for a session on first visit. `token` (HTTP): an approver token typed into the sign-in form;
 * the bot's bearer token is refused.
 */
export type SignIn = { kind: 'link' } | { kind: 'token'; approvers: readonly Approver[]; botToken?: string };

export interface ApprovalWebOptions {
  approvals: Approvals;
  store: Store;
  storeLabel: string;
  /** Sends an approved write (the tool run again with the person's grant) and answers its result. */
  execute(approval: Approval, by: `page:${string}`): Promise<CallToolResult>;
  signIn: SignIn;
  logger: Logger;
}

const SESSION_COOKIE = 'pmcp_approver';
/** A random value naming a browser before it signs in, so that the sign-in form's CSRF token is bound to it. */
const LOGIN_COOKIE = 'pmcp_login';
const SESSION_SECONDS = 8 * 3600;
const FORM_SECONDS = 3600;
const MAX_FORM_BYTES = 8 * 1024;
/** The approver id of the person at the stdio server's own computer. */
const LOCAL_APPROVER = 'local';

/** Single-use secrets of stdio sign-in links, each for one approval. */
const LINK_SECRETS: TokenKind = { prefix: 'lnk', keyspace: 'approval-link' };
/** Single-use CSRF tokens, one per form shown, bound to the session and the form's action. */
const CSRF_TOKENS: TokenKind = { prefix: 'csrf', keyspace: 'csrf' };

interface Session {
  approver: string;
}


/** The page's headers: no caching, no framing, a referrer only within this page (a sign-in link's secret never travels elsewhere; `no-referrer` would make Chromium send `Origin: null` with the forms), this CSP. */
function send(res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(html)),
    'cache-control': 'no-store',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...headers,
  });
  res.end(html);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'content-length': '0', ...headers });
  res.end();
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return undefined;
  try {
    return new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
  } catch (error) {
    if (error instanceof BodyTooLarge) return undefined;
    throw error;
  }
}

/** A form post must come from this page's own origin (the Host it was served on, over http or https). */
function sameOrigin(req: IncomingMessage): boolean {
  const { origin, host } = req.headers;
  if (!origin || !host) return false;
  const o = origin.toLowerCase();
  return o === `http://${host.toLowerCase()}` || o === `https://${host.toLowerCase()}`;
}

function cookieHeader(name: string, value: string, req: IncomingMessage, maxAge: number): string {
  const secure = req.headers['x-forwarded-proto'] === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true;
  return stringifySetCookie({ name, value, httpOnly: true, sameSite: 'strict', path: '/approvals', maxAge, secure });
}

export class ApprovalWeb {
  private readonly links: Confirmations;
  private readonly forms: Confirmations;

  constructor(private readonly options: ApprovalWebOptions) {
    this.links = new Confirmations(LINK_SECRETS, options.store, options.approvals.ttlSeconds, options.storeLabel);
    this.forms = new Confirmations(CSRF_TOKENS, options.store, FORM_SECONDS, options.storeLabel);
  }

  /** stdio: the path of a single-use sign-in link to one approval (`/approvals/<id>?key=…`); only the person's browser gets it. */
  async signInLink(approval: Approval): Promise<string> {
    const { token } = await this.links.issue('approval-page', requestHash({ approval: approval.id }));
    return `/approvals/${approval.id}?key=${token}`;
  }

  /** Answers one request under /approvals. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (error) {
      const unavailable = error instanceof StoreUnavailable;
      this.options.logger.error({ err: error }, 'the approval page failed');
      if (!res.headersSent) {
        send(res, unavailable ? 503 : 500, messagePage('Try again', unavailable ? 'The approval store is unavailable; nothing was decided.' : 'The page failed; nothing was decided.'));
      }
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { signIn } = this.options;
    const url = new URL(req.url ?? '/', 'http://page');
    const method = req.method ?? 'GET';
    if (signIn.kind === 'token' && signIn.botToken && this.carriesBotToken(req, signIn.botToken)) {
      return send(res, 403, messagePage('Forbidden', "The bot's bearer token cannot approve; sign in with an approver token."));
    }
    const parts = url.pathname.replace(/\/+$/, '').split('/').slice(2); // after "/approvals"
    if (method === 'POST') {
      if (!sameOrigin(req)) return send(res, 403, messagePage('Forbidden', 'This form was not sent from this page (Origin check).'));
      const form = await readForm(req);
      if (!form) return send(res, 400, messagePage('Bad request', 'Expected a form of at most 8 KiB.'));
      if (parts.length === 1 && parts[0] === 'sign-in' && signIn.kind === 'token') return this.signInWithToken(req, res, form, signIn);
      const session = await this.session(req);
      if (!session) return this.askToSignIn(req, res, 401);
      const action = parts.length === 1 && parts[0] === 'sign-out' ? 'sign-out' : parts.length === 2 && ['approve', 'reject'].includes(parts[1]) ? `${parts[1]}:${parts[0]}` : undefined;
      if (!action) return send(res, 404, messagePage('Not found', 'No such form.'));
      if (!(await this.formTokenOk(session.id, action, form.get('csrf')))) {
        return send(res, 403, messagePage('Form refused', 'This form expired or was already sent (each form is sent once). Reload the page and decide again.'));
      }
      if (action === 'sign-out') {
        await this.use(() => this.options.store.delete(`approver-session:${session.id}`));
        return redirect(res, '/approvals', { 'set-cookie': cookieHeader(SESSION_COOKIE, '', req, 0) });
      }
      return this.decide(res, parts[0], parts[1] === 'approve', session);
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, messagePage('Method not allowed', 'Use the page’s forms.'), { allow: 'GET, POST' });

    if (parts.length === 1 && signIn.kind === 'link' && url.searchParams.has('key')) return this.signInWithLink(req, res, parts[0], url.searchParams.get('key') ?? '');
    const session = await this.session(req);
    if (!session) return this.askToSignIn(req, res, 401);
    const csrf = (action: string) => this.formToken(session.id, action);
    if (parts.length === 0) return send(res, 200, await listPage(await this.options.approvals.pending(), csrf, session.approver));
    if (parts.length === 1) {
      const approval = await this.options.approvals.get(parts[0]);
      if (!approval) return send(res, 404, messagePage('Not found', 'No such approval (unknown, or gone a day after its decision).'));
      return send(res, 200, await approvalPage(approval, csrf));
    }
    return send(res, 404, messagePage('Not found', 'No such page.'));
  }

  private carriesBotToken(req: IncomingMessage, botToken: string): boolean {
    return bearerMatches(req.headers.authorization, secretDigest(botToken));
  }

  private async session(req: IncomingMessage): Promise<(Session & { id: string }) | undefined> {
    const id = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
    if (!id || !/^[\w-]{43}$/.test(id)) return undefined;
    const session = (await this.use(() => this.options.store.get(`approver-session:${id}`))) as Session | undefined;
    return session ? { ...session, id } : undefined;
  }

  private async startSession(req: IncomingMessage, approver: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.use(() => this.options.store.set(`approver-session:${id}`, { approver } satisfies Session, SESSION_SECONDS * 1000));
    return cookieHeader(SESSION_COOKIE, id, req, SESSION_SECONDS);
  }

  private async formToken(sessionId: string, action: string): Promise<string> {
    return (await this.forms.issue('form', requestHash({ session: sessionId, action }))).token;
  }

  private async formTokenOk(sessionId: string, action: string, token: string | null): Promise<boolean> {
    if (!token || !/^csrf_[\w-]{24}$/.test(token)) return false;
    return (await this.forms.consume(token, requestHash({ session: sessionId, action }))) === 'ok';
  }

  private async askToSignIn(req: IncomingMessage, res: ServerResponse, status: number, problem?: string): Promise<void> {
    if (this.options.signIn.kind === 'link') {
      return send(res, status, messagePage('Sign-in link needed', 'Open the approval link this server opened in your browser or printed in its log; each link signs in once.'));
    }
    const nonce = randomBytes(24).toString('base64url');
    const csrf = await this.formToken(`login:${nonce}`, 'sign-in');
    return send(res, status, signInPage(csrf, problem), { 'set-cookie': cookieHeader(LOGIN_COOKIE, nonce, req, FORM_SECONDS) });
  }

  private async signInWithLink(req: IncomingMessage, res: ServerResponse, approvalId: string, key: string): Promise<void> {
    const valid = /^lnk_[\w-]{24}$/.test(key) && (await this.links.consume(key, requestHash({ approval: approvalId }))) === 'ok';
    if (!valid) return send(res, 403, messagePage('Link used or expired', 'Each approval link signs in once. Ask for the approval again to get a new link.'));
    this.options.logger.info({ approver: LOCAL_APPROVER }, 'approval page: signed in by link');
    return redirect(res, `/approvals/${encodeURIComponent(approvalId)}`, { 'set-cookie': await this.startSession(req, LOCAL_APPROVER) });
  }

  private async signInWithToken(req: IncomingMessage, res: ServerResponse, form: URLSearchParams, signIn: Extract<SignIn, { kind: 'token' }>): Promise<void> {
    const nonce = parseCookie(req.headers.cookie ?? '')[LOGIN_COOKIE] ?? '';
    if (!(await this.formTokenOk(`login:${nonce}`, 'sign-in', form.get('csrf')))) {
      return this.askToSignIn(req, res, 403, 'The sign-in form expired or was already sent; sign in again.');
    }
    const token = form.get('token') ?? '';
    if (signIn.botToken && sameSecret(token, signIn.botToken)) {
      this.options.logger.warn('approval page: refused a sign-in with the bot bearer token');
      return send(res, 403, messagePage('Forbidden', "The bot's bearer token cannot approve; sign in with an approver token."));
    }
    // Every approver is compared, so the time taken does not tell which one (or whether any) matched.
    const matches = signIn.approvers.filter((a) => sameSecret(token, a.token));
    if (matches.length !== 1) {
      this.options.logger.warn('approval page: refused a sign-in with an unknown token');
      return this.askToSignIn(req, res, 401, 'That is not an approver token.');
    }
    const approver = matches[0].id;
    this.options.logger.info({ approver }, 'approval page: signed in');
    return redirect(res, '/approvals', { 'set-cookie': [await this.startSession(req, approver), cookieHeader(LOGIN_COOKIE, '', req, 0)] });
  }

  /** Approve or Reject: only the caller that wins the approval's claim (once, across replicas) sends or rejects. */
  private async decide(res: ServerResponse, id: string, approve: boolean, session: Session & { id: string }): Promise<void> {
    const by = `page:${session.approver}` as const;
    const { decision, approval } = await this.options.approvals.decide(id, approve, by);
    if (decision === 'unknown' || !approval) return send(res, 404, messagePage('Not found', 'No such approval.'));
    const csrf = (action: string) => this.formToken(session.id, action);
    if (decision === 'expired') return send(res, 410, await approvalPage(approval, csrf, 'This approval expired; nothing was sent.'));
    if (decision === 'already_decided') {
      return send(res, 409, await approvalPage(approval, csrf, `Already decided (${approval.state}${approval.decided_by ? ` by ${approval.decided_by}` : ''}); nothing more was sent.`));
    }
    this.options.logger.info({ approval: id, tool: approval.tool, decided_by: by, approved: approve }, approve ? 'approval approved: sending the write' : 'approval rejected');
    if (approve) {
      let outcome: CallToolResult;
      try {
        outcome = await this.options.execute(approval, by);
      } catch (error) {
        outcome = { isError: true, content: [{ type: 'text', text: `The write failed inside the server: ${(error as Error).message}` }] };
      }
      await this.options.approvals.finish(approval, redactor.value(outcome));
    }
    return redirect(res, `/approvals/${encodeURIComponent(id)}`);
  }

  private use<T>(operation: () => Promise<T>): Promise<T> {
    return inStore(this.options.storeLabel, operation);
  }
}
