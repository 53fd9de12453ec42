// Signing in with the API (Pinterest's "Sign in with Pinterest"): the authorization server's login step sends the person to the API's page, keeps their tokens sealed, and finishes as them.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { PeopleSignIn } from '../../apis/types.js';
import type { PersonSignIn } from '../../approval/web.js';
import type { Logger } from '../../core/logger.js';
import type { SharedStore } from '../../core/store.js';
import type { PersonTokens, TokenVault } from '../../core/vault.js';
import { boundedFetch } from '../../http/fetch.js';
import { readBody } from '../../core/requests.js';
import { CONSENT_HEADERS, consentPage } from './consent.js';
import { LIFETIMES, MCP_SCOPE, OAUTH_PREFIX, PROVIDER_SCOPES, errorPage } from './provider.js';

/** The API people sign in to: its sign-in (its adapter's), where it is, and what to ask of it. */
export interface UpstreamSignIn extends PeopleSignIn {
  /** The API's label, for the pages and the log. */
  label: string;
  /** The API's base URL: the token endpoint and the read that names the person are relative to it. */
  apiBaseUrl: string;
  /** The scopes the enabled toolsets need (src/tools/scopes.ts) and `extraScopes`, asked at every sign-in. */
  scopes: readonly string[];
  timeoutMs: number;
}

export interface SignInOptions {
  provider: Provider;
  store: SharedStore;
  vault: TokenVault;
  upstream: UpstreamSignIn;
  /** The public origin: the callback the API's page returns to is `<it>/oauth/callback`. */
  publicUrl: string;
  /** `<public-url>/mcp`, the resource of the grant made for the person. */
  resource: string;
  logger: Logger;
}

/** The route the API's page sends the person back to (the app's registered redirect URI). */
export const CALLBACK_PATH = `${OAUTH_PREFIX}/callback`;

/** Token and user answers are a few hundred bytes. */
const upstreamFetch = boundedFetch(64 * 1024);

/** A sign-in's `state` names its interaction for as long as the interaction lives, under its digest. */
const stateKey = (state: string) => `oauth-sign-in:${createHash('sha256').update(state, 'utf8').digest('base64url')}`;

/**
 * What the store keeps of a sign-in under way: the interaction it belongs to (an MCP client's authorization), or the
 * approval page's path the browser goes back to (a person signing in on the page).
 */
type PendingSignIn = { uid: string; page?: undefined } | { page: string; uid?: undefined };

class SignInFailed extends Error {}

/** The provider's own scopes a grant may carry. */
const OPENID_SCOPES = new Set<string>(PROVIDER_SCOPES);

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(html)) });
  res.end(html);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'content-length': '0' });
  res.end();
}

const ANOTHER_TRY = 'Start again from your app (add or reconnect the server there).';

/** The consent form is a uid and a decision: a few hundred bytes. */
const CONSENT_FORM_BYTES = 4 * 1024;

/**
 * The person's side of the authorization: every authorization, whatever oidc-provider's prompt (login or consent),
 * first asks the person whether this client may act as them here (this server's own consent page: the API's page
 * names only this server's app, not the client, and registration is open), then goes through the API's sign-in
 * (Pinterest's), so a client never obtains a token for someone without that person allowing it and passing the API's
 * page; the grant made then is for that one client and the MCP scope.
 *
 * 0. `GET /oauth/interaction/:uid` (oidc-provider's interaction): the consent page names the client (its registered
 *    name, as its claim), its id (for a metadata document's client, the host that publishes it) and where it returns
 *    the person, with a warning when it returns only to loopback; `POST …/consent` with Cancel ends the authorization
 *    with access_denied, with Continue goes on.
 * 1. A random `state` is stored for the interaction and the person goes to the API's authorize page with the app id,
 *    the callback, the toolsets' scopes and the state.
 * 2. `GET /oauth/callback`: the state names the interaction; the browser goes on to that interaction's own path, where
 *    oidc-provider's interaction cookie (bound to it) is sent.
 * 3. `GET /oauth/interaction/:uid/back`: the cookie's interaction must be the state's, and the state is used up
 *    (deleted: once, on one replica). The code is exchanged at the API's token endpoint with the app's credentials,
 *    `whoAmI` names the person (Pinterest: user_account's id), their tokens are sealed in the vault under that id,
 *    and the interaction finishes as that account with a grant of the MCP scope for this client and resource.
 * The API's tokens never leave this server; oidc-provider's tokens are never sent to the API.
 */
export function signInRoutes(options: SignInOptions) {
  const { provider, store, upstream, logger } = options;
  const callbackUrl = `${options.publicUrl}${CALLBACK_PATH}`;
  const basic = `Basic ${Buffer.from(`${upstream.clientId}:${upstream.clientSecret}`).toString('base64')}`;

  /** Step 0: the consent page, naming the client that asks and where it sends the person back. */
  async function ask(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, errorPage('This sign-in cannot go on', `This page belongs to another sign-in. ${ANOTHER_TRY}`));
    const clientId = String(details.params.client_id);
    const client = await provider.Client.find(clientId);
    const page = consentPage({
      uid,
      clientId,
      // oidc-provider marks a client made from its metadata document (lib/helpers/client_id_metadata_document.js).
      idIsDocument: (client as { clientIdMetadataDocument?: boolean } | undefined)?.clientIdMetadataDocument === true,
      clientName: typeof client?.clientName === 'string' ? client.clientName : undefined,
      redirectUri: String(details.params.redirect_uri ?? ''),
      redirectUris: client?.redirectUris ?? [],
      server: options.publicUrl,
      api: upstream.label,
      action: `${OAUTH_PREFIX}/interaction/${encodeURIComponent(uid)}/consent`,
    });
    res.writeHead(200, { ...CONSENT_HEADERS, 'content-length': String(Buffer.byteLength(page)) });
    res.end(page);
  }

  /**
   * The person's answer to the consent page (a form post from this origin, with the interaction's own cookie): Continue
   * goes on to the API's page (step 1) with a state bound to the interaction, Cancel ends the authorization with
   * access_denied.
   */
  async function consent(req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== new URL(options.publicUrl).origin) {
      return send(res, 403, errorPage('This sign-in cannot go on', `The answer did not come from this server's own page. ${ANOTHER_TRY}`));
    }
    let form: URLSearchParams;
    try {
      form = new URLSearchParams((await readBody(req, CONSENT_FORM_BYTES)).toString('utf8'));
    } catch {
      return send(res, 413, errorPage('This sign-in cannot go on', `The answer was too large. ${ANOTHER_TRY}`));
    }
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || form.get('uid') !== uid) {
      return send(res, 400, errorPage('This sign-in cannot go on', `This answer belongs to another sign-in. ${ANOTHER_TRY}`));
    }
    if (form.get('decision') !== 'allow') {
      logger.info({ client: String(details.params.client_id) }, 'a person declined to let an app sign in');
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The person did not allow this app.' }, { mergeWithLastSubmission: false });
    }
    // Step 1: on to the API's page, with a state bound to this interaction (checked above).
    redirect(res, (await authorizeUrl({ uid }, upstream.scopes)).location);
  }

  /** A fresh state stored for `pending`, and the API's authorize URL asking `scopes` with it. */
  async function authorizeUrl(pending: PendingSignIn, scopes: readonly string[]): Promise<{ location: string; state: string }> {
    const state = randomBytes(32).toString('base64url');
    await store.set(stateKey(state), pending, LIFETIMES.Interaction * 1000);
    const target = new URL(upstream.authorizeUrl);
    target.search = new URLSearchParams({
      client_id: upstream.clientId,
      redirect_uri: callbackUrl,
      response_type: 'code',
      scope: scopes.join(upstream.scopeSeparator),
      state,
    }).toString();
    return { location: target.href, state };
  }

  async function callback(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const state = query.get('state') ?? '';
    const pending = state ? ((await store.get(stateKey(state))) as PendingSignIn | undefined) : undefined;
    if (!pending) return send(res, 400, errorPage('This sign-in cannot go on', `It expired or was already finished. ${ANOTHER_TRY}`));
    // On to where the browser's own cookie for this sign-in is sent: the interaction's path, or the approval page's.
    if (pending.page !== undefined) return redirect(res, `${pending.page}?${query.toString()}`);
    redirect(res, `${OAUTH_PREFIX}/interaction/${encodeURIComponent(pending.uid)}/back?${query.toString()}`);
  }

  /**
   * The approval page's sign-in (src/approval/web.ts checks that the state is its browser's): the same app and
   * callback, asking only what names the person (`extraScopes`: `whoAmI`'s scope). The code is exchanged to learn who
   * the person is, and the token is then dropped: it is not put in the vault, where it would replace the person's
   * token with the toolsets' scopes.
   */
  const page: PersonSignIn = {
    start: (back) => authorizeUrl({ page: back }, upstream.extraScopes.length > 0 ? upstream.extraScopes : upstream.scopes),
    async finish(query) {
      const state = query.get('state') ?? '';
      const pending = state ? ((await store.get(stateKey(state))) as PendingSignIn | undefined) : undefined;
      if (pending?.page === undefined || !(await store.delete(stateKey(state)))) {
        return { status: 400, problem: `This sign-in was already finished, or it expired. Sign in with ${upstream.label} again.` };
      }
      const refused = query.get('error');
      if (refused !== null || !query.get('code')) {
        logger.info({ error: refused ?? 'no code' }, `a person did not sign in to the approval page with ${upstream.label}`);
        return { status: 403, problem: `Signing in with ${upstream.label} was declined or failed, so you are not signed in.` };
      }
      try {
        const { id } = await exchange(query.get('code')!);
        return { person: id };
      } catch (error) {
        if (!(error instanceof SignInFailed)) throw error;
        logger.warn({ error: error.message }, `signing in to the approval page with ${upstream.label} failed`);
        return { status: 502, problem: `${error.message} Sign in again.` };
      }
    },
  };

  async function finish(req: IncomingMessage, res: ServerResponse, uid: string, query: URLSearchParams): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const state = query.get('state') ?? '';
    const pending = state ? ((await store.get(stateKey(state))) as PendingSignIn | undefined) : undefined;
    if (details.uid !== uid || pending?.uid !== uid || !(await store.delete(stateKey(state)))) {
      return send(res, 400, errorPage('This sign-in cannot go on', `It was already finished, or started in another browser. ${ANOTHER_TRY}`));
    }
    const refused = query.get('error');
    if (refused !== null || !query.get('code')) {
      logger.info({ error: refused ?? 'no code' }, `a person did not sign in with ${upstream.label}`);
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: `Signing in with ${upstream.label} was declined or failed.` }, { mergeWithLastSubmission: false });
    }
    let person: { id: string; tokens: PersonTokens };
    try {
      person = await exchange(query.get('code')!);
    } catch (error) {
      logger.warn({ error: (error as Error).message }, `signing in with ${upstream.label} failed`);
      return send(res, 502, errorPage(`${upstream.label} did not let this sign-in finish`, `${(error as Error).message} ${ANOTHER_TRY}`));
    }
    await options.vault.put(person.id, person.tokens);
    const clientId = String(details.params.client_id);
    const grant = new provider.Grant({ accountId: person.id, clientId });
    // What the client asked of the provider itself (mcp, offline_access as some clients ask), and the resource's MCP scope.
    const asked = String(details.params.scope ?? '').split(' ').filter((scope) => OPENID_SCOPES.has(scope));
    if (asked.length) grant.addOIDCScope(asked.join(' '));
    grant.addResourceScope(options.resource, MCP_SCOPE);
    const grantId = await grant.save();
    logger.info({ person: person.id, client: clientId }, `a person signed in with ${upstream.label}`);
    await provider.interactionFinished(req, res, { login: { accountId: person.id }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  /** The code exchanged at the API's token endpoint, and the person its token belongs to (the id `whoAmI` answers). */
  async function exchange(code: string): Promise<{ id: string; tokens: PersonTokens }> {
    const signal = () => AbortSignal.timeout(upstream.timeoutMs);
    const tokenPath = upstream.tokenPath;
    const answer = await upstreamFetch(`${upstream.apiBaseUrl}/${tokenPath}`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl }).toString(),
      signal: signal(),
    }).catch((error: Error) => {
      throw new SignInFailed(`${upstream.label}'s ${tokenPath} did not answer (${error.name === 'TimeoutError' ? `no answer within ${upstream.timeoutMs} ms` : error.message}).`);
    });
    const body = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
    if (!answer.ok || typeof body.access_token !== 'string' || !body.access_token) {
      throw new SignInFailed(`${upstream.label}'s ${tokenPath} refused the code (HTTP ${answer.status}${typeof body.message === 'string' ? `: ${body.message}` : ''}).`);
    }
    const now = Date.now();
    const seconds = (value: unknown, fallback: number) => (typeof value === 'number' && value > 0 ? value : fallback);
    const tokens: PersonTokens = {
      access_token: body.access_token,
      access_expires_at: now + seconds(body.expires_in, 3600) * 1000,
      ...(typeof body.refresh_token === 'string' && body.refresh_token
        ? { refresh_token: body.refresh_token, refresh_expires_at: now + seconds(body.refresh_token_expires_in, 30 * 24 * 3600) * 1000 }
        : {}),
      ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
    };
    const { whoAmI } = upstream;
    const user = await upstreamFetch(`${upstream.apiBaseUrl}/${whoAmI.path}`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' },
      signal: signal(),
    }).catch((error: Error) => {
      throw new SignInFailed(`${upstream.label}'s ${whoAmI.path} did not answer (${error.message}).`);
    });
    const account = (await user.json().catch(() => ({}))) as Record<string, unknown>;
    const id = account[whoAmI.idField];
    if (!user.ok || typeof id !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(id)) {
      throw new SignInFailed(`${upstream.label}'s ${whoAmI.path} did not name the person (HTTP ${user.status}).`);
    }
    const name = whoAmI.nameField ? account[whoAmI.nameField] : undefined;
    if (typeof name === 'string') tokens.username = name;
    return { id, tokens };
  }

  return { ask, consent, callback, finish, page };
}
