// `npx tsx bench/redact.ts`: time to redact a ~25 KB JSON tool result with a few secrets registered (none present, a few present).
// BENCH_REDACTOR=path/to/redact.ts measures another version of the redactor (e.g. a copy of the previous one).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2000);
const modulePath = resolve(import.meta.dirname, process.env.BENCH_REDACTOR ? resolve(process.env.BENCH_REDACTOR) : '../src/redact.ts');
const { redactor } = (await import(pathToFileURL(modulePath).href)) as typeof import('../src/core/redact.js');

/** The secrets a configured OAuth + Whop + HTTP server registers (redaction.test.ts's), the Basic form included. */
const SECRETS = {
  access: 'pina_access-9f8e7d6c5b4a3921',
  whop: 'whop_key-4d3c2b1a0f9e',
  http: 'mcp-bearer-8a7b6c5d4e3f',
  appSecret: 'app-secret-5f2b9c1d',
  refresh: 'pinr_refresh-7e4a0b33',
  basic: Buffer.from('1234567:app-secret-5f2b9c1d').toString('base64'),
};
redactor.add(...Object.values(SECRETS));

/** A page of ad groups as Pinterest lists them, about 25 KB once serialised. */
function listing(note?: (i: number) => string): string {
  const items = [];
  for (let i = 0; items.length === 0 || JSON.stringify(items).length < 25_000; i++) {
    items.push({
      id: `26800595927${String(i).padStart(2, '0')}`,
      ad_account_id: '549755885175',
      campaign_id: '626736533506',
      name: `Spring sale, ad group ${i} <US & CA> "retargeting"`,
      status: i % 3 ? 'ACTIVE' : 'PAUSED',
      budget_in_micro_currency: 12_500_000 + i,
      bid_in_micro_currency: i % 2 ? 1_000_000 : null,
      budget_type: 'DAILY',
      start_time: 1_767_225_600 + i * 86_400,
      end_time: null,
      targeting_spec: { GENDER: ['female', 'male'], LOCATION: ['US', 'CA'], AGE_BUCKET: ['25-34', '35-44'] },
      tracking_urls: { impression: [`https://track.example.com/i?cid=${i}&src=pinterest&utm_medium=paid`], click: [] },
      auto_targeting_enabled: true,
      placement_group: 'ALL',
      pacing_delivery_type: 'STANDARD',
      billable_event: 'CLICKTHROUGH',
      summary_status: 'RUNNING',
      created_time: 1_767_225_600,
      updated_time: 1_767_312_000,
      type: 'adgroup',
      ...(note ? { note: note(i) } : {}),
    });
  }
  return JSON.stringify({ items, bookmark: 'Y2JVSG81V2sxcmNHRlpWM1J5VFVaV2RHVklUbFJT' });
}

const clean = listing();
// An upstream that echoes credentials in a few items: raw, in Basic, as a prefix, base64-encoded and HTML-escaped.
const b64 = (text: string) => Buffer.from(text).toString('base64');
const echoes = [
  `Bearer ${SECRETS.access}`,
  `Basic ${SECRETS.basic}`,
  `token ${SECRETS.whop.slice(0, 14)}...`,
  `state=${b64(`{"t":"${SECRETS.refresh}"}`)}`,
  `&lt;${SECRETS.http}&gt;`,
];
const echoing = listing((i) => (i % 10 === 0 ? echoes[(i / 10) % echoes.length] : `plain note ${i}`));

/** Median and p90 of ROUNDS runs of `run`, after a warm-up (the regexes are compiled to native code after a few runs). */
function time(label: string, run: () => unknown): void {
  for (let i = 0; i < 200; i++) run();
  const runs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    run();
    runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  runs.sort((a, b) => a - b);
  const at = (q: number) => runs[Math.floor(q * (runs.length - 1))].toFixed(3);
  console.log(`${label.padEnd(58)} median ${at(0.5)} ms, p90 ${at(0.9)} ms`);
}

/** What the server does to each tool result: the text once (successResult), then the whole result as a value. */
const result = (text: string) => {
  const content = JSON.parse(text) as Record<string, unknown>;
  return () => redactor.value({ content: [{ type: 'text', text: redactor.text(text) }], structuredContent: content });
};

if (redactor.text(clean) !== clean) throw new Error('the listing without secrets was changed: the redactor garbles ordinary text');
console.log(`redactor: ${modulePath}, ${Object.keys(SECRETS).length} secrets registered, result ${(clean.length / 1024).toFixed(1)} KB`);
time('text, no secret in it', () => redactor.text(clean));
time('text, secrets echoed in 5 places', () => redactor.text(echoing));
time('tool result (text, then value), no secret in it', result(clean));
time('tool result (text, then value), secrets echoed in 5 places', result(echoing));
console.log('the echoes, redacted:', redactor.text(JSON.stringify(echoes)));
