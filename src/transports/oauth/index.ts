// The HTTP transport's OAuth mode (--auth oauth): the authorization server's routes, the discovery documents, and the token gate of /mcp. Loaded only in that mode.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthInfo,
  OAuthError,
  OAuthErrorCode,
  bearerAuthChallengeResponse,
  buildOAuthProtectedResourceMetadata,
  getOAuthProtectedResourceMetadataUrl,
  verifyBearerToken,
} from '@modelcontextprotocol/server';
import type { PersonSignIn } from '../../approval/web.js';
import type { ClientIdDocuments } from '../../config/index.js';
import type { Logger } from '../../core/logger.js';
import type { SharedStore } from '../../core/store.js';
import { KeyRing } from '../../core/keys.js';
import { Sealer, TokenVault } from '../../core/vault.js';
import { MCP_SCOPE, OAUTH_PREFIX, createProvider } from './provider.js';
import { CALLBACK_PATH, type UpstreamSignIn, signInRoutes } from './sign-in.js';

export { MCP_SCOPE } from './provider.js';
export { CALLBACK_PATH, type UpstreamSignIn } from './sign-in.js';

export interface OAuthServerOptions {
  /** `--public-url`: the issuer, and the origin of the resource `<it>/mcp`. */
  publicUrl: string;
  /** PINTEREST_MCP_TOKEN_KEY as written. */
  tokenKey: string;
  /** `--client-id-documents`: whose Client ID Metadata Documents are accepted. */
  clientIdDocuments: ClientIdDocuments;
  store: SharedStore;
  /** The API people sign in to (the first API: Pinterest). */
  upstream: UpstreamSignIn;
  /** The vault's name for their tokens (`p:<user id>:tokens:<it>`): the API's id. */
  vaultName: string;
  logger: Logger;
}

export interface OAuthServer {
  /** `<public-url>/mcp`: what tokens are issued for. */
  resource: string;
  /** The Protected Resource Metadata URL the 401 challenge names. */
  resourceMetadataUrl: string;
  /** The people's tokens of the API, sealed (the shared client will read them for each person). */
  vault: TokenVault;
  /** The approval page's sign-in with the API (the same app and callback). */
  pageSignIn: PersonSignIn;
  /** Whether `path` is the authorization server's or a discovery document's (then `serve` answers it). */
  owns(path: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse, path: string, client: string): Promise<void>;
  /**
   * The person (the API's user id) of a /mcp request's valid token (for this resource, with the MCP scope, live, not revoked),
   * or undefined once the refusal is written: 401 with the challenge naming the metadata, or 403 insufficient_scope.
   */
  authenticate(req: IncomingMessage, res: ServerResponse): Promise<string | undefined>;
}

/** Paths the provider itself answers besides its /oauth routes: its discovery documents (RFC 8414, and OIDC's name for it). */
const PROVIDER_WELL_KNOWN = new Set(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);

const INTERACTION = new RegExp(`^${OAUTH_PREFIX}/interaction/([A-Za-z0-9_-]{1,64})(/back|/consent)?$`);

export function createOAuthServer(options: OAuthServerOptions): OAuthServer {
  const { publicUrl, store, logger } = options;
  const ring = KeyRing.parse(options.tokenKey);
  const resource = `${publicUrl}/mcp`;
  const resourceUrl = new URL(resource);
  const resourceMetadataUrl = getOAuthProtectedResourceMetadataUrl(resourceUrl);
  const publicOrigin = new URL(publicUrl);
  const provider = createProvider({ issuer: publicUrl, resource, store, ring, clientIdDocuments: options.clientIdDocuments });
  const handleProvider = provider.callback();
  const vault = new TokenVault(store, new Sealer(ring, 'vault v1'), options.vaultName);
  const signIn = signInRoutes({ provider, store, vault, upstream: options.upstream, publicUrl, resource, logger });
  // RFC 9728: what a client reads after the 401, at the root and at the resource's path-aware location.
  const protectedResource = JSON.stringify(
    buildOAuthProtectedResourceMetadata({
      oauthMetadata: {
        issuer: publicUrl,
        authorization_endpoint: `${publicUrl}${OAUTH_PREFIX}/authorize`,
        token_endpoint: `${publicUrl}${OAUTH_PREFIX}/token`,
        response_types_supported: ['code'],
      },
      resourceServerUrl: resourceUrl,
      scopesSupported: [MCP_SCOPE],
      resourceName: `${options.upstream.label} API (pinterest-api-mcp)`,
      // http is allowed for loopback public URLs only (the setting refuses any other), which the check does not know of `[::1]`.
      dangerouslyAllowInsecureIssuerUrl: publicOrigin.protocol === 'http:',
    }),
  );
  const metadataPaths = new Set([new URL(resourceMetadataUrl).pathname, '/.well-known/oauth-protected-resource']);

  const verifier = {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const found = await provider.AccessToken.find(token);
      if (!found) throw new OAuthError(OAuthErrorCode.InvalidToken, 'The access token is unknown, expired or revoked: sign in again.');
      const audience = Array.isArray(found.aud) ? found.aud[0] : found.aud;
      return {
        token,
        clientId: found.clientId ?? '',
        scopes: (found.scope ?? '').split(' ').filter(Boolean),
        expiresAt: found.exp,
        ...(typeof audience === 'string' && URL.canParse(audience) ? { resource: new URL(audience) } : {}),
        extra: { person: found.accountId },
      };
    },
  };

  function sendWebResponse(res: ServerResponse, answer: Response, text: string): void {
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      headers[name] = value;
    });
    res.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' });
    res.end(text);
  }

  async function serveProvider(req: IncomingMessage, res: ServerResponse, client: string): Promise<void> {
    // The provider writes every URL from the request's scheme and host: always the public URL's (provider.proxy).
    req.headers['x-forwarded-proto'] = publicOrigin.protocol.slice(0, -1);
    req.headers['x-forwarded-host'] = publicOrigin.host;
    req.headers['x-forwarded-for'] = client;
    await handleProvider(req, res);
  }

  return {
    resource,
    resourceMetadataUrl,
    vault,
    pageSignIn: signIn.page,
    owns: (path) => metadataPaths.has(path) || PROVIDER_WELL_KNOWN.has(path) || path === OAUTH_PREFIX || path.startsWith(`${OAUTH_PREFIX}/`),
    async serve(req, res, path, client) {
      if (metadataPaths.has(path)) {
        if (req.method === 'OPTIONS') {
          res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-max-age': '600' });
          res.end();
          return;
        }
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET, HEAD, OPTIONS' });
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'content-length': String(Buffer.byteLength(protectedResource)) });
        res.end(req.method === 'HEAD' ? undefined : protectedResource);
        return;
      }
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const interaction = INTERACTION.exec(path);
      try {
        if (req.method === 'GET' && interaction && interaction[2] !== '/consent') {
          await (interaction[2] ? signIn.finish(req, res, interaction[1], query) : signIn.ask(req, res, interaction[1]));
          return;
        }
        if (req.method === 'POST' && interaction?.[2] === '/consent') {
          await signIn.consent(req, res, interaction[1]);
          return;
        }
        if (req.method === 'GET' && path === CALLBACK_PATH) {
          await signIn.callback(req, res, query);
          return;
        }
      } catch (error) {
        // An interaction whose cookie is missing or expired (oidc-provider's SessionNotFound), or the store failing.
        logger.info({ error: (error as Error).message }, 'a sign-in step was refused');
        if (!res.headersSent) {
          const text = 'This sign-in expired or was started in another browser. Start again from your app.';
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
          res.end(text);
        }
        return;
      }
      await serveProvider(req, res, client);
    },
    async authenticate(req, res) {
      const challenge = { requiredScopes: [MCP_SCOPE], resourceMetadataUrl };
      try {
        const auth = await verifyBearerToken(req.headers.authorization, { verifier, expectedResource: resourceUrl, ...challenge });
        const person = auth.extra?.person;
        if (typeof person !== 'string' || !person) throw new OAuthError(OAuthErrorCode.InvalidToken, 'The access token names no person: sign in again.');
        return person;
      } catch (error) {
        const answer = bearerAuthChallengeResponse(error, challenge);
        if (answer.status >= 500) logger.error({ err: error }, 'checking an access token failed');
        sendWebResponse(res, answer, await answer.text());
        return undefined;
      }
    },
  };
}
