// Types of proxy-addr (2.0.8), the part this server uses: it ships none, and @types/proxy-addr is not a dependency.
declare module 'proxy-addr' {
  import type { IncomingMessage } from 'node:http';

  /** Whether `address`, `index` hops from the socket, is a trusted proxy. */
  type Trust = (address: string, index: number) => boolean;

  /** The client's address: the socket's peer, or behind trusted proxies the nearest X-Forwarded-For one not trusted. */
  function proxyaddr(req: IncomingMessage, trust: Trust | string | readonly string[]): string;
  namespace proxyaddr {
    /** Compiles addresses, CIDRs and the names loopback, linklocal, uniquelocal; throws TypeError on anything else. */
    function compile(value: string | readonly string[]): Trust;
  }
  export = proxyaddr;
}
