// stdio's reader: one JSON-RPC message per line, and an answer for every line the SDK's reader would drop in silence.
import { INVALID_REQUEST, type JSONRPCMessage, PARSE_ERROR, type RequestId, STDIO_DEFAULT_MAX_BUFFER_SIZE, parseJSONRPCMessage } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { isPlainObject } from '../core/json.js';

/** The longest line read: the SDK's own stdio limit (10 MiB). */
export const MAX_LINE_BYTES = STDIO_DEFAULT_MAX_BUFFER_SIZE;

/** How much of each end of a line too long to read is kept, to find its id. */
const KEPT_END_BYTES = 256;

/** A line as the splitter hands it over: its bytes, or, for one over the limit, its length and both ends. */
type Line = { bytes: Buffer } | { tooLong: { length: number; head: Buffer; tail: Buffer } };

/**
 * Splits a byte stream at newlines. A line over `limit` bytes is not kept: only its length and its ends are, so a
 * client cannot make the server hold more than `limit` bytes however long a line it sends.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private dropping: { length: number; head: Buffer; tail: Buffer } | undefined;

  constructor(private readonly limit: number) {}

  /** The lines `chunk` completes, in order. */
  push(chunk: Buffer): Line[] {
    const lines: Line[] = [];
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(0x0a, from);
      this.take(chunk.subarray(from, newline === -1 ? chunk.length : newline));
      if (newline === -1) break;
      lines.push(this.finish());
      from = newline + 1;
    }
    return lines;
  }

  /** Drops what was read of an unfinished line (the stream closed). */
  clear(): void {
    this.parts = [];
    this.size = 0;
    this.dropping = undefined;
  }

  private take(piece: Buffer): void {
    if (this.dropping) {
      this.dropping.length += piece.length;
      this.dropping.tail = lastBytes(Buffer.concat([this.dropping.tail, piece]));
      return;
    }
    if (this.size + piece.length <= this.limit) {
      this.parts.push(piece);
      this.size += piece.length;
      return;
    }
    const start: Buffer[] = [];
    for (let i = 0, kept = 0; kept < KEPT_END_BYTES && i <= this.parts.length; i++) {
      const part = i < this.parts.length ? this.parts[i] : piece;
      start.push(part.subarray(0, KEPT_END_BYTES - kept));
      kept += start[start.length - 1].length;
    }
    this.dropping = { length: this.size + piece.length, head: Buffer.concat(start), tail: lastBytes(Buffer.concat([...this.parts.slice(-1), piece])) };
    this.parts = [];
    this.size = 0;
  }

  private finish(): Line {
    const dropped = this.dropping;
    if (dropped) {
      this.dropping = undefined;
      return { tooLong: dropped };
    }
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return { bytes };
  }
}

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length > KEPT_END_BYTES ? Buffer.from(buffer.subarray(buffer.length - KEPT_END_BYTES)) : buffer;
}

/** A JSON-RPC id that MCP accepts: a string or an integer. */
function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || Number.isSafeInteger(value);
}

/** Top-level members of a request; MCP's schema refuses any other. */
const REQUEST_MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params']);

/** Why a parsed line is not a JSON-RPC message MCP accepts, in the words of its first broken rule. */
function envelopeProblem(value: unknown, schemaError: unknown): string {
  if (!isPlainObject(value)) return 'a message must be a JSON object';
  if (value.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  if ('id' in value && !isRequestId(value.id)) return 'id must be a string or an integer';
  if (!('method' in value)) return 'method is missing';
  if (typeof value.method !== 'string') return 'method must be a string';
  if ('params' in value && !isPlainObject(value.params)) return 'params must be an object';
  const extra = Object.keys(value).find((key) => !REQUEST_MEMBERS.has(key));
  if (extra !== undefined) return `unknown member ${JSON.stringify(extra.slice(0, 40))} (a request has jsonrpc, id, method and params)`;
  // Something deeper (params._meta): the schema's own words for the request (or notification) it was closest to.
  const branches = (schemaError as { issues?: { errors?: { path: PropertyKey[]; message: string }[][] }[] }).issues?.[0]?.errors;
  const issue = branches?.['id' in value ? 0 : 1]?.[0];
  return issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'not a JSON-RPC 2.0 message';
}

/**
 * The id of a line too long to read, from its ends: a client writes `id` first (`{"jsonrpc":"2.0","id":…`) or last
 * (`…,"id":7}`, as the TypeScript SDK does). At either place it can only be the message's own id.
 */
export function idAtEnds(head: string, tail: string): RequestId | undefined {
  const literal = String.raw`(-?\d+|"(?:[^"\\]|\\.)*")`;
  const found =
    new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*${literal}\s*[,}]`).exec(head)?.[1] ??
    new RegExp(String.raw`[{,]\s*"id"\s*:\s*${literal}\s*\}\s*$`).exec(tail)?.[1];
  if (found === undefined) return undefined;
  const id: unknown = JSON.parse(found);
  return isRequestId(id) ? id : undefined;
}

/** Why a line was refused (for the log): what it was, and the answer it got. */
export interface LineRefusal {
  what: 'too_long' | 'not_json' | 'not_jsonrpc' | 'batch';
  code: number;
  message: string;
  id?: RequestId;
}

/**
 * The SDK's stdio transport, reading with LineSplitter: a line over MAX_LINE_BYTES gets an Invalid Request error and
 * the session goes on (the SDK's reader closes the session, exit 0, without a word), a line that is not JSON a Parse
 * error, and one that is not a JSON-RPC message an Invalid Request error with its id when it has one (the SDK's reader
 * drops both). Only the reading is replaced (`_ondata`, which the SDK's transport subscribes to stdin); writing and
 * closing stay the SDK's.
 */
export class AnsweringStdioTransport extends StdioServerTransport {
  private readonly lines = new LineSplitter(MAX_LINE_BYTES);

  constructor(private readonly onRefused: (refusal: LineRefusal) => void = () => {}) {
    super();
  }

  override _ondata = (chunk: Buffer): void => {
    for (const line of this.lines.push(chunk)) {
      if ('tooLong' in line) {
        const { length, head, tail } = line.tooLong;
        const message = `Request too large: this line has ${length} bytes, more than the ${MAX_LINE_BYTES} bytes (10 MiB) a stdio message may have; it was not read. Send less in one call.`;
        this.refuse({ what: 'too_long', code: INVALID_REQUEST, message, id: idAtEnds(head.toString('utf8'), tail.toString('utf8')) });
      } else {
        this.read(line.bytes.toString('utf8'));
      }
    }
  };

  override async close(): Promise<void> {
    this.lines.clear();
    await super.close();
  }

  private read(text: string): void {
    if (!text.trim()) return; // blank lines (and a lone \r) are skipped, as the SDK does
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.refuse({ what: 'not_json', code: PARSE_ERROR, message: `Parse error: the line is not JSON (${(error as Error).message}). Send one JSON-RPC message per line.` });
      return;
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch (error) {
      this.refuseInvalid(value, error);
      return;
    }
    try {
      this.onmessage?.(message);
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }

  /** Answers a JSON value that is not a message: each request in it that has an id by that id, else once without one. */
  private refuseInvalid(value: unknown, schemaError: unknown): void {
    if (Array.isArray(value)) {
      const message = 'Invalid Request: a batch (JSON array) is not supported; send each message on its own line.';
      const ids = value.filter((item) => isPlainObject(item) && !isResponse(item) && isRequestId(item.id)).map((item) => (item as { id: RequestId }).id);
      if (!ids.length) this.refuse({ what: 'batch', code: INVALID_REQUEST, message });
      for (const id of ids) this.refuse({ what: 'batch', code: INVALID_REQUEST, message, id });
      return;
    }
    // A malformed response answers nothing of ours and is not answered (the SDK drops it too).
    if (isPlainObject(value) && isResponse(value)) return this.onerror?.(new Error('discarded a malformed JSON-RPC response'));
    const id = isPlainObject(value) && isRequestId(value.id) ? value.id : undefined;
    this.refuse({ what: 'not_jsonrpc', code: INVALID_REQUEST, message: `Invalid Request: ${envelopeProblem(value, schemaError)}.`, id });
  }

  private refuse(refusal: LineRefusal): void {
    this.onRefused(refusal);
    const answer = { jsonrpc: '2.0' as const, ...(refusal.id !== undefined ? { id: refusal.id } : {}), error: { code: refusal.code, message: refusal.message } };
    this.send(answer as JSONRPCMessage).catch((error: Error) => this.onerror?.(error));
  }
}

/** A response rather than a request: it carries a result or an error and no method. */
function isResponse(value: Record<string, unknown>): boolean {
  return !('method' in value) && ('result' in value || 'error' in value);
}
