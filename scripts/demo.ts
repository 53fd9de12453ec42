// Offline demo: drives a short scripted session through a real MCP client against the server in --demo mode.
import { type CallToolResult, Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { resolve } from 'node:path';

const entry = resolve(import.meta.dirname, '../dist/index.js');
// A 2026-07-28 client ('auto' would also fall back to initialize against an older server).
const client = new Client({ name: 'demo', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
await client.connect(
  new StdioClientTransport({ command: process.execPath, args: [entry, '--demo', '--approval', 'model', '--log-level', 'warn'], stderr: 'inherit' }),
);

const say = (line = '') => process.stdout.write(`${line}\n`);
async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  say(`\n> ${name} ${JSON.stringify(args)}`);
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  for (const c of result.content) if (c.type === 'text') say(c.text.length > 1200 ? `${c.text.slice(0, 1200)} ...` : c.text);
  return result;
}

const { tools } = await client.listTools();
say(`Connected: ${tools.length} tools listed (e.g. ${tools.slice(0, 5).map((t) => t.name).join(', ')}, ...)`);

await call('ad_accounts_list', {});
const account = '549755885175';
const campaign = {
  ad_account_id: account,
  body: [{ ad_account_id: account, name: 'Holiday launch', objective_type: 'AWARENESS', daily_spend_cap: '$50' }],
};
say('\nCreating a campaign at "$50/day": the guard answers with a preview, nothing is sent yet.');
const preview = await call('campaigns_create', campaign);
const token = (preview.structuredContent as { confirmation_token?: string }).confirmation_token;
const previewed = (preview.structuredContent as { request: { body: { daily_spend_cap: number }[] } }).request.body[0];
say(`\nThe preview binds the token to the exact request: daily_spend_cap "$50" becomes ${previewed.daily_spend_cap} micro-units.`);
say('The user approves; the same call with the confirmation token executes it once.');
const done = await call('campaigns_create', { ...campaign, confirmation_token: token });
const created = (done.structuredContent as { items: { data: { id: string; daily_spend_cap: number; status: string } }[] }).items[0].data;
say(`\nPinterest received and stored campaign ${created.id}: daily_spend_cap ${created.daily_spend_cap} micro-units (= 50.00 USD), status ${created.status}.`);
say('\nReplaying the used token is refused:');
await call('campaigns_create', { ...campaign, confirmation_token: token });
await client.close();
