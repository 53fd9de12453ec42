// The server's instructions, sent at initialize: money, held writes, finding tools, first calls.

export interface InstructionFacts {
  discover: boolean;
  /** Held writes carry a confirmation_token the model repeats (`--approval model`, or the fallback) besides approvals. */
  tokens: boolean;
  /** How the other APIs whose tools are offered name themselves (`api.inInstructions`), in listing order. */
  plus: readonly string[];
  /** analytics_run_report is served. */
  report: boolean;
}

/** A short guide for the model (under 1,500 characters); the facts pick the sentences that are true of this server. */
export function serverInstructions(facts: InstructionFacts): string {
  const call = (name: string, args: string) => (facts.discover ? `call_tool {"name":"${name}","arguments":${args}}` : `${name} ${args}`);
  const inside = facts.discover ? ' inside "arguments"' : '';
  return [
    `Pinterest Ads API v5 as tools${facts.plus.map((name) => `, plus ${name}`).join('')}.`,
    'Money: write natural amounts in the ad account\'s currency ("50", "12.50", "$12.50", "500 JPY"); the server converts them exactly to micro-units and refuses a currency that is not the account\'s. Results restate micro amounts in natural units.',
    'Writes that can change spend (budgets, bids, activation, schedules, targeting) and deletes are held: nothing is sent until a person approves.' +
      (facts.tokens
        ? ` The answer shows the request and a confirmation_token: show it to the user, and only after they agree repeat the same call with that token${inside}.`
        : ` Ask the user to approve (a dialog or the approval page the answer names), then repeat the same call with its approval_id${inside} to read the outcome.`),
    facts.discover
      ? 'Only search_tools, describe_tool and call_tool are listed: find a tool with search_tools, read its schema with describe_tool, run it with call_tool.'
      : 'Listed tools are the selected toolsets; describe_tool gives any tool\'s full schema (nested fields, long enums such as analytics columns).',
    'Lists return a bookmark; pass it back for the next page.',
    'Good first calls:',
    `1. ${call('ad_accounts_list', '{}')}: ids and currencies.`,
    `2. ${call('campaigns_list', '{"ad_account_id":"..."}')}: campaigns, their status and budgets.`,
    facts.report
      ? `3. ${call('analytics_run_report', '{"ad_account_id":"...","body":{...}}')}: spend, impressions, clicks per campaign, ad group or ad.`
      : `3. ${call('campaigns_analytics', '{"ad_account_id":"...","campaign_ids":[...],"start_date":"...","end_date":"...","columns":[...]}')}: metrics per campaign.`,
  ].join('\n');
}
