// Reading HTTP requests safely, for /mcp and the approval page: bodies within a limit, secrets compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A secret's SHA-256: compared instead of the secret itself, so that comparisons take the same time whatever the lengths. */
export const secretDigest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Whether two secrets are equal, in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(secretDigest(given), secretDigest(expected));
}

/** Constant-time comparison of a request's `Authorization: Bearer` value with a token's digest (secretDigest). */
export function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return timingSafeEqual(secretDigest(match?.[1] ?? ''), expected) && !!match;
}

export class BodyTooLarge extends Error {}

/** Reads the body up to `limit` bytes; beyond it, stops reading and rejects with BodyTooLarge. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume(); // drain the rest so that the refusal can be read by the client
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * Ends `res`, whose answer is written (with `connection: close`), once the client has sent the rest of its request
 * body (read and dropped), or after `lingerBytes` more of it. Ending closes the connection, and a client still sending
 * its body would then get a reset instead of the answer: most clients read the answer only once they have sent all.
 */
export function endAfterBody(req: IncomingMessage, res: ServerResponse, lingerBytes: number): void {
  if (req.readableEnded || req.destroyed) {
    res.end();
    return;
  }
  let dropped = 0;
  const finish = () => {
    req.off('data', onData);
    req.off('end', finish);
    req.off('close', finish);
    if (!res.writableEnded) res.end();
  };
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > lingerBytes) finish();
  };
  req.on('data', onData);
  req.once('end', finish);
  req.once('close', finish);
  req.resume();
}

/** The address of a request's peer, an IPv4 one mapped into IPv6 written as IPv4. */
export function clientAddress(remoteAddress: string | undefined): string {
  return (remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}
