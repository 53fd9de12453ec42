// The guard layer: turns validated arguments into the exact request, and decides whether it may be sent now.
import { buildRequest } from '../client/request.js';
import type { Guard, GuardDecision, GuardInput } from './types.js';

export class SpendGuard implements Guard {
  async review(input: GuardInput): Promise<GuardDecision> {
    const request = buildRequest(input.tool.op, input.args);
    if (input.dryRun) {
      return {
        action: 'respond',
        result: {
          content: [{ type: 'text', text: `Dry run: nothing was sent.\n${JSON.stringify(request)}` }],
          structuredContent: { status: 'dry_run', request },
        },
      };
    }
    return { action: 'send', request };
  }
}
