// The fake's "Sign in with Pinterest" for people: the authorize page, its consent form, and the code and person-token grants of oauth/token.
import { randomBytes } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { OperationFacts } from '../../src/apis/types.js';
import type { Answer } from '../intake/http.js';
import { PEOPLE, type PersonKey } from './state.js';

/** An app people sign in to: its credentials for oauth/token and the redirect URIs registered for it (matched exactly). */
export interface OAuthApp {
  id: string;
  secret: string;
  redirectUris: readonly string[];
}

/**
 * Every scope of Pinterest's OAuth (`pinterest_oauth2` in the description; a test keeps this table equal to it). The
 * authorize page refuses any other.
 */
export const PINTEREST_SCOPES: readonly string[] = [
  'ads:read',
  'ads:write',
  'billing:read',
  'billing:write',
  'biz_access:read',
  'biz_access:write',
  'boards:read',
  'boards:read_secret',
  'boards:write',
  'boards:write_secret',
  'catalogs:read',
  'catalogs:write',
  'msot:write',
  'pins:read',
  'pins:read_secret',
  'pins:write',
  'pins:write_secret',
  'user_accounts:read',
  'user_accounts:write',
];

/** The paths of the sign-in pages, outside /v5 as www.pinterest.com/oauth/ is outside api.pinterest.com/v5. */
export const AUTHORIZE_PATH = '/oauth/';
export const CONSENT_PATH = '/oauth/consent';

/** Lifetimes, in seconds: a code lasts a minute; tokens as Pinterest's (30 days; a continuous refresh token 60 days). */
export const CODE_LIFETIME = 60;
export const ACCESS_TOKEN_LIFETIME = 30 * 24 * 3600;
export const REFRESH_TOKEN_LIFETIME = 60 * 24 * 3600;
/** How long an authorize page's form can be submitted. */
const CONSENT_LIFETIME = 10 * 60;

const AUTH_FAILED = { code: 2, message: 'Authentication failed.' };
/** Pinterest's answer to a token that lacks the operation's scope (the description's example, HTTP 401). */
export const INSUFFICIENT_SCOPE = {
  code: 3,
  message: 'Your token does not have sufficient permissions to perform this operation. Please ensure your token is authorized with the correct set of scopes.',
};

/** What a person's access token carries. */
export interface PersonGrant {
  userId: string;
  scopes: readonly string[];
}

interface Consent {
  app: OAuthApp;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  expiresAt: number;
}

interface Code {
  appId: string;
  redirectUri: string;
  userId: string;
  scopes: string[];
  expiresAt: number;
  /** The sign-in this code started: a replayed code revokes every token of it. */
  grantId: string;
}

interface Token {
  appId: string;
  userId: string;
  scopes: string[];
  expiresAt: number;
  grantId: string;
}

/** Whether `granted` holds the scopes of one of the operation's `pinterest_oauth2` alternatives (or it takes none). */
export function scopesAllow(op: OperationFacts, granted: readonly string[]): boolean {
  const alternatives = op.auth.filter((a) => a.scheme === 'pinterest_oauth2');
  return alternatives.length === 0 || alternatives.some((a) => a.scopes.every((scope) => granted.includes(scope)));
}

/** The app id and secret of an `Authorization: Basic` header, or undefined. */
export function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
  const decoded = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

const random = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * The sign-in of people: `GET /oauth/` shows who may sign in and what the app asks for, `POST /oauth/consent` answers
 * with a redirect carrying a code (or `error=access_denied`), and oauth/token exchanges the code and refreshes the
 * person's tokens. Codes are single use; a refresh rotates the refresh token (the old one is refused) while the old
 * access token stays valid until it expires, as Pinterest documents for access tokens.
 */
export class PeopleSignIn {
  private readonly consents = new Map<string, Consent>();
  private readonly codes = new Map<string, Code>();
  /** Codes already exchanged, with their grant: a second exchange revokes that grant. */
  private readonly usedCodes = new Map<string, string>();
  private readonly accessTokens = new Map<string, Token>();
  private readonly refreshTokens = new Map<string, Token>();
  /** Codes handed out by the consent form so far. */
  codesIssued = 0;

  constructor(
    private readonly apps: readonly OAuthApp[],
    /** The fake's clock, in milliseconds. */
    private readonly now: () => number,
    private readonly accessLifetime = ACCESS_TOKEN_LIFETIME,
  ) {}

  /** The app with these credentials, if any. */
  app(id: string, secret: string): OAuthApp | undefined {
    return this.apps.find((app) => app.id === id && app.secret === secret);
  }

  /** What a bearer token may do, if it is a live access token of a person. */
  grantOf(token: string): PersonGrant | undefined {
    const found = this.accessTokens.get(token);
    return found && found.expiresAt > this.now() ? { userId: found.userId, scopes: found.scopes } : undefined;
  }

  /** Every access token issued so far stops being accepted (refresh tokens still work). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = 0;
  }

  /** The person withdrew the app's access: their access and refresh tokens are refused from now on. */
  revokeUser(userId: string): void {
    for (const tokens of [this.accessTokens, this.refreshTokens]) {
      for (const [key, token] of tokens) if (token.userId === userId) tokens.delete(key);
    }
  }

  /** `GET /oauth/?client_id&redirect_uri&response_type=code&scope&state`. */
  authorize(query: Record<string, string | string[]>): Answer {
    const one = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    const clientId = one('client_id');
    const redirectUri = one('redirect_uri');
    const app = this.apps.find((a) => a.id === clientId);
    if (!app) return errorPage(`No app has client_id ${JSON.stringify(clientId ?? '')}: check the app id.`);
    if (redirectUri === undefined || !app.redirectUris.includes(redirectUri)) {
      return errorPage(`redirect_uri ${JSON.stringify(redirectUri ?? '')} is not registered for app ${app.id}: register it exactly, or send a registered one.`);
    }
    // From here on the redirect URI is trusted: other errors go back to the app, as RFC 6749 4.1.2.1 has it.
    const state = one('state');
    if (one('response_type') !== 'code') return redirect(redirectUri, { error: 'unsupported_response_type', state });
    const scopes = (one('scope') ?? '').split(/[\s,]+/).filter((s) => s !== '');
    if (scopes.length === 0 || scopes.some((s) => !PINTEREST_SCOPES.includes(s))) return redirect(redirectUri, { error: 'invalid_scope', state });
    const id = random(18);
    this.consents.set(id, { app, redirectUri, scopes: [...new Set(scopes)], state, expiresAt: this.now() + CONSENT_LIFETIME * 1000 });
    return consentPage(id, app, redirectUri, scopes);
  }

  /** `POST /oauth/consent` with `consent`, `decision` (allow or deny) and, to allow, `person` (a PEOPLE key). */
  decide(raw: Buffer): Answer {
    const form = new URLSearchParams(raw.toString('utf8'));
    const id = form.get('consent') ?? '';
    const consent = this.consents.get(id);
    if (!consent || consent.expiresAt <= this.now()) return errorPage('This sign-in expired or was already answered: start again from the app.');
    const decision = form.get('decision');
    if (decision === 'deny') {
      this.consents.delete(id);
      return redirect(consent.redirectUri, { error: 'access_denied', state: consent.state });
    }
    const key = form.get('person') ?? '';
    if (decision !== 'allow' || !Object.hasOwn(PEOPLE, key)) return errorPage('Pick a person, then Allow (or Deny).');
    this.consents.delete(id);
    const code = random(24);
    this.codes.set(code, {
      appId: consent.app.id,
      redirectUri: consent.redirectUri,
      userId: PEOPLE[key as PersonKey].id,
      scopes: consent.scopes,
      expiresAt: this.now() + CODE_LIFETIME * 1000,
      grantId: random(12),
    });
    this.codesIssued += 1;
    return redirect(consent.redirectUri, { code, state: consent.state });
  }

  /** oauth/token `grant_type=authorization_code` by `app` (its Basic credentials were checked). */
  exchangeCode(app: OAuthApp, fields: Record<string, unknown>): Answer {
    const code = typeof fields.code === 'string' ? fields.code : '';
    const replayed = this.usedCodes.get(code);
    if (replayed !== undefined) this.revokeGrant(replayed);
    const found = this.codes.get(code);
    this.codes.delete(code);
    if (!found || found.appId !== app.id || found.expiresAt <= this.now()) {
      return { status: 400, body: { code: 1, message: 'Invalid authorization code: it is unknown, expired or was already used.' } };
    }
    this.usedCodes.set(code, found.grantId);
    if (fields.redirect_uri !== found.redirectUri) {
      return { status: 400, body: { code: 1, message: 'redirect_uri does not match the redirect_uri of the authorization request.' } };
    }
    return { status: 200, body: this.issue('authorization_code', { ...found, appId: app.id }) };
  }

  /**
   * oauth/token `grant_type=refresh_token` with a person's refresh token, or undefined when it is none (not issued
   * here, rotated away, expired or revoked). `scope` may narrow the new token. `continuous_refresh` is accepted and
   * changes nothing: the fake's apps are apps activated after 2025-09-25, whose refresh tokens are all continuous.
   */
  refresh(app: OAuthApp, fields: Record<string, unknown>): Answer | undefined {
    const presented = typeof fields.refresh_token === 'string' ? fields.refresh_token : '';
    const found = this.refreshTokens.get(presented);
    if (!found || found.appId !== app.id || found.expiresAt <= this.now()) return undefined;
    let scopes = found.scopes;
    if (typeof fields.scope === 'string' && fields.scope.trim() !== '') {
      const asked = fields.scope.split(/[\s,]+/).filter((s) => s !== '');
      const wider = asked.filter((s) => !found.scopes.includes(s));
      if (wider.length) return { status: 400, body: { code: 1, message: `scope ${wider.join(',')} was not granted: ask for the granted scopes or fewer.` } };
      scopes = asked;
    }
    this.refreshTokens.delete(presented);
    return { status: 200, body: this.issue('refresh_token', { ...found, scopes }) };
  }

  /** A new access token and refresh token for a grant, in Pinterest's OauthAccessTokenResponseCode / ...Refresh shape. */
  private issue(responseType: 'authorization_code' | 'refresh_token', grant: Omit<Token, 'expiresAt'>): Record<string, unknown> {
    const now = this.now();
    const access = `pina_${random(24)}`;
    const refresh = `pinr_${random(24)}`;
    const base = { appId: grant.appId, userId: grant.userId, scopes: [...grant.scopes], grantId: grant.grantId };
    this.accessTokens.set(access, { ...base, expiresAt: now + this.accessLifetime * 1000 });
    const refreshExpiresAt = now + REFRESH_TOKEN_LIFETIME * 1000;
    this.refreshTokens.set(refresh, { ...base, expiresAt: refreshExpiresAt });
    return {
      response_type: responseType,
      access_token: access,
      token_type: 'bearer',
      expires_in: this.accessLifetime,
      scope: grant.scopes.join(' '),
      refresh_token: refresh,
      refresh_token_expires_in: REFRESH_TOKEN_LIFETIME,
      refresh_token_expires_at: Math.floor(refreshExpiresAt / 1000),
    };
  }

  private revokeGrant(grantId: string): void {
    for (const tokens of [this.accessTokens, this.refreshTokens]) {
      for (const [key, token] of tokens) if (token.grantId === grantId) tokens.delete(key);
    }
  }
}

/** An oauth/token refusal of app credentials or of a refresh token. */
export const authFailed = (): Answer => ({ status: 401, body: AUTH_FAILED });

function redirect(target: string, params: Record<string, string | undefined>): Answer {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } };
}

const PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#111}' +
  'h1{font-size:1.4rem}label{display:block;margin:.4rem 0}button{font-size:1rem;margin:1rem .5rem 0 0;padding:.5rem 1.2rem}' +
  '.allow{background:#e60023;color:#fff;border:0;border-radius:1rem}.note{color:#555;font-size:.9rem}';

function page(status: number, title: string, body: string): Answer {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`;
  return { status, text: html, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } };
}

/** A refusal shown to the person, never a redirect: the app or its redirect URI cannot be trusted. */
function errorPage(message: string): Answer {
  return page(400, 'Pinterest sign-in refused', `<h1>This sign-in cannot go on</h1><p class="error">${escapeHtml(message)}</p>`);
}

function consentPage(id: string, app: OAuthApp, redirectUri: string, scopes: readonly string[]): Answer {
  const people = (Object.keys(PEOPLE) as PersonKey[])
    .map((key) => `<label><input type="radio" name="person" value="${key}" required> ${escapeHtml(PEOPLE[key].label)}</label>`)
    .join('');
  const asked = scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  return page(
    200,
    'Sign in with Pinterest (fake)',
    `<h1>Sign in with Pinterest</h1>` +
      `<p>App <strong>${escapeHtml(app.id)}</strong> asks for:</p><ul class="scopes">${asked}</ul>` +
      `<p class="note">You will be sent back to ${escapeHtml(new URL(redirectUri).host)}. This is the offline fake of Pinterest: pick a test person.</p>` +
      `<form method="post" action="${CONSENT_PATH}"><input type="hidden" name="consent" value="${escapeHtml(id)}">` +
      `<fieldset><legend>Sign in as</legend>${people}</fieldset>` +
      `<button class="allow" type="submit" name="decision" value="allow">Allow</button>` +
      `<button type="submit" name="decision" value="deny" formnovalidate>Deny</button></form>`,
  );
}
