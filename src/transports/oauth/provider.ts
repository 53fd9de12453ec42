// The authorization server's configuration (oidc-provider): authorization code with PKCE S256, Client ID Metadata Documents and open registration, one resource (<public-url>/mcp), opaque tokens, rotation, revocation.
import { createPrivateKey } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';
import type { ClientIdDocuments } from '../../config/index.js';
import type { KeyRing } from '../../core/keys.js';
import { Sealer } from '../../core/vault.js';
import type { SharedStore } from '../../core/store.js';
import { sharedStoreAdapter } from './adapter.js';
import { clientIdDocumentsConfiguration } from './documents.js';
import escapeHtml from 'escape-html';

/** The one scope of this server's tokens: calling its MCP endpoint. What a person may do there is Pinterest's scopes, asked at sign-in. */
export const MCP_SCOPE = 'mcp';

/** The scopes a client may register with and ask the provider for: OpenID's two (refresh tokens need offline_access for some clients) and `mcp`. */
export const PROVIDER_SCOPES = ['openid', 'offline_access', MCP_SCOPE] as const;

/** Every route of the authorization server is under this prefix (the discovery document is at the root, RFC 8414). */
export const OAUTH_PREFIX = '/oauth';

/** Lifetimes, seconds. An access token lives an hour; a refresh token (rotated at each use) 30 days of disuse. */
export const LIFETIMES = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  RefreshToken: 30 * 24 * 3600,
  Grant: 30 * 24 * 3600,
  /** A sign-in in progress: the time a person has to go through Pinterest's pages. */
  Interaction: 10 * 60,
  /** The browser session after a sign-in: short, since every authorization goes through Pinterest again anyway. */
  Session: 10 * 60,
  IdToken: 3600,
} as const;

/** A registered client (dynamic registration) is forgotten after this long: a client then registers again. */
const CLIENT_LIFETIME_MS = 90 * 24 * 3600 * 1000;

/** The DER prefix of an Ed25519 private key in PKCS #8, before its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The provider's signing key, derived from the operator's key ring (so every replica has the same): oidc-provider
 * wants one, though nothing it signs is issued here (no ID tokens: no `openid` scope is offered; tokens are opaque).
 */
function signingJwk(ring: KeyRing): Record<string, unknown> {
  const seed = ring.derive('signing v1');
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(seed)]), format: 'der', type: 'pkcs8' });
  return { ...key.export({ format: 'jwk' }), alg: 'EdDSA', use: 'sig', kid: `sig-${ring.current}` };
}

export interface ProviderOptions {
  /** The public origin (`--public-url`): the issuer. */
  issuer: string;
  /** `<issuer>/mcp`: the one resource tokens are issued for. */
  resource: string;
  store: SharedStore;
  ring: KeyRing;
  /** `--client-id-documents`: whose Client ID Metadata Documents are accepted (documents.ts). */
  clientIdDocuments: ClientIdDocuments;
}

/**
 * The oidc-provider instance. What it does is the MCP authorization profile and nothing else: authorization code with
 * PKCE (S256, required of every client), Client ID Metadata Documents (a client named by the https URL of its metadata,
 * fetched from there: documents.ts), open dynamic registration (public clients, `none`, as MCP clients register;
 * confidential ones too), resource indicators with the single resource `<issuer>/mcp` and opaque access tokens bound
 * to it (checked in the shared store, so a revocation is seen by every replica at once), refresh tokens rotated at
 * each use, revocation, `iss` in authorization responses (RFC 9207, oidc-provider's default). Off: ID tokens (no
 * `openid` scope), userinfo, logout, device flow, PAR, DPoP, introspection, the development login pages.
 * Every grant is made by the sign-in (sign-in.ts) for that authorization alone: none is reused from a session.
 */
export function createProvider(options: ProviderOptions): Provider {
  const { issuer, resource, ring } = options;
  const cookieKey = Buffer.from(ring.derive('cookies v1')).toString('base64url');
  const documents = clientIdDocumentsConfiguration(options.clientIdDocuments, issuer);
  const provider = new Provider(issuer, {
    adapter: sharedStoreAdapter({
      store: options.store,
      sealer: new Sealer(ring, 'authorization store v1'),
      lifetimeWithoutExpiryMs: CLIENT_LIFETIME_MS,
      revocationMemoryMs: LIFETIMES.RefreshToken * 1000,
      alreadyConsumed: (what) => new errors.InvalidGrant(`${what === 'RefreshToken' ? 'refresh token' : 'authorization code'} already used`),
    }),
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id }) }),
    // `mcp` is the resource's scope (getResourceServerInfo); listed here too, so that a client may register with it.
    scopes: [...PROVIDER_SCOPES],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'EdDSA',
    },
    enabledJWA: { idTokenSigningAlgValues: ['EdDSA'] },
    jwks: { keys: [signingJwk(ring)] },
    cookies: {
      keys: [cookieKey],
      names: { session: 'pinterest_mcp_session', interaction: 'pinterest_mcp_interaction', resume: 'pinterest_mcp_resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false },
      clientIdMetadataDocument: documents.feature,
      revocation: { enabled: true },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      introspection: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (indicator !== resource) throw new errors.InvalidTarget(`this server issues tokens for ${resource} only`);
          return { scope: MCP_SCOPE, audience: resource, accessTokenTTL: LIFETIMES.AccessToken, accessTokenFormat: 'opaque' };
        },
      },
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    // Tokens live their own lifetimes (LIFETIMES), not the browser session's: oidc-provider's default ends every token
    // issued without offline_access (which MCP clients do not ask for: they ask for the resource's scope) with the
    // 10-minute session, so a client would have had to sign in again every ten minutes, refresh token or not.
    expiresWithSession: async () => false,
    rotateRefreshToken: true,
    loadExistingGrant: async (ctx: { oidc: { result?: { consent?: { grantId?: string } }; provider: Provider } }) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${OAUTH_PREFIX}/interaction/${interaction.uid}` },
    routes: {
      authorization: `${OAUTH_PREFIX}/authorize`,
      token: `${OAUTH_PREFIX}/token`,
      registration: `${OAUTH_PREFIX}/register`,
      revocation: `${OAUTH_PREFIX}/revoke`,
      jwks: `${OAUTH_PREFIX}/jwks`,
      end_session: `${OAUTH_PREFIX}/session/end`,
      userinfo: `${OAUTH_PREFIX}/me`,
      introspection: `${OAUTH_PREFIX}/token/introspection`,
      code_verification: `${OAUTH_PREFIX}/device`,
      device_authorization: `${OAUTH_PREFIX}/device/auth`,
      pushed_authorization_request: `${OAUTH_PREFIX}/request`,
      backchannel_authentication: `${OAUTH_PREFIX}/backchannel`,
      challenge: `${OAUTH_PREFIX}/challenge`,
      credential: `${OAUTH_PREFIX}/credential`,
    },
    ttl: { ...LIFETIMES },
    // What the provider fetches (metadata documents; a registered client's jwks_uri): with its own fetch and SSRF
    // protection, except documents on loopback hosts for a deployment on loopback (documents.ts).
    ...(documents.fetch ? { fetch: documents.fetch } : {}),
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = errorPage('This sign-in cannot go on', `${out.error ?? 'error'}: ${out.error_description ?? ''}`);
    },
  } as unknown as ConstructorParameters<typeof Provider>[1]);
  // Koa reads the scheme and host of each request from X-Forwarded-Proto/-Host: the OAuth router sets both to the
  // public URL's, so that every URL the provider writes is the canonical one, however the request reached this process.
  provider.proxy = true;
  return provider;
}

/** A plain page telling the person why the sign-in stopped (no script, nothing of the request but escaped text). */
export function errorPage(title: string, message: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}</style></head>' +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`
  );
}
