// `npm run bench:context`: prints tool count, bytes and o200k tokens of tools/list for each listing mode.
import { BUDGETS, MODES, measureListing } from './context-measure.js';

const rows = [];
for (const [mode, args] of Object.entries(MODES)) {
  const size = await measureListing(mode, args);
  rows.push({ mode, args: args.join(' ') || '(defaults)', tools: size.tools, bytes: size.bytes, tokens: size.tokens, budget: BUDGETS[mode as keyof typeof BUDGETS], ok: size.tokens <= BUDGETS[mode as keyof typeof BUDGETS] });
}
console.table(rows);
