// A fake Whop ads API on loopback: POST /api/v1/ad_groups with bearer auth, body checked against the Whop catalog.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Catalog, SchemaFacts } from '../catalog/types.js';
import { whopCatalog } from '../catalog/whop.js';
import { listenOnLoopback, readBody } from './server.js';
import { RequestValidator } from './validate.js';

export interface WhopCampaign {
  id: string;
  title: string;
  platform: 'meta' | 'tiktok';
  status: 'active' | 'paused' | 'inactive';
}

export interface WhopEmulatorOptions {
  /** API keys accepted as `Authorization: Bearer <key>`; default ['whop-test-key']. */
  apiKeys?: string[];
  /** Ad campaigns that exist; default one Meta and one TikTok campaign (WHOP_SEED_CAMPAIGNS). */
  campaigns?: WhopCampaign[];
}

export interface WhopRecordedRequest {
  method: string;
  /** Path below the API base (`/ad_groups`), without the query string. */
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON, the raw text when it did not parse, undefined when empty. */
  body: unknown;
  /** Whether the request matched the route and its body conforms to the catalog (unknown properties refused). */
  valid: boolean;
  problems: string[];
  status: number;
}

export interface WhopEmulator {
  /** Base URL clients use (what WHOP_API_BASE_URL takes): http://127.0.0.1:PORT/api/v1 */
  url: string;
  /** Every request received, in order (including refused ones). */
  requests: WhopRecordedRequest[];
  /** Ad groups created so far, as answered. */
  adGroups: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

export const WHOP_TEST_KEY = 'whop-test-key';
export const WHOP_SEED_CAMPAIGNS: readonly WhopCampaign[] = [
  { id: 'adcamp_meta00000001', title: 'Spring launch (Meta)', platform: 'meta', status: 'active' },
  { id: 'adcamp_tiktok000001', title: 'Spring launch (TikTok)', platform: 'tiktok', status: 'active' },
];

const BASE_PATH = '/api/v1';
const MAX_BODY_BYTES = 1024 * 1024;
const PLATFORM_TYPENAMES = { meta: 'MetaAdGroupPlatformConfigType', tiktok: 'TiktokAdGroupPlatformConfigType' } as const;

/** The catalog with every object closed (`additionalProperties: false`), so the fake refuses properties the API does not document. */
function closed(catalog: Catalog): Catalog {
  const close = (facts: SchemaFacts): SchemaFacts => {
    const out: SchemaFacts = { ...facts };
    if (facts.properties) {
      out.properties = Object.fromEntries(Object.entries(facts.properties).map(([k, v]) => [k, close(v)]));
      if (facts.additionalProperties === undefined) out.additionalProperties = false;
    }
    if (facts.items) out.items = close(facts.items);
    return out;
  };
  return { ...catalog, schemas: Object.fromEntries(Object.entries(catalog.schemas).map(([k, v]) => [k, close(v)])) };
}

let validator: RequestValidator | undefined;
const createOp = whopCatalog.operations.find((o) => o.id === 'ad_groups/create')!;

function decimals(n: number): number {
  const text = String(n);
  if (/e/i.test(text)) return Infinity;
  return text.includes('.') ? text.split('.')[1].length : 0;
}

function bodyProblems(body: unknown): string[] {
  validator ??= new RequestValidator(closed(whopCatalog));
  const problems = validator.validateBody(createOp, body);
  const budget = (body as Record<string, unknown> | null)?.daily_budget;
  if (typeof budget === 'number' && (budget < 0 || decimals(budget) > 2)) {
    problems.push('body.daily_budget must be a non-negative dollar amount with at most 2 decimals');
  }
  return problems;
}

function newId(prefix: string): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return prefix + [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** The created ad group, shaped like Whop's answer: platform settings of the campaign's platform, config echoed. */
function createdAdGroup(body: Record<string, any>, campaign: WhopCampaign): Record<string, unknown> {
  const now = new Date().toISOString();
  const platformSettings = (body.platform_config?.[campaign.platform] ?? {}) as Record<string, unknown>;
  return {
    id: newId('adgrp_'),
    name: body.name ?? null,
    status: body.status ?? 'active',
    daily_budget: body.daily_budget ?? null,
    created_at: now,
    updated_at: now,
    platform_config: { typename: PLATFORM_TYPENAMES[campaign.platform], platform: campaign.platform, ...platformSettings },
    config: body.config ?? {},
    ad_campaign: { id: campaign.id, title: campaign.title, platform: campaign.platform, status: campaign.status },
  };
}

export async function startWhopEmulator(options: WhopEmulatorOptions = {}): Promise<WhopEmulator> {
  const keys = new Set(options.apiKeys ?? [WHOP_TEST_KEY]);
  const campaigns = new Map((options.campaigns ?? WHOP_SEED_CAMPAIGNS).map((c) => [c.id, c]));
  const requests: WhopRecordedRequest[] = [];
  const adGroups = new Map<string, Record<string, unknown>>();

  function answer(record: WhopRecordedRequest): { status: number; body: unknown } {
    const route = record.path === '/ad_groups' && record.method === 'POST';
    if (!route) return { status: 404, body: { message: `No route for ${record.method} ${BASE_PATH}${record.path}` } };
    const bearer = /^Bearer\s+(\S+)\s*$/.exec(record.headers.authorization ?? '');
    if (!bearer || !keys.has(bearer[1])) return { status: 401, body: { message: 'Invalid or missing API key' } };
    if (record.problems.length) return { status: 400, body: { message: record.problems.join('; ') } };
    const body = record.body as Record<string, any>;
    const campaign = campaigns.get(body.campaign_id);
    if (!campaign) return { status: 404, body: { message: `Ad campaign ${String(body.campaign_id)} not found` } };
    const other = Object.keys(body.platform_config ?? {}).find((p) => p !== campaign.platform);
    if (other) {
      return { status: 400, body: { message: `platform_config.${other} does not apply to a ${campaign.platform} campaign` } };
    }
    const created = createdAdGroup(body, campaign);
    adGroups.set(created.id as string, created);
    return { status: 200, body: created };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, MAX_BODY_BYTES);
    const method = (req.method ?? 'GET').toUpperCase();
    const pathname = (req.url ?? '/').split('?')[0];
    const path = pathname.startsWith(`${BASE_PATH}/`) ? pathname.slice(BASE_PATH.length) : pathname;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const problems: string[] = [];
    let body: unknown;
    if (raw.length) {
      const text = raw.toString('utf8');
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        problems.push('request body is not valid JSON');
      }
    }
    const isCreate = method === 'POST' && path === '/ad_groups';
    if (isCreate) {
      const mediaType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (mediaType !== 'application/json') problems.push(`Content-Type must be application/json${mediaType ? `, not ${mediaType}` : ''}`);
      if (body === undefined) problems.push('request body is required');
      else if (!problems.length) problems.push(...bodyProblems(body));
    } else {
      problems.push(`no operation matches ${method} ${pathname}`);
    }
    const record: WhopRecordedRequest = { method, path, headers, body, valid: problems.length === 0, problems, status: 0 };
    requests.push(record);
    const out = answer(record);
    record.status = out.status;
    const text = JSON.stringify(out.body);
    res.writeHead(out.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Emulator error' }));
    });
  });
  const origin = await listenOnLoopback(server);
  return {
    url: `${origin}${BASE_PATH}`,
    requests,
    adGroups,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

