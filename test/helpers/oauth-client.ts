// The SDK client's OAuth storage for tests, in memory: what it registered (or its metadata document's URL), its tokens, and the browser hand-off recorded.
import { randomBytes } from 'node:crypto';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  OAuthTokens,
} from '@modelcontextprotocol/client';

/**
 * An OAuthClientProvider that returns the person to `redirectUrl` (a loopback page standing for the app). With
 * `clientMetadataUrl` the SDK names the client by that document's URL where the server supports it, and registers
 * nothing; without, it registers itself (dynamic registration).
 */
export class MemoryProvider implements OAuthClientProvider {
  information = new Map<string, OAuthClientInformationMixed>();
  stored?: OAuthTokens;
  verifier?: string;
  discovery?: OAuthDiscoveryState;
  authorizationUrl?: URL;
  lastState?: string;

  constructor(
    readonly redirectUrl: string,
    readonly clientMetadataUrl?: string,
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'oauth test client', redirect_uris: [this.redirectUrl], application_type: 'native', token_endpoint_auth_method: 'none' } as OAuthClientMetadata;
  }
  clientInformation(ctx?: { issuer: string }) {
    return ctx ? this.information.get(ctx.issuer) : [...this.information.values()][0];
  }
  saveClientInformation(info: OAuthClientInformationMixed, ctx?: { issuer: string }) {
    if (ctx) this.information.set(ctx.issuer, info);
  }
  tokens() {
    return this.stored;
  }
  saveTokens(tokens: OAuthTokens) {
    this.stored = tokens;
  }
  state() {
    this.lastState = randomBytes(16).toString('base64url');
    return this.lastState;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error('no code verifier');
    return this.verifier;
  }
}
