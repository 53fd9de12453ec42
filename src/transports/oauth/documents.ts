// Client ID Metadata Documents (--client-id-documents): oidc-provider's feature switched on, whose documents it fetches (the operator's trust policy), and where from (never a special-use address, loopback only for a deployment on loopback).
import type { Dispatcher, fetch as undiciFetch } from 'undici';
import type { ClientIdDocuments } from '../../config/index.js';
import { isLoopbackAddress, isLoopbackHost } from '../../core/requests.js';

/**
 * The draft of the feature that oidc-provider 9.13 implements (its lib/helpers/features.js). Acknowledging it keeps the
 * experimental feature quiet; an update of the library that implements another draft then refuses to start until
 * this is looked at again.
 */
const IMPLEMENTED_DRAFT = 'draft-02';

/** oidc-provider's `fetch` option: the URL, and fetch's options with the dispatcher it chose. */
type DocumentFetch = (url: string | URL, options: RequestInit) => Promise<Response>;

/** What createProvider adds to its configuration: the feature, and with it a `fetch` only where loopback is allowed. */
export interface ClientIdDocumentsConfiguration {
  feature: {
    enabled: boolean;
    ack?: string;
    allowFetch?: (ctx: unknown, clientId: string) => Promise<boolean>;
  };
  /** oidc-provider's `fetch` (every request it sends out): given only to a deployment on loopback. */
  fetch?: DocumentFetch;
}

/**
 * oidc-provider's Client ID Metadata Document feature for `policy`: a client_id that is an https URL is fetched (once,
 * then cached in this process per its Cache-Control, 30 s to a day), must name itself, may hold no secret, and its
 * redirect URIs are the client's. With a list of hosts, a document elsewhere is refused before anything is fetched.
 *
 * Where a document may be fetched from: oidc-provider fetches through a dispatcher of its own that destroys every
 * connection to a special-use address (loopback, private, link-local, ...) before a request is written, with a 2.5 s
 * timeout, no redirects and 5 KB at most: a client cannot make the server reach what only it can reach (SSRF). That
 * stays as it is for every deployment whose public URL is not loopback. A deployment whose public URL is itself
 * loopback (a person's own machine, the demo) serves no one else, and the clients there publish their documents on
 * the same machine: its documents on loopback hosts (localhost, 127.0.0.0/8, ::1) go through a dispatcher of ours
 * that connects to loopback addresses only, and every other document through oidc-provider's, unchanged.
 */
export function clientIdDocumentsConfiguration(policy: ClientIdDocuments, publicUrl: string): ClientIdDocumentsConfiguration {
  if (policy === 'off') return { feature: { enabled: false } };
  const hosts = policy === 'on' ? undefined : new Set(policy.hosts);
  return {
    feature: {
      enabled: true,
      ack: IMPLEMENTED_DRAFT,
      ...(hosts ? { allowFetch: async (_ctx: unknown, clientId: string) => hosts.has(new URL(clientId).hostname) } : {}),
    },
    ...(isLoopbackHost(new URL(publicUrl).hostname) ? { fetch: loopbackDocumentsFetch() } : {}),
  };
}

/**
 * The fetch of a deployment on loopback: a document on a loopback host through undici's own fetch and an agent whose
 * every connection must end at a loopback address (checked on the connected socket, so a name cannot resolve around
 * it); any other URL through the fetch and dispatcher oidc-provider gave, with its protection. undici loads on the
 * first such document.
 */
function loopbackDocumentsFetch(): DocumentFetch {
  let loaded: Promise<{ fetch: typeof undiciFetch; dispatcher: Dispatcher }> | undefined;
  const load = async () => {
    const { Agent, buildConnector, fetch } = await import('undici');
    const connect = buildConnector({});
    const dispatcher = new Agent({
      connect(options, callback) {
        connect(options, (error, socket) => {
          if (error) return callback(error, null);
          if (!isLoopbackAddress(socket.remoteAddress)) {
            socket.destroy();
            return callback(new Error(`${options.hostname} is a loopback name but connected to ${socket.remoteAddress ?? 'an unknown address'}`), null);
          }
          callback(null, socket);
        });
      },
    });
    return { fetch, dispatcher };
  };
  return async (url, options) => {
    if (!isLoopbackHost(new URL(url).hostname)) return globalThis.fetch(url, options);
    const { fetch, dispatcher } = await (loaded ??= load());
    // undici's own fetch with its own agent, so that the dispatcher matches the fetch (Node's bundles another undici).
    return (await fetch(url, { ...(options as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as Response;
  };
}
