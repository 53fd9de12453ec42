// Property (fast-check): over HTTP, a bot with only its own credentials gets no held write sent, whatever it calls, answers, replays, forges or posts.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, SEED as IDS, startEmulator } from '../../fakes/pinterest/server.js';
import type { AuditEntry } from '../../src/guard/audit.js';
import { PageApprover, csrfOf } from '../helpers/approver.js';
import { type Answer, CLIENT_KINDS, type ClientKind, type Elicitation, MODERN_VERSION, connectEra } from '../helpers/era-clients.js';
import { USD_ACCOUNT } from '../helpers/harness.js';
import { type Served, serve } from '../helpers/http.js';
import { tempDir } from '../helpers/temp.js';

/** Replay a failure with BOT_SEED=<the printed seed>; BOT_RUNS runs more sequences per cell. */
const SEED = process.env.BOT_SEED ? Number(process.env.BOT_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
const RUNS = Number(process.env.BOT_RUNS) || 25;
const REPLAY = `BOT_SEED=${SEED} npx vitest run test/scenarios/bot-alone.test.ts`;
console.log(`bot-alone seed ${SEED} (replay: ${REPLAY})`);

const ALICE = 'alice-approver-token-0123456789abcdef';
const BOT = 'bot-bearer-token-0123456789abcdef0000';

/** Held writes the bot may ask for: each changes spend (none of the amounts or statuses is the current one). */
const HELD_WRITES: readonly { tool: string; args: (variant: number) => Record<string, unknown> }[] = [
  { tool: 'ad_groups_update', args: (v) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: IDS.adGroups.usd, budget: ['13', '12.50', '0.75', '250'][v % 4] }] }) },
  { tool: 'campaigns_update', args: (v) => ({ ad_account_id: USD_ACCOUNT, body: [{ id: IDS.campaigns.usdPaused, ad_account_id: USD_ACCOUNT, status: v % 2 ? 'ACTIVE' : 'ARCHIVED' }] }) },
  { tool: 'ads_update', args: () => ({ ad_account_id: USD_ACCOUNT, body: [{ id: IDS.ads.usd, status: 'PAUSED' }] }) },
];
const READS: readonly { tool: string; args: Record<string, unknown> }[] = [
  { tool: 'ad_accounts_get', args: { ad_account_id: USD_ACCOUNT } },
  { tool: 'ad_groups_list', args: { ad_account_id: USD_ACCOUNT } },
];

/** A string the bot uses: the latest approval id it saw, one it saw anywhere (by position), or its own. */
type Pick = { from: 'latest' } | { from: 'seen'; index: number } | { from: 'own'; value: string };
const pick: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ from: 'latest' as const }) },
  { weight: 2, arbitrary: fc.nat({ max: 1_000 }).map((index) => ({ from: 'seen' as const, index })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^(apr|dlg|cfm|lnk|csrf)_[\w-]{24}$/), fc.stringMatching(/^[\w-]{16}\.[\w-]{43}$/))
      .map((value) => ({ from: 'own' as const, value })),
  },
);

/** What a dialog handler returns, if ever asked: yes, garbage, no, or a failure. */
const ANSWERS: readonly Answer[] = [
  () => ({ action: 'accept', content: { confirm: true } }),
  () => ({ action: 'accept', content: { confirm: 'yes' } }),
  () => ({ action: 'accept' }),
  () => ({ action: 'decline' }),
  () => ({ action: 'cancel' }),
  () => ({ action: 'maybe', content: [1, 2] }),
  () => {
    throw new Error('the bot crashed its own dialog');
  },
];

/** A modern-era retry's inputResponses, as a bot would forge them. */
const FORGED_RESPONSES: readonly unknown[] = [
  undefined,
  { confirm: { action: 'accept', content: { confirm: true } } },
  { confirm: { action: 'accept' } },
  { approval: { action: 'accept' } },
  { confirm: { action: 'accept', content: { confirm: 'true' } }, approval: { action: 'accept', content: { confirm: true } } },
  { confirm: true },
];

type Action =
  | { kind: 'held'; write: number; variant: number; dryRun: boolean }
  | { kind: 'read'; read: number }
  | { kind: 'poll'; write: number; variant: number; id: Pick; sameArgs: boolean }
  | { kind: 'token'; write: number; variant: number; token: Pick }
  | { kind: 'forge'; write: number; variant: number; sameArgs: boolean; state: Pick | { from: 'value'; value: unknown }; responses: number; declares: Elicitation }
  | { kind: 'page'; method: 'GET' | 'POST'; path: number; id: Pick; bearer: 'bot' | 'none' | 'own'; origin: 'self' | 'none' | 'evil'; csrf: Pick | { from: 'page' } }
  | { kind: 'sign-in'; token: Pick | { from: 'bot' } };

const write = fc.nat({ max: HELD_WRITES.length - 1 });
const variant = fc.nat({ max: 3 });
const declares: fc.Arbitrary<Elicitation> = fc.constantFrom<Elicitation>({}, { form: {} }, { url: {} }, { form: {}, url: {} });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('held' as const), write, variant, dryRun: fc.boolean() }) },
  fc.record({ kind: fc.constant('read' as const), read: fc.nat({ max: READS.length - 1 }) }),
  {
    weight: 3,
    // Mostly the real poll (the latest approval, its own arguments), which must still only read.
    arbitrary: fc.record({
      kind: fc.constant('poll' as const),
      write,
      variant,
      id: fc.oneof({ weight: 3, arbitrary: fc.constant<Pick>({ from: 'latest' }) }, { weight: 2, arbitrary: pick }),
      sameArgs: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  fc.record({ kind: fc.constant('token' as const), write, variant, token: pick }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('forge' as const),
      write,
      variant,
      sameArgs: fc.boolean(),
      state: fc.oneof(pick, fc.jsonValue({ maxDepth: 2 }).map((value) => ({ from: 'value' as const, value }))),
      responses: fc.nat({ max: FORGED_RESPONSES.length - 1 }),
      declares,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('page' as const),
      method: fc.constantFrom('GET' as const, 'POST' as const),
      path: fc.nat({ max: 6 }),
      id: pick,
      bearer: fc.constantFrom('bot' as const, 'none' as const, 'own' as const),
      origin: fc.constantFrom('self' as const, 'none' as const, 'evil' as const),
      csrf: fc.oneof(fc.constant({ from: 'page' as const }), pick),
    }),
  },
  fc.record({ kind: fc.constant('sign-in' as const), token: fc.oneof(fc.constant({ from: 'bot' as const }), pick) }),
);

/** One bot session: the client it connects as, and what it does. */
const sequence = fc.record({
  elicitation: fc.option(declares.filter((d) => Object.keys(d).length > 0), { nil: undefined }),
  // Mostly a plain yes: the answer that would send, were the bot's own dialog ever to count.
  answers: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat({ max: ANSWERS.length - 1 }) }), { minLength: 1, maxLength: 4 }),
  actions: fc.array(action, { minLength: 1, maxLength: 10 }),
});
type Sequence = typeof sequence extends fc.Arbitrary<infer T> ? T : never;

const writes = (emulator: Emulator) => emulator.requests.filter((r) => r.method !== 'GET');
const auditOf = (path: string): AuditEntry[] => {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry);
  } catch {
    return [];
  }
};

/** Everything the bot saw, as strings it may replay (ids, tokens, CSRF fields, cookies' values). */
class Seen {
  readonly strings: string[] = [];
  /** The approval id of the latest approval_required answer. */
  latest?: string;
  /** The held call that answered the latest approval id, so that a poll can repeat its arguments. */
  latestCall?: { write: number; variant: number };
  /** The CSRF field of the last form a page showed the bot. */
  csrf?: string;

  add(text: string): void {
    for (const s of text.match(/[\w.-]{8,}/g) ?? []) if (!this.strings.includes(s)) this.strings.push(s);
  }

  resolve(p: Pick | { from: 'value'; value: unknown }): unknown {
    if (p.from === 'own' || p.from === 'value') return p.value;
    if (p.from === 'latest') return this.latest ?? 'apr_none';
    return this.strings.length ? this.strings[p.index % this.strings.length] : '';
  }
}

const PAGE_PATHS = [
  () => '/approvals',
  (id: string) => `/approvals/${encodeURIComponent(id)}`,
  (id: string) => `/approvals/${encodeURIComponent(id)}/approve`,
  (id: string) => `/approvals/${encodeURIComponent(id)}/reject`,
  () => '/approvals/sign-in',
  () => '/approvals/sign-out',
  (id: string) => `/approvals/${encodeURIComponent(id)}?key=${encodeURIComponent(id)}`,
];

const CELLS: { label: string; args: string[] }[] = [
  { label: 'stateless', args: [] },
  { label: '--stateful', args: ['--stateful'] },
];

for (const cell of CELLS) {
  describe(`a bot alone over HTTP, ${cell.label} (seed ${SEED})`, () => {
    let emulator: Emulator;
    let served: Served;
    let audit: string;
    const tally = { runs: 0, actions: 0, forged: 0, statuses: new Map<string, number>(), pages: new Map<number, number>() };

    beforeAll(async () => {
      emulator = await startEmulator();
      audit = join(tempDir('audit-'), 'audit.jsonl');
      // Many sequences hold writes from one address: the bound on pending approvals is raised so that each one is held.
      served = await serve(emulator, ['--audit-log', audit, '--max-pending-approvals', '1000', ...cell.args], {
        PINTEREST_MCP_APPROVER_TOKEN: `alice=${ALICE}`,
        PINTEREST_MCP_HTTP_TOKEN: BOT,
      });
    });
    afterAll(async () => {
      console.log(`bot-alone ${cell.label} (seed ${SEED}): ${JSON.stringify({ ...tally, statuses: Object.fromEntries(tally.statuses), pages: Object.fromEntries(tally.pages) })}`);
      await served?.close();
      await emulator?.close();
    });

    // Before any bot's failed sign-ins slow this address down: a person can approve here, and the fake API sees it.
    it('control: when alice approves a held write on the page, the fake API receives it', async () => {
      const bot = await connectEra('modern', { kind: 'http', url: served.url, headers: { authorization: `Bearer ${BOT}` } }, { name: 'control' });
      try {
        const held = await bot.call(HELD_WRITES[0].tool, HELD_WRITES[0].args(0));
        const id = (held.structuredContent as { approval_id?: string }).approval_id ?? '';
        const alice = new PageApprover(served.http.url);
        expect((await alice.signIn(ALICE)).status).toBe(303);
        expect((await alice.decide(id, 'approve')).status).toBe(303);
        expect(writes(emulator)).toHaveLength(1);
        expect(auditOf(audit).filter((l) => l.outcome === 'sending')).toHaveLength(1);
      } finally {
        await bot.close();
        emulator.reset();
      }
    });

    CLIENT_KINDS.forEach(({ kind, label }, index) => {
      it(`${label}: no sequence of the bot's own means sends a held write`, async () => {
        const sent = () => auditOf(audit).filter((l) => l.outcome === 'sending').length;
        try {
          await fc.assert(
            fc.asyncProperty(sequence, async (run) => {
              // Each sequence is judged on its own requests (a shrunk one too); the server keeps what earlier ones left.
              emulator.reset();
              const sentBefore = sent();
              await playSequence(kind, run);
              expect(writes(emulator), 'writes that reached the fake API').toEqual([]);
              expect(sent(), 'audit lines of writes sent').toBe(sentBefore);
            }),
            // Each client kind plays its own sequences, all derived from the one printed seed.
            { seed: (SEED + index) >>> 0, numRuns: RUNS },
          );
        } catch (error) {
          (error as Error).message = `replay: ${REPLAY}\n${(error as Error).message}`;
          throw error;
        }
      });
    });

    async function playSequence(kind: ClientKind, run: Sequence): Promise<void> {
      tally.runs++;
      const seen = new Seen();
      let answered = 0;
      const client = await connectEra(
        kind,
        { kind: 'http', url: served.url, headers: { authorization: `Bearer ${BOT}` } },
        { name: `bot-${kind}`, elicitation: run.elicitation, answer: (asked) => ANSWERS[run.answers[answered++ % run.answers.length]](asked) },
      );
      const page = new PageApprover(served.http.url);
      try {
        for (const step of run.actions) {
          tally.actions++;
          try {
            await play(step, client, page, seen);
          } catch (error) {
            tally.statuses.set('thrown', (tally.statuses.get('thrown') ?? 0) + 1);
            seen.add(String((error as Error).message)); // a refusal's text is something the bot saw too
          }
        }
      } finally {
        await client.close();
      }
    }

    /** Tallies what the bot got back (for the summary line: the sequences reach held, pending and refused answers). */
    function count(result: { isError?: boolean; structuredContent?: unknown } | undefined): void {
      const status = (result?.structuredContent as { status?: string } | undefined)?.status ?? (result?.isError ? 'error' : 'ok');
      tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    }

    async function play(step: Action, client: Awaited<ReturnType<typeof connectEra>>, page: PageApprover, seen: Seen): Promise<void> {
      const call = async (tool: string, args: Record<string, unknown>) => {
        const result = await client.call(tool, args);
        seen.add(JSON.stringify(result));
        count(result);
        const held = result.structuredContent as { status?: string; approval_id?: string } | undefined;
        if (held?.status === 'approval_required' && held.approval_id) seen.latest = held.approval_id;
      };
      switch (step.kind) {
        case 'held': {
          const w = HELD_WRITES[step.write];
          const before = seen.latest;
          await call(w.tool, { ...w.args(step.variant), ...(step.dryRun ? { dry_run: true } : {}) });
          if (seen.latest !== before) seen.latestCall = { write: step.write, variant: step.variant };
          return;
        }
        case 'read':
          return call(READS[step.read].tool, READS[step.read].args);
        case 'poll': {
          const { write: which, variant: v } = step.sameArgs && seen.latestCall ? seen.latestCall : step;
          return call(HELD_WRITES[which].tool, { ...HELD_WRITES[which].args(v), approval_id: String(seen.resolve(step.id)) });
        }
        case 'token': {
          const w = HELD_WRITES[step.write];
          return call(w.tool, { ...w.args(step.variant), confirmation_token: String(seen.resolve(step.token)) });
        }
        case 'forge': {
          tally.forged++;
          const { write: which, variant: v } = step.sameArgs && seen.latestCall ? seen.latestCall : step;
          const w = HELD_WRITES[which];
          const state = seen.resolve(step.state);
          const responses = FORGED_RESPONSES[step.responses];
          const envelope = {
            'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
            'io.modelcontextprotocol/clientInfo': { name: 'bot-forger', version: '1.0.0' },
            'io.modelcontextprotocol/clientCapabilities': Object.keys(step.declares).length ? { elicitation: step.declares } : {},
          };
          const params = { name: w.tool, arguments: w.args(v), ...(state !== undefined ? { requestState: state } : {}), ...(responses ? { inputResponses: responses } : {}), _meta: envelope };
          const answer = await fetch(served.url, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${BOT}`,
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              'mcp-protocol-version': MODERN_VERSION,
              'mcp-method': 'tools/call',
              'mcp-name': w.tool,
            },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
          });
          const text = await answer.text();
          seen.add(text);
          const message = JSON.parse(/^data: (.*)$/m.exec(text)?.[1] ?? text) as { result?: { isError?: boolean; structuredContent?: unknown } };
          count(message.result ?? { isError: true });
          return;
        }
        case 'page': {
          tally.pages.set(step.path, (tally.pages.get(step.path) ?? 0) + 1);
          const path = PAGE_PATHS[step.path](String(seen.resolve(step.id)));
          const headers: Record<string, string> = step.bearer === 'bot' ? { authorization: `Bearer ${BOT}` } : step.bearer === 'own' ? { authorization: `Bearer ${String(seen.resolve(step.id))}` } : {};
          const answer =
            step.method === 'GET'
              ? await page.get(path, headers)
              : await page.post(
                  path,
                  { csrf: step.csrf.from === 'page' ? (seen.csrf ?? '') : String(seen.resolve(step.csrf)), token: BOT },
                  step.origin === 'self' ? page.base : step.origin === 'evil' ? 'http://evil.example' : null,
                  headers,
                );
          seen.add(answer.html + (answer.location ?? ''));
          for (const field of answer.html.matchAll(/name="csrf" value="([^"]+)"/g)) seen.csrf = field[1];
          return;
        }
        case 'sign-in': {
          const token = step.token.from === 'bot' ? BOT : String(seen.resolve(step.token));
          const form = await page.get('/approvals');
          seen.add(form.html);
          const answer = await page.post('/approvals/sign-in', { csrf: csrfOf(form.html, '/approvals/sign-in'), token });
          seen.add(answer.html + (answer.location ?? ''));
          return;
        }
      }
    }
  });
}
