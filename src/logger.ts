// Structured logs on stderr (pino), never stdout: in stdio mode stdout carries only protocol messages.
import { pino, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './config.js';

export type Logger = PinoLogger;

/** Keys whose values never reach a log line, wherever they appear. */
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

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { name: 'pinterest-api-mcp' }, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
}
