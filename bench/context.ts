// `npm run bench:context`: prints tool count, bytes and o200k tokens of tools/list for each listing mode, without the
// optional APIs' keys and with every API on, then the default with those APIs' toolsets named (no budget).
import { API_SETS, BUDGETS, MODES, UNBUDGETED, measureListing } from './context-measure.js';

const rows = [];
for (const [apis, env] of Object.entries(API_SETS)) {
  for (const [mode, args] of Object.entries(MODES)) {
    const size = await measureListing(mode, args, env);
    const budget = BUDGETS[mode as keyof typeof BUDGETS];
    rows.push({ apis, mode, args: args.join(' ') || '(defaults)', tools: size.tools, bytes: size.bytes, tokens: size.tokens, budget, ok: size.tokens <= budget });
  }
}
for (const [mode, args] of Object.entries(UNBUDGETED)) {
  const size = await measureListing(mode, args, API_SETS['every API on']);
  rows.push({ apis: 'every API on', mode, args: args.join(' '), tools: size.tools, bytes: size.bytes, tokens: size.tokens, budget: '-', ok: '-' });
}
console.table(rows);
