// The person's consent to one client before the sign-in goes on to the API's page: which app asks, where it sends them back, and what it may then do (the MCP specification's rule for a server that signs people in to one upstream app for dynamically registered clients).
import escapeHtml from 'escape-html';
import { isLoopbackHost } from '../../core/requests.js';

/** What the consent page shows: the client as it registered itself, and the server and API it asks for. */
export interface ConsentAsk {
  /** The interaction this consent belongs to (its form posts back to it). */
  uid: string;
  clientId: string;
  /**
   * Whether the client id is the URL of the client's metadata document (Client ID Metadata Documents): then the host
   * that publishes it is the one fact about the app a person can check.
   */
  idIsDocument: boolean;
  /** The name the client registered (or its document gives), if any: shown as the client's claim, not as a fact. */
  clientName?: string;
  /** Where the client gets the person back: its host is what the person can check. */
  redirectUri: string;
  /** Every redirect URI of the client: when all are loopback, any program on the person's device could be this app. */
  redirectUris: readonly string[];
  /** This server's public origin, as the person reached it. */
  server: string;
  /** The API people sign in to (Pinterest). */
  api: string;
  /** The path the form posts to. */
  action: string;
}

/**
 * Headers of the consent page: never cached, never framed (a page that only takes a click must not be put under
 * another site's click), no referrer to other sites (same-origin: with no-referrer the browser would post the form
 * with `Origin: null`, which the answer's origin check refuses).
 */
export const CONSENT_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'same-origin',
};

/** The host a redirect URI returns to, as a person reads it (`localhost:33418`, `claude.ai`), or the URI when it has none. */
function returnsTo(uri: string): string {
  try {
    const url = new URL(uri);
    return url.host || url.href;
  } catch {
    return uri;
  }
}

/** Whether every redirect URI returns to the person's own device (localhost, 127.0.0.0/8, ::1), where any program may listen. */
export function returnsOnlyToLoopback(uris: readonly string[]): boolean {
  return uris.length > 0 && uris.every((uri) => URL.canParse(uri) && isLoopbackHost(new URL(uri).hostname));
}

/** The page: one question, the facts a person can check, Continue or Cancel. */
export function consentPage(ask: ConsentAsk): string {
  const name = ask.clientName?.trim() ? `"${ask.clientName.trim()}"` : 'An app that gave no name';
  const field = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const publisher = ask.idIsDocument ? new URL(ask.clientId).host : undefined;
  const appId = publisher
    ? `<dd>a document published at <strong>${escapeHtml(publisher)}</strong>: ${escapeHtml(ask.clientId)}</dd>`
    : `<dd>${escapeHtml(ask.clientId)}</dd>`;
  const claim = publisher
    ? `The name above is the app's own claim; its id is a document that only ${escapeHtml(publisher)} can publish: continue only if that is the app's own site.`
    : "The name above is the app's own claim.";
  const loopback = returnsOnlyToLoopback(ask.redirectUris)
    ? '<p class="warning" role="alert"><strong>This app gets you back on this device (localhost).</strong> Any program running on it ' +
      'can receive what this sign-in sends there, so neither the name nor the app id above shows which program that is. ' +
      'Continue only if you started this yourself, just now, from an app on this device.</p>'
    : '';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Allow this app?</title>` +
    '<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.45}' +
    'dt{font-weight:600;margin-top:.6rem}dd{margin:0;word-break:break-all}button{font:inherit;padding:.45rem 1rem;margin-right:.6rem}' +
    '.warning{border-left:4px solid #b45309;background:#fef3c7;padding:.5rem .8rem}</style></head><body>' +
    `<h1>Allow this app to use your ${escapeHtml(ask.api)} account here?</h1>` +
    `<p>${escapeHtml(name)} asks to use the MCP server at <strong>${escapeHtml(ask.server)}</strong> as you. ` +
    `If you continue, you sign in with ${escapeHtml(ask.api)} and the app can then read your ads data through this server ` +
    'and ask for changes; changes that move money wait for your approval on this server\'s approval page.</p>' +
    `<dl><dt>Sends you back to</dt><dd>${escapeHtml(returnsTo(ask.redirectUri))}</dd>` +
    `<dt>App id</dt>${appId}</dl>` +
    loopback +
    `<p>Continue only if you started this from an app you use and trust. ${claim}</p>` +
    `<form method="post" action="${escapeHtml(ask.action)}">${field('uid', ask.uid)}` +
    `<button type="submit" name="decision" value="allow">Continue with ${escapeHtml(ask.api)}</button>` +
    '<button type="submit" name="decision" value="deny">Cancel</button></form></body></html>'
  );
}
