// The approval page's requests under /approvals: sign-in (link secret or approver token), sessions, CSRF, Approve and Reject.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { Approver } from '../config/index.js';
import { type Approval, type ApprovalState, Approvals } from '../guard/approvals.js';
import { Confirmations, type TokenKind, requestHash } from '../guard/tokens.js';
import type { Logger } from '../core/logger.js';
import { redactor } from '../core/redact.js';
import { type SharedStore, StoreUnavailable } from '../core/store.js';
import { BodyTooLarge, bearerMatches, peerAddress, readBody, sameSecret, secretDigest } from '../core/requests.js';
import { CONTENT_SECURITY_POLICY, approvalPage, listPage, messagePage, signInPage, signedInPage } from './page.js';
import { SignInThrottle } from './throttle.js';

/**
 * How a person signs in. `link` (stdio): the link the server opens in the person's browser carries a single-use
 * secret, exchanged for a session on first visit. `token` (HTTP): an approver token typed into the sign-in form;
 * the bot's bearer token is refused.
 */
export type SignIn = { kind: 'link' } | { kind: 'token'; approvers: readonly Approver[]; botToken?: string; people?: PeopleOnPage };

/**
 * The OAuth mode's page (`--auth oauth`): each person signs in with the API people sign in to (Pinterest), and sees and
 * decides only the approvals they asked for, and those of the ad accounts `byAccount` names them for. Approver tokens,
 * where configured too, still sign in operators who see every approval.
 */
export interface PeopleOnPage {
  /** The API people sign in with ("Pinterest"), for the page's words. */
  label: string;
  /** `--approvers`: ad account id -> the people (user ids) who may also decide its approvals. */
  byAccount: Readonly<Record<string, readonly string[]>>;
}

/**
 * Signing a person in on the page through the API's own sign-in, as the transport's authorization server does it
 * (src/transports/oauth/sign-in.ts); given to the page once that server is up (`ApprovalWeb.signPeopleInWith`).
 */
export interface PersonSignIn {
  /** The API's authorize URL for a fresh sign-in, whose browser comes back to `back` (a path of this page) with `state`. */
  start(back: string): Promise<{ location: string; state: string }>;
  /** The person (user id) a returning sign-in names, its state used up and its code exchanged; or why not, for the person. */
  finish(query: URLSearchParams): Promise<{ person: string } | { problem: string; status: number }>;
}

/** Whether a session may see and decide `approval`: an approver by token (or the stdio person) every one; a signed-in person their own, and those of the accounts they are named for. */
export function mayDecide(approval: Pick<Approval, 'requested_by' | 'account'>, person: string | undefined, byAccount: PeopleOnPage['byAccount'] = {}): boolean {
  if (person === undefined) return true;
  if (approval.requested_by.person === person) return true;
  return approval.account !== undefined && Object.hasOwn(byAccount, approval.account) && byAccount[approval.account].includes(person);
}

/** How an approved write ended, as the executing process knows it. */
export interface Executed {
  state: Extract<ApprovalState, 'sent' | 'failed' | 'unknown' | 'not_sent'>;
  result: CallToolResult;
  /** Why, when the result alone does not say (a check refused it before it left). */
  note?: string;
}

export interface ApprovalWebOptions {
  approvals: Approvals;
  store: SharedStore;
  /**
   * Sends an approved write: re-checks that this process may (its deployment, its tool selection), runs the tool again
   * with the person's grant, and says how it ended.
   */
  execute(approval: Approval, approver: string): Promise<Executed>;
  signIn: SignIn;
  logger: Logger;
}

/** What the person is told, per outcome, when the store failed to record how their approved write ended. */
const UNRECORDED: Record<Executed['state'], string> = {
  sent: 'The write went out once and the API applied it (its result is below), but the approval store failed before the result was recorded.',
  failed: 'The write went out once and the API refused it, so nothing changed (its answer is below), but the approval store failed before the result was recorded.',
  unknown: 'The write went out once, but no usable answer came back: the change may or may not be in place (check the entity before it is asked again), and the approval store failed before the result was recorded.',
  not_sent: 'The write was not sent, so nothing changed (why is below), but the approval store failed before the result was recorded.',
};

const SESSION_COOKIE = 'pmcp_approver';
/**
 * A person's sign-in with the API under way (the OAuth mode): its state, and the approval to show after. SameSite=Lax,
 * unlike the others: it must come back with the browser from the API's page, a navigation from another site.
 */
const PERSON_SIGN_IN_COOKIE = 'pmcp_person_sign_in';
const PERSON_SIGN_IN_SECONDS = 10 * 60;
const PERSON_SIGN_IN_BACK = '/approvals/sign-in/back';
/** The approver id of a person signed in with the API: `<api>:<user id>`, as the page and `decided_by` show them. */
const personApprover = (label: string, person: string) => `${label.toLowerCase()}:${person}`;
/** A random value naming a browser before it signs in, so that the sign-in form's CSRF token is bound to it. */
const LOGIN_COOKIE = 'pmcp_login';
const SESSION_SECONDS = 8 * 3600;
const FORM_SECONDS = 3600;
const MAX_FORM_BYTES = 8 * 1024;
/** The approver id of the person at the stdio server's own computer. */
const LOCAL_APPROVER = 'local';

/** Single-use secrets of stdio sign-in links, each for one approval. */
const LINK_SECRETS: TokenKind = { prefix: 'lnk', keyspace: 'approval-link' };
/** Forms already sent by a signed-in session: each form (its CSRF token) is accepted once. */
const USED_FORMS = 'csrf-used:';
/** What an approval id looks like (src/guard/approvals.ts), where one is carried through a sign-in. */
const APPROVAL_ID = /^apr_[\w-]{24}$/;

interface Session {
  approver: string;
  /** Signed in with the API (the OAuth mode): the person's user id; they see only their approvals and their accounts'. */
  person?: string;
}

/** An HMAC of `message` under `key`, base64url. */
function mac(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}

/** Whether `token` is `<nonce>.<mac(key, action:nonce)>`, in constant time. */
function validFormToken(key: string, action: string, token: string | null): boolean {
  const match = /^([\w-]{16})\.([\w-]{43})$/.exec(token ?? '');
  if (!match) return false;
  const expected = Buffer.from(mac(key, `${action}:${match[1]}`));
  const given = Buffer.from(match[2]);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A fresh form token for `action` under `key`: nothing is stored; the MAC proves the form came from this page. */
function formToken(key: string, action: string): string {
  const nonce = randomBytes(12).toString('base64url');
  return `${nonce}.${mac(key, `${action}:${nonce}`)}`;
}

/** The page's headers: no caching, no framing, a referrer only within this page (a sign-in link's secret never travels elsewhere; `no-referrer` would make Chromium send `Origin: null` with the forms), this CSP. */
function send(res: ServerResponse, status: number, page: string, headers: Record<string, string | string[]> = {}): void {
  // Whatever an upstream echoed into names, notes or outcomes, no secret reaches the person's screen.
  const html = redactor.text(page);
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

function cookieHeader(name: string, value: string, req: IncomingMessage, maxAge: number, sameSite: 'strict' | 'lax' = 'strict'): string {
  const secure = req.headers['x-forwarded-proto'] === 'https' || (req.socket as { encrypted?: boolean }).encrypted === true;
  return stringifySetCookie({ name, value, httpOnly: true, sameSite, path: '/approvals', maxAge, secure });
}

export class ApprovalWeb {
  private readonly links: Confirmations;
  private readonly throttle = new SignInThrottle();
  /**
   * The key of the sign-in form's CSRF tokens, before anyone is signed in: derived from the approvers' tokens, so that
   * every replica with the same approvers accepts the forms of the others, and nothing is stored for a visitor.
   */
  private readonly signInKey: string;
  /** stdio: told when someone opens the page signed out (the desk may then open a fresh sign-in link). */
  onSignInWanted?: () => void;
  /** The OAuth mode: how a person signs in with the API, once the transport's authorization server is up. */
  private personSignIn?: PersonSignIn;

  constructor(private readonly options: ApprovalWebOptions) {
    this.links = new Confirmations(LINK_SECRETS, options.store, options.approvals.ttlSeconds);
    const secrets = options.signIn.kind === 'token' ? options.signIn.approvers.map((a) => `${a.id}=${a.token}`).sort().join('\n') : randomBytes(32).toString('hex');
    this.signInKey = createHash('sha256').update(`pinterest-api-mcp sign-in forms\n${secrets}`).digest('base64url');
  }

  /** The OAuth mode: the transport's sign-in with the API, which the page's "Sign in with …" then goes through. */
  signPeopleInWith(signIn: PersonSignIn): void {
    this.personSignIn = signIn;
  }

  /** The OAuth mode's people, where the page signs them in. */
  private get people(): PeopleOnPage | undefined {
    return this.options.signIn.kind === 'token' ? this.options.signIn.people : undefined;
  }

  /** Whether `session` may see and decide `approval` (see mayDecide). */
  private visible(approval: Approval, session: Session): boolean {
    return mayDecide(approval, session.person, this.people?.byAccount);
  }

  /** stdio: the path of a single-use sign-in link to one approval (`/approvals/<id>?key=…`); only the person's browser gets it. */
  async signInLink(approval: Approval): Promise<string> {
    const { token } = await this.links.issue('approval-page', requestHash({ approval: approval.id }));
    return `/approvals/${approval.id}?key=${token}`;
  }

  /**
   * Answers one request under /approvals; `client` is where it comes from as the transport reads it (behind trusted
   * proxies, the forwarded address), by default the socket's peer.
   */
  async handle(req: IncomingMessage, res: ServerResponse, client: string = peerAddress(req)): Promise<void> {
    try {
      await this.route(req, res, client);
    } catch (error) {
      const unavailable = error instanceof StoreUnavailable;
      this.options.logger.error({ err: error }, 'the approval page failed');
      if (!res.headersSent) {
        send(res, unavailable ? 503 : 500, messagePage('Try again', unavailable ? 'The approval store is unavailable; nothing was decided or sent.' : 'The page failed; nothing was decided or sent.'));
      }
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, client: string): Promise<void> {
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
      if (parts.length === 1 && parts[0] === 'sign-in' && signIn.kind === 'token' && signIn.approvers.length > 0) return this.signInWithToken(req, res, form, signIn, client);
      const session = await this.session(req);
      if (!session) return this.askToSignIn(req, res, 401);
      const action = parts.length === 1 && parts[0] === 'sign-out' ? 'sign-out' : parts.length === 2 && ['approve', 'reject'].includes(parts[1]) ? `${parts[1]}:${parts[0]}` : undefined;
      if (!action) return send(res, 404, messagePage('Not found', 'No such form.'));
      if (!(await this.useForm(session.id, action, form.get('csrf')))) {
        return send(res, 403, messagePage('Form refused', 'This form expired or was already sent (each form is sent once). Reload the page and decide again.'));
      }
      if (action === 'sign-out') {
        await this.options.store.delete(`approver-session:${session.id}`);
        return redirect(res, '/approvals', { 'set-cookie': cookieHeader(SESSION_COOKIE, '', req, 0) });
      }
      return this.decide(res, parts[0], parts[1] === 'approve', session);
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, messagePage('Method not allowed', 'Use the page’s forms.'), { allow: 'GET, POST' });

    if (parts.length === 1 && signIn.kind === 'link' && url.searchParams.has('key')) return this.signInWithLink(req, res, parts[0], url.searchParams.get('key') ?? '');
    if (parts.length === 2 && parts[0] === 'sign-in' && this.people && method === 'GET') {
      if (parts[1] === 'start') return this.startPersonSignIn(req, res, url.searchParams.get('then'));
      if (parts[1] === 'back') return this.finishPersonSignIn(req, res, url.searchParams);
    }
    const session = await this.session(req);
    if (!session) return this.askToSignIn(req, res, 401, undefined, parts.length === 1 ? parts[0] : undefined);
    const csrf = async (action: string) => formToken(session.id, action);
    if (parts.length === 0) {
      const pending = (await this.options.approvals.pending()).filter((approval) => this.visible(approval, session));
      return send(res, 200, await listPage(pending, csrf, session.approver));
    }
    if (parts.length === 1) {
      const found = await this.options.approvals.get(parts[0]);
      // Another person's approval is not there for this one: the same answer as an unknown id.
      const approval = found && this.visible(found, session) ? found : undefined;
      if (!approval) return send(res, 404, messagePage('Not found', 'No such approval (unknown, or gone: a decided or expired approval is kept a day, less when the server needs room for new ones).'));
      const elsewhere = this.options.approvals.mismatch(approval);
      if (elsewhere) return send(res, 404, messagePage('Not on this server', `This server cannot execute this approval: ${elsewhere}. Open it on the server that asked for it.`));
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
    const session = (await this.options.store.get(`approver-session:${id}`)) as Session | undefined;
    return session ? { ...session, id } : undefined;
  }

  private async startSession(req: IncomingMessage, approver: string, person?: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.options.store.set(`approver-session:${id}`, { approver, ...(person === undefined ? {} : { person }) } satisfies Session, SESSION_SECONDS * 1000);
    return cookieHeader(SESSION_COOKIE, id, req, SESSION_SECONDS);
  }

  /**
   * A signed-in session's form: its token must carry this session's MAC for this action, and each token is accepted
   * once (the used ones are remembered for the session's lifetime; only signed-in posts store anything).
   */
  private async useForm(sessionId: string, action: string, token: string | null): Promise<boolean> {
    if (!validFormToken(sessionId, action, token)) return false;
    const key = USED_FORMS + createHash('sha256').update(token!).digest('base64url');
    if (await this.options.store.get(key)) return false;
    await this.options.store.set(key, true, SESSION_SECONDS * 1000);
    return true;
  }

  /**
   * The sign-in page (HTTP) or the "open your link" page (stdio). Stores nothing: the form's token is a MAC of a cookie.
   * `then`: the approval the person opened, shown once they have signed in with the API (the OAuth mode).
   */
  private async askToSignIn(req: IncomingMessage, res: ServerResponse, status: number, problem?: string, then?: string): Promise<void> {
    if (this.options.signIn.kind === 'link') {
      this.onSignInWanted?.();
      return send(
        res,
        status,
        messagePage(
          'Sign-in link needed',
          'Each approval link signs in once, in the browser it opened in. To get a fresh one, ask your assistant to check on the approval: this server then opens a new sign-in link in your browser.',
        ),
      );
    }
    const { people } = this;
    const withApi = people ? { label: people.label, href: `/approvals/sign-in/start${then && APPROVAL_ID.test(then) ? `?then=${then}` : ''}` } : undefined;
    const tokens = this.options.signIn.approvers.length > 0;
    if (!tokens) return send(res, status, signInPage(undefined, problem, withApi));
    const nonce = randomBytes(24).toString('base64url');
    return send(res, status, signInPage(formToken(this.signInKey, `sign-in:${nonce}`), problem, withApi), { 'set-cookie': cookieHeader(LOGIN_COOKIE, nonce, req, FORM_SECONDS) });
  }

  /**
   * The OAuth mode: a person goes to the API's sign-in page (the same app and callback as the MCP sign-in), with a
   * fresh state that this browser carries in a cookie, so that only the browser which started a sign-in finishes it.
   */
  private async startPersonSignIn(req: IncomingMessage, res: ServerResponse, then: string | null): Promise<void> {
    if (!this.personSignIn) return send(res, 503, messagePage('Try again', 'Signing in is not ready yet on this server; reload in a moment.'));
    const { location, state } = await this.personSignIn.start(PERSON_SIGN_IN_BACK);
    const carried = `${state}.${then && APPROVAL_ID.test(then) ? then : ''}`;
    return redirect(res, location, { 'set-cookie': cookieHeader(PERSON_SIGN_IN_COOKIE, carried, req, PERSON_SIGN_IN_SECONDS, 'lax') });
  }

  /**
   * The OAuth mode: back from the API's page. The state must be the one this browser started with; the transport uses
   * it up (once, on any replica), exchanges the code and names the person, whose session then begins. The API's token
   * is not kept for the page: it only named the person.
   */
  private async finishPersonSignIn(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const { people, personSignIn } = this;
    if (!people || !personSignIn) return send(res, 503, messagePage('Try again', 'Signing in is not ready yet on this server; reload in a moment.'));
    const forget = cookieHeader(PERSON_SIGN_IN_COOKIE, '', req, 0, 'lax');
    const carried = parseCookie(req.headers.cookie ?? '')[PERSON_SIGN_IN_COOKIE] ?? '';
    const dot = carried.lastIndexOf('.');
    const state = dot > 0 ? carried.slice(0, dot) : '';
    const then = dot > 0 ? carried.slice(dot + 1) : '';
    if (!state || !sameSecret(state, query.get('state') ?? '')) {
      return send(res, 400, messagePage('Sign-in refused', `This sign-in was started in another browser, or it expired. Sign in with ${people.label} again.`), { 'set-cookie': forget });
    }
    const finished = await personSignIn.finish(query);
    if ('problem' in finished) {
      this.options.logger.info({ problem: finished.problem }, `approval page: a sign-in with ${people.label} did not finish`);
      return send(res, finished.status, messagePage('Not signed in', finished.problem), { 'set-cookie': forget });
    }
    const approver = personApprover(people.label, finished.person);
    this.options.logger.info({ approver, person: finished.person }, `approval page: signed in with ${people.label}`);
    const session = await this.startSession(req, approver, finished.person);
    // A page of our own, not a redirect: at the end of redirects that began on the API's site, Chromium leaves the new
    // SameSite=Strict session cookie out of the next request (the cross-site test saw the sign-in page again); this
    // page's own refresh (and its link) is a request of this site, which carries it.
    const target = `/approvals${APPROVAL_ID.test(then) ? `/${then}` : ''}`;
    return send(res, 200, signedInPage(approver, target), { 'set-cookie': [session, forget] });
  }

  private async signInWithLink(req: IncomingMessage, res: ServerResponse, approvalId: string, key: string): Promise<void> {
    const valid = /^lnk_[\w-]{24}$/.test(key) && (await this.links.consume(key, requestHash({ approval: approvalId }))) === 'ok';
    if (!valid) return send(res, 403, messagePage('Link used or expired', 'Each approval link signs in once. Ask your assistant to check on the approval for a new link.'));
    this.options.logger.info({ approver: LOCAL_APPROVER }, 'approval page: signed in by link');
    return redirect(res, `/approvals/${encodeURIComponent(approvalId)}`, { 'set-cookie': await this.startSession(req, LOCAL_APPROVER) });
  }

  private async signInWithToken(req: IncomingMessage, res: ServerResponse, form: URLSearchParams, signIn: Extract<SignIn, { kind: 'token' }>, address: string): Promise<void> {
    const wait = this.throttle.waitSeconds(address);
    if (wait > 0) {
      this.options.logger.warn({ client_address: address, retry_after: wait }, 'approval page: sign-in refused while this address waits after failed sign-ins');
      return send(res, 429, messagePage('Too many sign-ins', `Too many failed sign-ins from this address: try again in ${wait} seconds.`), { 'retry-after': String(wait) });
    }
    const nonce = parseCookie(req.headers.cookie ?? '')[LOGIN_COOKIE] ?? '';
    if (!nonce || !validFormToken(this.signInKey, `sign-in:${nonce}`, form.get('csrf'))) {
      return this.askToSignIn(req, res, 403, 'The sign-in form expired or was not sent from this page; sign in again.');
    }
    const token = form.get('token') ?? '';
    if (signIn.botToken && sameSecret(token, signIn.botToken)) {
      this.throttle.failed(address);
      this.options.logger.warn({ client_address: address }, 'approval page: refused a sign-in with the bot bearer token');
      return send(res, 403, messagePage('Forbidden', "The bot's bearer token cannot approve; sign in with an approver token."));
    }
    // Every approver is compared, so the time taken does not tell which one (or whether any) matched.
    const matches = signIn.approvers.filter((a) => sameSecret(token, a.token));
    if (matches.length !== 1) {
      const next = this.throttle.failed(address);
      // The typed text is never logged: it may be a real token with a typo.
      this.options.logger.warn({ client_address: address, next_attempt_in_seconds: next }, 'approval page: refused a sign-in with an unknown token');
      return this.askToSignIn(req, res, 401, 'That is not an approver token.');
    }
    this.throttle.succeeded(address);
    const approver = matches[0].id;
    this.options.logger.info({ approver, client_address: address }, 'approval page: signed in');
    return redirect(res, '/approvals', { 'set-cookie': [await this.startSession(req, approver), cookieHeader(LOGIN_COOKIE, '', req, 0)] });
  }

  /**
   * Approve or Reject: only the caller that wins the approval's claim (once, across replicas) sends or rejects. Each
   * step is stored before the next: `sending` before the write leaves, its outcome after; when the store fails after
   * the send, the person is shown the outcome anyway, and the record is stored once the store is back.
   */
  private async decide(res: ServerResponse, id: string, approve: boolean, session: Session & { id: string }): Promise<void> {
    const by = `page:${session.approver}`;
    const current = await this.options.approvals.get(id);
    const csrf = async (action: string) => formToken(session.id, action);
    // Another person's approval: the same answer as an unknown one, and nothing is decided.
    if (current && !this.visible(current, session)) return send(res, 404, messagePage('Not found', 'No such approval.'));
    if (current) {
      const elsewhere = this.options.approvals.mismatch(current);
      if (elsewhere) return send(res, 409, await approvalPage(current, csrf, `This server cannot execute this approval: ${elsewhere}. Nothing was decided or sent.`));
    }
    let decided;
    try {
      decided = await this.options.approvals.decide(id, approve, by);
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.options.logger.error({ err: error, approval: id }, 'the approval store failed while a decision was recorded; nothing was sent');
      return send(
        res,
        503,
        approve
          ? messagePage('Not sent', 'The approval store failed while your decision was being recorded, so nothing was sent. Once it is back, reload this approval: if it still offers Approve, decide again; if not, ask your assistant to request the change again.')
          : messagePage('Rejection not recorded yet', 'The approval store failed while your rejection was being recorded. Nothing was sent, and nothing will be: this server records the rejection once the store is back, unless the approval was decided first. Reload this approval then to check.'),
      );
    }
    const { decision, approval } = decided;
    if (decision === 'unknown' || !approval) return send(res, 404, messagePage('Not found', 'No such approval.'));
    if (decision === 'expired') return send(res, 410, await approvalPage(approval, csrf, 'This approval expired; nothing was sent.'));
    if (decision === 'interrupted') {
      return send(res, 409, await approvalPage(approval, csrf, 'A decision on this approval was interrupted by a store failure; nothing was sent. Ask your assistant to request the change again.'));
    }
    if (decision === 'already_decided') {
      return send(res, 409, await approvalPage(approval, csrf, `Already decided (${approval.state}${approval.decided_by ? ` by ${approval.decided_by}` : ''}); nothing more was sent.`));
    }
    this.options.logger.info({ approval: id, tool: approval.tool, decided_by: by, approved: approve }, approve ? 'approval approved: sending the write' : 'approval rejected');
    if (!approve) return redirect(res, `/approvals/${encodeURIComponent(id)}`);
    const { approvals } = this.options;
    approvals.inFlight.add(id);
    let executed: Executed;
    try {
      executed = await this.options.execute(approval, session.approver);
    } catch (error) {
      // Thrown only before anything was sent (the runner turns every failure after a send into a result).
      this.options.logger.error({ err: error, approval: id }, 'an approved write failed inside the server');
      executed = { state: 'not_sent', result: { isError: true, content: [{ type: 'text', text: 'The write failed inside the server before it was sent.' }] }, note: 'the write failed inside the server before it was sent.' };
    } finally {
      approvals.inFlight.delete(id);
    }
    try {
      await approvals.finish(approval, executed.state, executed.result, executed.note);
    } catch (error) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.options.logger.error({ err: error, approval: id, outcome: executed.state }, 'the approval store failed after the write; the outcome is kept here until it is back');
      const shown = { ...approval, state: executed.state, outcome: redactor.value(executed.result), note: executed.note };
      return send(res, 200, await approvalPage(shown, csrf, `${UNRECORDED[executed.state]} Your assistant may be told the outcome was not recorded; it will be recorded once the store is back.`));
    }
    return redirect(res, `/approvals/${encodeURIComponent(id)}`);
  }
}
