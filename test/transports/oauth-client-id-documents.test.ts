// Client ID Metadata Documents with --auth oauth (the built server, trusting a throwaway CA): a client named by its document's URL signs in without registering and its document is fetched once; a bad document, a host outside --client-id-documents, off, and loopback documents for a deployment not on loopback are refused with nothing sent to Pinterest.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { type Server as HttpsServer, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, PEOPLE, type PersonKey, startEmulator } from '../../fakes/pinterest/server.js';
import { returnsOnlyToLoopback } from '../../src/transports/oauth/consent.js';
import { isLoopbackAddress } from '../../src/core/requests.js';
import { SERVER_ENTRY, textOf } from '../helpers/harness.js';
import { MemoryProvider } from '../helpers/oauth-client.js';
import { freePort, waitFor } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY = randomBytes(32).toString('base64');
const APP = { id: 'app-mcp-documents', secret: 'documents-secret-5b2e' };

let emulator: Emulator;
let browser: Browser;
/** The MCP client's own redirect target: a loopback page standing for the app. */
let clientApp: Server;
let CLIENT_REDIRECT: string;
/** Where clients publish their metadata documents: https on 127.0.0.1, its certificate from the throwaway CA. */
let documents: HttpsServer;
let DOCUMENTS_PORT: number;
/** Every request the document server received (method, Host, path). */
const fetched: { method: string; host: string; path: string }[] = [];
const fetchesOf = (path: string) => fetched.filter((r) => r.path === path);

/** A spawned server (`dist/index.js --auth oauth`), reached at `listen`; its public URL may be elsewhere. */
interface Deployment {
  publicUrl: string;
  listen: string;
  child: ChildProcess;
}
/** On loopback, documents accepted from any host (the default). */
let L: Deployment;
/** On loopback, `--client-id-documents localhost`: a document at 127.0.0.1 is outside the list. */
let H: Deployment;
/** On loopback, `--client-id-documents off`. */
let O: Deployment;
/** Public URL https://connector.example (not loopback), reached at its loopback listen address: no loopback documents. */
let X: Deployment;

/** The throwaway CA and a certificate for localhost and 127.0.0.1 signed by it, made with the openssl CLI in `into`. */
function makeCertificates(into: string): { ca: string; key: Buffer; cert: Buffer } {
  const at = (name: string) => join(into, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '1', '-subj', '/CN=pinterest-api-mcp test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(at('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-set_serial', '1', '-days', '1', '-extfile', at('server.ext'), '-out', at('server.pem'));
  return { ca: at('ca.pem'), key: readFileSync(at('server.key')), cert: readFileSync(at('server.pem')) };
}

/**
 * The document at `url`, by its first path segment, naming itself by the URL it was fetched at: `good` (public client,
 * returns to the client app on loopback), `web` (returns to an https site), `mismatch` (names another URL as its
 * client_id), `secret` (holds a client_secret).
 */
function documentAt(url: URL): Record<string, unknown> | undefined {
  const good = {
    client_id: url.href,
    client_name: 'Documented test client',
    redirect_uris: [CLIENT_REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
  switch (url.pathname.split('/')[1]) {
    case 'good':
      return good;
    case 'web':
      return { ...good, redirect_uris: ['https://app.example/callback'] };
    case 'mismatch':
      return { ...good, client_id: `${url.origin}/someone-else.json` };
    case 'secret':
      return { ...good, client_secret: 'a-secret-in-a-public-document' };
    default:
      return undefined;
  }
}

/** A document's URL on the document server, at `host` (localhost or 127.0.0.1). */
const documentUrl = (path: string, host = 'localhost') => `https://${host}:${DOCUMENTS_PORT}${path}`;

async function deploy(publicUrl: string, port: number, ca: string, args: string[] = []): Promise<Deployment> {
  const child = spawn(
    process.execPath,
    [SERVER_ENTRY, '--transport', 'http', '--host', '127.0.0.1', '--port', String(port), '--auth', 'oauth', '--public-url', publicUrl, ...args],
    {
      env: {
        PATH: process.env.PATH ?? '',
        // The server's fetch trusts the throwaway CA, as it would a public one: what refuses a document is the policy.
        NODE_EXTRA_CA_CERTS: ca,
        PINTEREST_API_BASE_URL: emulator.url,
        PINTEREST_OAUTH_URL: emulator.oauthUrl,
        PINTEREST_APP_ID: APP.id,
        PINTEREST_APP_SECRET: APP.secret,
        PINTEREST_MCP_TOKEN_KEY: KEY,
        PINTEREST_MCP_RETRIES: '0',
        PINTEREST_MCP_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  await waitFor(child, /"msg":"MCP server listening"/, `the server for ${publicUrl}`);
  return { publicUrl, listen: `http://127.0.0.1:${port}`, child };
}

const pkceChallenge = () => createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');

/** A plain GET of `deployment`'s authorize endpoint for `clientId` (no redirects followed), at its listen address. */
async function authorize(deployment: Deployment, clientId: string, redirectUri = CLIENT_REDIRECT) {
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'mcp',
    code_challenge: pkceChallenge(),
    code_challenge_method: 'S256',
    resource: `${deployment.publicUrl}/mcp`,
    state: 'st',
  });
  const res = await fetch(`${deployment.listen}/oauth/authorize?${params.toString()}`, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

/** The authorization went on to this server's consent page (the interaction): the client was accepted. */
function expectAccepted(answer: Awaited<ReturnType<typeof authorize>>): void {
  expect(answer.status, answer.body).toBe(303);
  expect(answer.location).toMatch(/^\/oauth\/interaction\/[\w-]+$/);
}

/** Refused on a page of this server (`error` in its text): never redirected to the client, no code issued. */
function expectRefused(answer: Awaited<ReturnType<typeof authorize>>, error: RegExp): void {
  expect(answer.status, answer.body).toBe(400);
  expect(answer.location).toBeNull();
  expect(answer.body).toMatch(error);
}

/** Checks, when called, that nothing reached the fake Pinterest since now (its token endpoint included) and it issued no code. */
function pinterestUntouched(): () => void {
  const requests = emulator.requests.length;
  const codes = emulator.codesIssued;
  return () => {
    expect(emulator.requests.slice(requests)).toEqual([]);
    expect(emulator.codesIssued).toBe(codes);
  };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: npm run build first`);
  // The throwaway CA and the document server's certificate (localhost, 127.0.0.1).
  const { ca, key, cert } = makeCertificates(tempDir('client-id-documents-'));
  clientApp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('back at the app'));
  await new Promise<void>((resolve) => clientApp.listen(0, '127.0.0.1', resolve));
  CLIENT_REDIRECT = `http://127.0.0.1:${(clientApp.address() as AddressInfo).port}/callback`;
  documents = createHttpsServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? 'localhost'}`);
    fetched.push({ method: req.method ?? '', host: url.host, path: url.pathname });
    const document = documentAt(url);
    if (!document) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => documents.listen(0, '127.0.0.1', resolve));
  DOCUMENTS_PORT = (documents.address() as AddressInfo).port;
  const [portL, portH, portO, portX] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const [publicL, publicH, publicO, publicX] = [`http://127.0.0.1:${portL}`, `http://127.0.0.1:${portH}`, `http://127.0.0.1:${portO}`, 'https://connector.example'];
  emulator = await startEmulator({ oauth: { apps: [{ ...APP, redirectUris: [publicL, publicH, publicO, publicX].map((origin) => `${origin}/oauth/callback`) }] } });
  [L, H, O, X] = await Promise.all([
    deploy(publicL, portL, ca),
    deploy(publicH, portH, ca, ['--client-id-documents', 'localhost']),
    deploy(publicO, portO, ca, ['--client-id-documents', 'off']),
    deploy(publicX, portX, ca),
  ]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(
    [L, H, O, X].map(async (deployment) => {
      if (!deployment) return;
      deployment.child.kill('SIGTERM');
      if (deployment.child.exitCode === null && deployment.child.signalCode === null) await once(deployment.child, 'exit');
    }),
  );
  await emulator?.close();
  for (const server of [documents, clientApp]) {
    if (!server?.listening) continue;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('a client named by its metadata document, through the SDK client', () => {
  /** Our consent page's text for a client, as Chromium shows it, then on through the fake Pinterest's page as `person`. */
  async function signInInBrowser(authorizeUrl: string, person: PersonKey): Promise<{ consent: string; warned: boolean; back: URLSearchParams }> {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl);
      expect(await page.textContent('h1'), `${page.url()}\n${await page.content()}`).toBe('Allow this app to use your Pinterest account here?');
      const consent = (await page.textContent('body')) ?? '';
      const warned = (await page.locator('.warning').count()) === 1;
      await Promise.all([page.waitForURL((url) => url.href.startsWith(emulator.oauthUrl)), page.click('button[value="allow"]')]);
      await page.check(`input[name="person"][value="${person}"]`);
      await Promise.all([page.waitForURL((url) => url.href.startsWith(CLIENT_REDIRECT), { timeout: 10_000 }), page.click('button.allow')]);
      return { consent, warned, back: new URL(page.url()).searchParams };
    } finally {
      await context.close();
    }
  }

  it('signs in twice (Alice, then Bob) without registering, the consent page naming the document\'s host and warning of a localhost-only app; the document is fetched once', async () => {
    const documentPath = '/good/e2e.json';
    const clientId = documentUrl(documentPath);
    const discovery = (await (await fetch(`${L.listen}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(discovery.client_id_metadata_document_supported).toBe(true);
    for (const person of ['alice', 'bob'] as const) {
      const provider = new MemoryProvider(CLIENT_REDIRECT, clientId);
      const sent: string[] = [];
      const recording: typeof fetch = (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        sent.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${new URL(url).pathname}`);
        return fetch(input, init);
      };
      const first = new Client({ name: 'documented', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(`${L.publicUrl}/mcp`), { authProvider: provider, fetch: recording });
      const refused = await first.connect(transport).then(() => undefined, (error: unknown) => error);
      expect(refused, String((refused as Error)?.message)).toBeInstanceOf(UnauthorizedError);
      expect(provider.authorizationUrl?.searchParams.get('client_id')).toBe(clientId);
      const { consent, warned, back } = await signInInBrowser(provider.authorizationUrl!.href, person);
      // The one fact a person can check: the host that publishes the app's id. The name is the document's claim.
      expect(consent).toContain(`a document published at localhost:${DOCUMENTS_PORT}`);
      expect(consent).toContain('"Documented test client"');
      expect(consent).toContain(new URL(CLIENT_REDIRECT).host);
      // Its only redirect URI is on loopback: any program on the device could be this app.
      expect(warned).toBe(true);
      expect(consent).toContain('This app gets you back on this device (localhost).');
      await transport.finishAuth(back);
      const client = new Client({ name: 'documented', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${L.publicUrl}/mcp`), { authProvider: provider, fetch: recording }));
      try {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('ad_accounts_list');
        const result = await client.callTool({ name: 'ad_accounts_list', arguments: {} });
        expect(result.isError, textOf(result as never)).toBeFalsy();
        const own = person === 'alice' ? PEOPLE.alice.adAccounts.usd : PEOPLE.bob.adAccounts.jpy;
        expect((result.structuredContent as { items: { id: string }[] }).items.map((a) => a.id)).toEqual([own]);
      } finally {
        await client.close();
      }
      // The client went through discovery, authorization and the token endpoint, and never registered.
      expect(sent).toContain('POST /oauth/token');
      expect(sent.filter((line) => line.endsWith('/oauth/register'))).toEqual([]);
      expect([...provider.information.values()].map((info) => info.client_id)).toEqual([clientId]);
    }
    // Both authorizations (each looked the client up at authorize, consent, and token time) used one fetch of it.
    expect(fetchesOf(documentPath)).toEqual([{ method: 'GET', host: `localhost:${DOCUMENTS_PORT}`, path: documentPath }]);
  });

  it('a document whose app returns to an https site gets no localhost warning; its consent page still names the host publishing it', async () => {
    const clientId = documentUrl('/web/app.json');
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const params = new URLSearchParams({
        client_id: clientId,
        redirect_uri: 'https://app.example/callback',
        response_type: 'code',
        scope: 'mcp',
        code_challenge: pkceChallenge(),
        code_challenge_method: 'S256',
        resource: `${L.publicUrl}/mcp`,
        state: 'st',
      });
      await page.goto(`${L.publicUrl}/oauth/authorize?${params.toString()}`);
      const consent = (await page.textContent('body')) ?? '';
      expect(consent).toContain(`a document published at localhost:${DOCUMENTS_PORT}`);
      expect(consent).toContain('app.example');
      expect(await page.locator('.warning').count()).toBe(0);
      expect(consent).not.toContain('localhost).');
    } finally {
      await context.close();
    }
  });
});

describe('documents refused, each with nothing sent to Pinterest and no code issued', () => {
  it('a document whose client_id is not its own URL', async () => {
    const untouched = pinterestUntouched();
    expectRefused(await authorize(L, documentUrl('/mismatch/client.json')), /invalid_client_metadata: client_id metadata document client_id does not match/);
    // Fetched (the refusal is of its content), and not kept: a refused document is fetched again at the next try.
    expect(fetchesOf('/mismatch/client.json').length).toBeGreaterThan(0);
    untouched();
  });

  it('a document holding a client_secret (a public document cannot keep one)', async () => {
    const untouched = pinterestUntouched();
    expectRefused(await authorize(L, documentUrl('/secret/client.json')), /invalid_client_metadata: client_id metadata document must not contain client_secret/);
    untouched();
  });

  it('a redirect_uri the document does not list', async () => {
    const untouched = pinterestUntouched();
    const clientId = documentUrl('/good/redirect.json');
    expectAccepted(await authorize(L, clientId)); // the same document, with its own redirect URI
    expectRefused(await authorize(L, clientId, 'http://127.0.0.1:9/elsewhere'), /redirect_uri/);
    untouched();
  });

  it('a document on a host outside --client-id-documents is not fetched at all', async () => {
    const untouched = pinterestUntouched();
    expectAccepted(await authorize(H, documentUrl('/good/listed.json', 'localhost')));
    expectRefused(await authorize(H, documentUrl('/good/unlisted.json', '127.0.0.1')), /invalid_client: client_id metadata document fetch not allowed/);
    expect(fetchesOf('/good/listed.json')).toHaveLength(1);
    expect(fetchesOf('/good/unlisted.json')).toEqual([]);
    untouched();
  });

  it('--client-id-documents off: discovery no longer offers them, and a URL as client_id is an unknown client, never fetched', async () => {
    const untouched = pinterestUntouched();
    const discovery = (await (await fetch(`${O.listen}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(discovery.client_id_metadata_document_supported).toBeUndefined();
    expect(discovery.registration_endpoint).toBe(`${O.publicUrl}/oauth/register`);
    expectRefused(await authorize(O, documentUrl('/good/off.json')), /invalid_client/);
    expect(fetchesOf('/good/off.json')).toEqual([]);
    untouched();
  });

  it('a deployment whose public URL is not loopback fetches no document from a loopback address (SSRF), whichever way it is named', async () => {
    const untouched = pinterestUntouched();
    // The same kind of document, at the same server, is accepted by a deployment on loopback.
    expectAccepted(await authorize(L, documentUrl('/good/loopback-control.json', '127.0.0.1')));
    for (const host of ['127.0.0.1', 'localhost']) {
      const path = `/good/ssrf-${host}.json`;
      expectRefused(await authorize(X, documentUrl(path, host)), /invalid_client: client_id metadata document fetch failed/);
      expect(fetchesOf(path), host).toEqual([]);
    }
    untouched();
  });
});

describe('address rules', () => {
  it('a loopback socket is 127.0.0.0/8 or ::1 (IPv4-mapped too), nothing else special-use', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['10.0.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '93.184.216.34', 'localhost', '', undefined]) {
      expect(isLoopbackAddress(address), String(address)).toBe(false);
    }
  });

  it('the localhost warning is for an app whose every redirect URI is on loopback', () => {
    expect(returnsOnlyToLoopback(['http://127.0.0.1:33418/callback'])).toBe(true);
    expect(returnsOnlyToLoopback(['http://localhost:6274/oauth/callback', 'http://[::1]:8080/cb'])).toBe(true);
    expect(returnsOnlyToLoopback(['http://localhost:6274/cb', 'https://claude.ai/api/mcp/auth_callback'])).toBe(false);
    expect(returnsOnlyToLoopback(['cursor://anysphere.cursor-mcp/oauth/callback'])).toBe(false);
    expect(returnsOnlyToLoopback([])).toBe(false);
  });
});
