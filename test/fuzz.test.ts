// Seeded fuzz: thousands of random and malformed tools/call requests through a real MCP client to the server and both fake APIs.
import { CallToolResultSchema, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { USD_ACCOUNT, startInProcess } from './helpers/harness.js';

// Found by this fuzz test: the SDK's protocol layer parsed tools/call with CallToolRequestSchema before any handler and
// answered a bare ZodError as -32603 Internal error.
describe('malformed tools/call params', () => {
  it('are answered InvalidParams (not Internal error), nothing is sent, and the server goes on', async () => {
    const h = await startInProcess({ args: ['--toolsets', 'all'] });
    try {
      const malformed: unknown[] = [
        { name: 'campaigns_list', arguments: 5 },
        { name: 'campaigns_list', arguments: 'ad_account_id=1' },
        { name: 'campaigns_list', arguments: [USD_ACCOUNT] },
        { name: 'campaigns_list', arguments: null },
        { name: 7, arguments: {} },
        { arguments: {} },
      ];
      for (const params of malformed) {
        await expect(h.client.request({ method: 'tools/call', params } as never, CallToolResultSchema), JSON.stringify(params)).rejects.toMatchObject({
          code: ErrorCode.InvalidParams,
          message: expect.stringMatching(/Invalid tools\/call request/),
        });
      }
      expect(h.emulator.requests).toHaveLength(0);
      const read = await h.call('ad_accounts_get', { ad_account_id: USD_ACCOUNT });
      expect(read.isError, read.text).toBeFalsy();
    } finally {
      await h.close();
    }
  }, 15_000);
});
