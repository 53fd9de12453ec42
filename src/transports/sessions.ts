// The stateful HTTP session table (2025-era clients under --stateful): bounded per client address and overall, longest-idle first out, idle ones swept.
import type { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { Server } from '@modelcontextprotocol/server';
import type { View } from '../server/app.js';

export interface SessionLimits {
  /** Most sessions kept for one client address. */
  perClient: number;
  /** Most sessions kept at once. */
  total: number;
  /** A session without a request for this long, and none in flight, is closed. */
  idleSeconds: number;
}

export interface Session {
  id: string;
  /** The address the session was opened from. */
  client: string;
  /** In the OAuth mode, the person (Pinterest user id) who opened it: only their requests continue it. */
  person?: string;
  server: Server;
  /** What its initialize request's narrowing headers fixed it to see for its lifetime. */
  view: View;
  transport: NodeStreamableHTTPServerTransport;
  /** When its last request started or ended (performance.now()). */
  lastSeen: number;
  /** Requests being answered; a session with any is neither evicted nor swept. */
  busy: number;
}

export class SessionTable {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly limits: SessionLimits) {}

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /**
   * Makes room for a new session from `client`: at a bound, the longest-idle session under it is closed. Returns why
   * no room can be made (every session under the bound has a request in flight), or undefined once there is room.
   */
  admit(client: string): string | undefined {
    const own = [...this.sessions.values()].filter((s) => s.client === client);
    if (own.length >= this.limits.perClient && !this.evictIdlest(own)) {
      return `Too many sessions from this address (${this.limits.perClient}), each with a request in flight: try again later.`;
    }
    if (this.sessions.size >= this.limits.total && !this.evictIdlest(this.sessions.values())) {
      return `Too many sessions (${this.limits.total}), each with a request in flight: try again later.`;
    }
    return undefined;
  }

  add(session: Session): void {
    this.sessions.set(session.id, session);
  }

  /** Forgets a session that ended (deleted by its client, or its transport closed). */
  remove(id: string): void {
    this.sessions.delete(id);
  }

  /** Counts a request on the session as in flight until the returned function is called. */
  begin(session: Session): () => void {
    session.busy++;
    session.lastSeen = performance.now();
    return () => {
      session.busy--;
      session.lastSeen = performance.now();
    };
  }

  /** Closes every session idle for longer than the idle timeout. */
  sweep(now = performance.now()): void {
    const cutoff = now - this.limits.idleSeconds * 1000;
    for (const session of this.sessions.values()) {
      if (session.busy === 0 && session.lastSeen < cutoff) this.close(session);
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.server.close().catch(() => {})));
  }

  /** Closes the longest-idle session without a request in flight among `candidates`; false when all are busy. */
  private evictIdlest(candidates: Iterable<Session>): boolean {
    let idlest: Session | undefined;
    for (const s of candidates) if (s.busy === 0 && (!idlest || s.lastSeen < idlest.lastSeen)) idlest = s;
    if (idlest) this.close(idlest);
    return idlest !== undefined;
  }

  private close(session: Session): void {
    this.sessions.delete(session.id);
    session.server.close().catch(() => {});
  }
}
