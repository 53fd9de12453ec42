// Whop's toolset: every Whop tool in one group.
import type { ToolsetInfo } from '../toolsets.js';

export const WHOP_TOOLSETS = {
  whop: { description: 'Whop ads (Meta through Whop): campaigns, ad groups, ads, reports, audiences', tags: ['whop'] },
} as const satisfies Record<string, ToolsetInfo>;
