// stdio under abuse: every invalid line gets a JSON-RPC error (by its id when it has one), an over-long line too, and the session goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, idAtEnds } from '../../src/transports/stdio-lines.js';
import { MODERN_VERSION } from '../helpers/era-clients.js';
import { type RawStdio, answerTo, idlessError, spawnRawStdio } from '../helpers/raw-stdio.js';

const INVALID_REQUEST = -32600;
const PARSE_ERROR = -32700;
const METHOD_NOT_FOUND = -32601;

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 'init',
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
/** A 2026-07-28 request's envelope: every request of that era carries it. */
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
type Era = 'legacy' | 'modern';
/** A well-formed request of `era` (the modern one carries its envelope). */
const request = (era: Era, id: string | number, method: string) => ({ jsonrpc: '2.0', id, method, ...(era === 'modern' ? { params: { _meta: ENVELOPE } } : {}) });

interface Expected {
  /** The answer's id; none when the line's id could not be read (the answer then has no id). */
  id?: string | number;
  code: number;
  message: RegExp;
}

interface Case {
  name: string;
  line: (era: Era) => string | object;
  answers: Expected[];
}

/** Before this change the SDK's reader dropped every line below but the last in silence (the caller waited forever). */
const CASES: Case[] = [
  { name: 'jsonrpc is "1.0"', line: () => ({ jsonrpc: '1.0', id: 1, method: 'tools/list' }), answers: [{ id: 1, code: INVALID_REQUEST, message: /^Invalid Request: jsonrpc must be "2\.0"\.$/ }] },
  { name: 'jsonrpc is missing', line: () => ({ id: 2, method: 'tools/list' }), answers: [{ id: 2, code: INVALID_REQUEST, message: /^Invalid Request: jsonrpc must be "2\.0"\.$/ }] },
  { name: 'method is missing', line: () => ({ jsonrpc: '2.0', id: 3 }), answers: [{ id: 3, code: INVALID_REQUEST, message: /^Invalid Request: method is missing\.$/ }] },
  { name: 'method is a number', line: () => ({ jsonrpc: '2.0', id: 4, method: 42 }), answers: [{ id: 4, code: INVALID_REQUEST, message: /^Invalid Request: method must be a string\.$/ }] },
  { name: 'params is an array', line: () => ({ jsonrpc: '2.0', id: 5, method: 'tools/list', params: [1] }), answers: [{ id: 5, code: INVALID_REQUEST, message: /^Invalid Request: params must be an object\.$/ }] },
  { name: 'params is null', line: () => ({ jsonrpc: '2.0', id: 6, method: 'tools/list', params: null }), answers: [{ id: 6, code: INVALID_REQUEST, message: /^Invalid Request: params must be an object\.$/ }] },
  { name: 'params is a string', line: () => ({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: 'all' }), answers: [{ id: 7, code: INVALID_REQUEST, message: /^Invalid Request: params must be an object\.$/ }] },
  {
    name: 'an unknown top-level member',
    line: () => ({ jsonrpc: '2.0', id: 8, method: 'ping', extra: 1 }),
    answers: [{ id: 8, code: INVALID_REQUEST, message: /^Invalid Request: unknown member "extra" \(a request has jsonrpc, id, method and params\)\.$/ }],
  },
  { name: 'params._meta is a number', line: () => ({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: { _meta: 5 } }), answers: [{ id: 9, code: INVALID_REQUEST, message: /^Invalid Request: params\._meta: / }] },
  { name: 'a string id', line: () => ({ jsonrpc: '1.0', id: 'req-10', method: 'ping' }), answers: [{ id: 'req-10', code: INVALID_REQUEST, message: /jsonrpc must be "2\.0"/ }] },
  { name: 'the id is an object', line: () => ({ jsonrpc: '2.0', id: { a: 1 }, method: 'ping' }), answers: [{ code: INVALID_REQUEST, message: /^Invalid Request: id must be a string or an integer\.$/ }] },
  { name: 'the id is a fraction', line: () => ({ jsonrpc: '2.0', id: 1.5, method: 'ping' }), answers: [{ code: INVALID_REQUEST, message: /id must be a string or an integer/ }] },
  { name: 'the id is null', line: () => ({ jsonrpc: '2.0', id: null, method: 'ping' }), answers: [{ code: INVALID_REQUEST, message: /id must be a string or an integer/ }] },
  { name: 'the id is true', line: () => ({ jsonrpc: '2.0', id: true, method: 'ping' }), answers: [{ code: INVALID_REQUEST, message: /id must be a string or an integer/ }] },
  { name: 'a JSON number', line: () => '5', answers: [{ code: INVALID_REQUEST, message: /^Invalid Request: a message must be a JSON object\.$/ }] },
  { name: 'not JSON', line: () => '{"jsonrpc":"2.0","id":11,"method":', answers: [{ code: PARSE_ERROR, message: /^Parse error: the line is not JSON \(.+\)\. Send one JSON-RPC message per line\.$/ }] },
  {
    name: 'a batch',
    line: (era) => [request(era, 12, 'ping'), request(era, 'req-13', 'tools/list'), { jsonrpc: '2.0', method: 'notifications/initialized' }],
    answers: [
      { id: 12, code: INVALID_REQUEST, message: /^Invalid Request: a batch \(JSON array\) is not supported; send each message on its own line\.$/ },
      { id: 'req-13', code: INVALID_REQUEST, message: /a batch \(JSON array\) is not supported/ },
    ],
  },
  { name: 'a batch of notifications only', line: () => [{ jsonrpc: '2.0', method: 'notifications/initialized' }], answers: [{ code: INVALID_REQUEST, message: /a batch \(JSON array\) is not supported/ }] },
  // Answered by the SDK already, in either era: kept here so that the table covers every way a request can go wrong.
  { name: 'an unknown method', line: (era) => request(era, 14, 'nope/nope'), answers: [{ id: 14, code: METHOD_NOT_FOUND, message: /Method not found/ }] },
];

/** Sends one case and waits for each of its answers; an id-less one is matched as the next id-less error. */
async function expectAnswers(session: RawStdio, era: Era, row: Case): Promise<void> {
  await session.send(row.line(era));
  for (const expected of row.answers) {
    const answer = await session.next(expected.id === undefined ? idlessError : answerTo(expected.id), `the answer to "${row.name}"`);
    expect(answer, row.name).toMatchObject({ jsonrpc: '2.0', error: { code: expected.code } });
    expect((answer.error as { message: string }).message, row.name).toMatch(expected.message);
  }
}

for (const era of ['legacy', 'modern'] as const) {
  describe(`stdio: every invalid request gets an answer (${era} era)`, () => {
    let session: RawStdio;
    beforeAll(async () => {
      session = spawnRawStdio();
      // The opening message picks the era: initialize (2025), or any request with its envelope (2026-07-28).
      await session.send(era === 'legacy' ? INITIALIZE : request(era, 'init', 'server/discover'));
      expect(await session.next(answerTo('init'), 'the opening answer')).toHaveProperty('result');
      if (era === 'legacy') await session.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    });
    afterAll(async () => {
      await session?.end();
    });

    for (const row of CASES) it(row.name, () => expectAnswers(session, era, row));

    it('goes on answering after all of them, and ends with exit code 0 when stdin closes', async () => {
      await session.send(request(era, 'after', 'tools/list'));
      expect(await session.next(answerTo('after'), 'tools/list after the invalid lines')).toHaveProperty('result.tools');
      expect(await session.end()).toBe(0);
    });
  });
}

describe('stdio: a line over 10 MiB', () => {
  let session: RawStdio;
  beforeAll(async () => {
    session = spawnRawStdio();
    await session.send(INITIALIZE);
    await session.next(answerTo('init'), 'the initialize answer');
    await session.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });
  afterAll(async () => {
    await session?.end();
  });

  const pad = 'x'.repeat(MAX_LINE_BYTES + 1024);
  const tooLarge = /^Request too large: this line has \d+ bytes, more than the 10485760 bytes \(10 MiB\) a stdio message may have; it was not read\. Send less in one call\.$/;

  /** Before: the SDK's reader closed the session (exit 0, nothing on stderr at the default level) and the client's pipe broke. */
  for (const [where, line, id] of [
    ['id last, as the TypeScript SDK writes it', `{"method":"tools/call","params":{"name":"ad_accounts_list","arguments":{"pad":"${pad}"}},"jsonrpc":"2.0","id":21}`, 21],
    ['id first', `{"jsonrpc":"2.0","id":"big-22","method":"tools/call","params":{"name":"ad_accounts_list","arguments":{"pad":"${pad}"}}}`, 'big-22'],
  ] as const) {
    it(`is refused by its id (${where}), and the session goes on`, async () => {
      await session.send(line);
      const answer = await session.next(answerTo(id), 'the refusal of the long line');
      expect(answer).toMatchObject({ error: { code: INVALID_REQUEST } });
      expect((answer.error as { message: string }).message).toMatch(tooLarge);
      await session.send({ jsonrpc: '2.0', id: 'ping', method: 'ping' });
      expect(await session.next(answerTo('ping'), 'the ping after it')).toMatchObject({ result: {} });
    });
  }

  it('is refused without an id when none can be read, and a warning names it on stderr', async () => {
    await session.send(`{"params":{"pad":"${pad}"},"method":"tools/call","jsonrpc":"2.0","id":{"not":"an id"}}`);
    const answer = await session.next(idlessError, 'the refusal of the long line');
    expect((answer.error as { message: string }).message).toMatch(tooLarge);
    await session.send({ jsonrpc: '2.0', id: 'ping-2', method: 'ping' });
    await session.next(answerTo('ping-2'), 'the ping after it');
    expect(session.stderr()).toMatch(/"what":"too_long".*"msg":"refused a stdio line"/);
    expect(session.child.exitCode).toBeNull();
  });
});

describe('idAtEnds', () => {
  it("reads the message's own id at either end, never one nested inside", () => {
    expect(idAtEnds('{"jsonrpc":"2.0","id":7,"method":"x","params":{"a":"', 'zzz"}}')).toBe(7);
    expect(idAtEnds('{ "id" : "a\\"b", "method"', '')).toBe('a"b');
    expect(idAtEnds('{"method":"x","params":{"a":"', 'zzz"}},"jsonrpc":"2.0","id":-3}\r')).toBe(-3);
    expect(idAtEnds('{"method":"x","params":{"id":5,"a":"', 'zzz","id":6}}')).toBeUndefined();
    expect(idAtEnds('{"method":"x","params":{"a":"', 'zz"},"id":1.5}')).toBeUndefined();
    expect(idAtEnds('[{"id":1', '"}]')).toBeUndefined();
  });
});
