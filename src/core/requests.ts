// Reading HTTP requests safely, for /mcp and the approval page: bodies within a limit, secrets compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import proxyaddr from 'proxy-addr';

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

/** An address as messages and bounds name it: an IPv4 one mapped into IPv6 written as IPv4. */
function written(address: string | undefined): string {
  return (address ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

/** Where a request comes from, as every per-client bound, the sign-in throttle and the audit name it. */
export type ClientAddressOf = (req: IncomingMessage) => string;

/** The address of a request's peer (its socket): where nothing else may be believed, such as the stdio page. */
export const peerAddress: ClientAddressOf = (req) => written(req.socket.remoteAddress);

/**
 * How a request's client address is read. With no trusted proxies, the socket's peer: X-Forwarded-For is ignored, as
 * any client can write it. When the peer is a trusted proxy (an address, a CIDR, or proxy-addr's loopback, linklocal
 * or uniquelocal), the right-most X-Forwarded-For address that is not itself trusted: the one the nearest trusted
 * proxy saw. Throws TypeError on an entry that is none of these (trustedProxyProblem says which).
 */
export function clientAddressOf(trustedProxies: readonly string[]): ClientAddressOf {
  if (trustedProxies.length === 0) return peerAddress;
  const trusted = proxyaddr.compile([...trustedProxies]);
  return (req) => written(proxyaddr(req, trusted));
}

/** Why `entry` cannot name a trusted proxy, or nothing. */
export function trustedProxyProblem(entry: string): string | undefined {
  try {
    proxyaddr.compile([entry]);
    return undefined;
  } catch (error) {
    if (error instanceof TypeError) return error.message;
    throw error;
  }
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


/** 127.0.0.0/8, ::1 (also v4-mapped) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** A socket's peer address is loopback: an IP address (not a name) that isLoopbackHost accepts. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && isIP(address) !== 0 && isLoopbackHost(address);
}
