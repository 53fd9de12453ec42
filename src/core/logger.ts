// Structured logs on stderr (pino), never stdout; warnings and errors during a request also go to the client that sent it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger as PinoLogger } from 'pino';
import { redactor } from './redact.js';

export type Logger = PinoLogger;

/** How much the server logs (`--log-level`). */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Keys whose values never reach a log line, wherever they appear. The redactor also replaces every known secret in
 * each line written and each notification sent, whatever key or text carries it.
 */
const REDACT = [
  'authorization',
  '*.authorization',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'appSecret',
  '*.appSecret',
];

/** Receives warnings and errors for the MCP logging capability. */
export type LogSink = (level: 'warning' | 'error', data: Record<string, unknown>) => void;

/**
 * The sink of the request being served: its warnings and errors reach the client that sent it, by that client's
 * era's means (the session's `logging/setLevel`, or the request's own log level), and no other client.
 */
export const requestLog = new AsyncLocalStorage<LogSink>();

const WARN = 40;

const LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * `level` applies to stderr (or `destination`, for tests); warnings are always produced so that MCP clients can
 * receive them. Every line and notification passes through the redactor.
 */
export function createLogger(level: LogLevel, destination?: { write(line: string): unknown }): Logger {
  const out = level === 'silent' ? undefined : (destination ?? pino.destination(2));
  const stderr = out ? [{ level: level as pino.Level, stream: { write: (line: string) => out.write(redactor.text(line)) } }] : [];
  return pino(
    {
      level: LEVELS.indexOf(level) < LEVELS.indexOf('warn') ? level : 'warn',
      base: { name: 'pinterest-api-mcp' },
      redact: { paths: REDACT, censor: '[redacted]' },
      hooks: {
        logMethod(args, method, num) {
          const sink = num >= WARN ? requestLog.getStore() : undefined;
          if (sink) {
            const [first, second] = args as unknown[];
            const data =
              typeof first === 'string'
                ? { msg: first }
                : { msg: typeof second === 'string' ? second : undefined, ...safeFields(first) };
            sink(num >= 50 ? 'error' : 'warning', redactor.value(data));
          }
          method.apply(this, args);
        },
      },
    },
    pino.multistream(stderr),
  );
}

/** Only plain scalar fields travel to clients (no error objects with stacks, nothing under a redacted key). */
function safeFields(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (REDACT.includes(k)) continue;
    if (v instanceof Error) out[k] = v.message;
    else if (['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  }
  return out;
}
