// Former tool names (each API's renamedTools): every one points at a tool, none is listed, and a call by one sends the
// current tool's request exactly once and names the current name. The tables are empty today (no operation was renamed
// from 5.12.0 to 5.23.0), so the calls go through a test-only former name added to Pinterest's table for this file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIS, pinterestApi } from '../../src/apis/index.js';
import { buildTools, toolsByName } from '../../src/tools/registry.js';
import { type Harness, startInProcess } from '../helpers/harness.js';

const FORMER = 'boards_list_former';
const CURRENT = 'boards_list';
// A read with a query and no money in its answer: the call is its only request (no currency read beside it).
const ARGS = { privacy: 'PUBLIC', page_size: 5 };

/** Pinterest's table, writable here: the test adds its former name before the servers start and removes it after. */
const pinterestRenames = pinterestApi.renamedTools as Record<string, string>;

describe('the renamed-tools tables', () => {
  it('point every former name at a tool of its own API, and no former name is a tool name of any API', () => {
    const tools = APIS.flatMap((api) => buildTools(api));
    const names = new Set(tools.map((t) => t.name));
    for (const api of APIS) {
      const own = new Set(tools.filter((t) => t.api === api).map((t) => t.name));
      for (const [former, current] of Object.entries(api.renamedTools)) {
        expect(own.has(current), `${api.id}: ${former} -> ${current}`).toBe(true);
        expect(names.has(former), `${api.id}: ${former} is a tool name`).toBe(false);
      }
    }
    expect(() => toolsByName(tools)).not.toThrow();
  });

  it('stop the server at start when a former name points at no tool or is a tool name', () => {
    const tools = buildTools(pinterestApi);
    try {
      pinterestRenames.campaigns_list_gone = 'campaigns_vanished';
      expect(() => toolsByName(tools)).toThrow('pinterest renamedTools: campaigns_list_gone points at campaigns_vanished, which is not one of its tools');
      delete pinterestRenames.campaigns_list_gone;
      pinterestRenames.campaigns_get = CURRENT;
      expect(() => toolsByName(tools)).toThrow('pinterest renamedTools: campaigns_get is the name of a tool, so it cannot also be a former name');
    } finally {
      delete pinterestRenames.campaigns_list_gone;
      delete pinterestRenames.campaigns_get;
    }
  });
});

describe('a call by a former name', () => {
  let tools: Harness;
  let discover: Harness;
  beforeAll(async () => {
    pinterestRenames[FORMER] = CURRENT;
    tools = await startInProcess({ args: ['--toolsets', 'all'] });
    discover = await startInProcess({ args: ['--mode', 'discover'] });
  });
  afterAll(async () => {
    delete pinterestRenames[FORMER];
    await tools?.close();
    await discover?.close();
  });

  it('is not listed, in either mode, and collides with no listed name', async () => {
    for (const h of [tools, discover]) {
      const listed = (await h.client.listTools()).tools.map((t) => t.name);
      expect(listed).not.toContain(FORMER);
      for (const api of APIS) for (const former of Object.keys(api.renamedTools)) expect(listed).not.toContain(former);
    }
  });

  it('sends the current tool\'s request, once, and says the current name', async () => {
    const current = await tools.call(CURRENT, ARGS);
    const former = await tools.call(FORMER, ARGS);
    expect(current.isError, current.text).toBeFalsy();
    expect(former.isError, former.text).toBeFalsy();
    const [first, second] = tools.emulator.requests;
    expect(tools.emulator.requests).toHaveLength(2);
    expect({ method: second.method, path: second.path, rawQuery: second.rawQuery, body: second.body }).toEqual({
      method: first.method,
      path: first.path,
      rawQuery: first.rawQuery,
      body: first.body,
    });
    expect(second.operationId).toBe('boards/list');
    expect(former.structuredContent).toEqual(current.structuredContent);
    expect(former.content.slice(0, -1)).toEqual(current.content);
    expect(former.content.at(-1)).toEqual({
      type: 'text',
      text: `Note: ${FORMER} is deprecated, renamed ${CURRENT}; call ${CURRENT} (the old name goes in a later release).`,
    });
    expect(current.text).not.toContain('deprecated');
  });

  it('works through call_tool in discover mode, sending one request', async () => {
    const result = await discover.call('call_tool', { name: FORMER, arguments: ARGS });
    expect(result.isError, result.text).toBeFalsy();
    expect(discover.emulator.requests.map((r) => r.operationId)).toEqual(['boards/list']);
    expect(result.text).toContain(`Note: ${FORMER} is deprecated, renamed ${CURRENT}`);
  });
});
