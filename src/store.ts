// The shared key-value store (keyv): confirmation tokens, cached currencies and OAuth tokens live here.
import { Keyv } from 'keyv';

export type Store = Keyv;

/** `memory` (one process), `sqlite:PATH` (one host, survives restarts) or `redis://HOST:PORT` (several replicas). */
export async function createStore(spec: string): Promise<Store> {
  let store: Keyv;
  if (spec === 'memory') {
    store = new Keyv();
  } else if (spec.startsWith('redis://') || spec.startsWith('rediss://')) {
    const { default: KeyvRedis } = await import('@keyv/redis');
    store = new Keyv({ store: new KeyvRedis(spec), namespace: 'pinterest-mcp', useKeyPrefix: false });
  } else if (spec.startsWith('sqlite:')) {
    const { default: KeyvSqlite } = await import('@keyv/sqlite');
    const path = spec.slice('sqlite:'.length).replace(/^\/\//, '');
    store = new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${path}`, table: 'pinterest_mcp' }), namespace: 'pinterest-mcp' });
  } else {
    throw new Error(`--store must be memory, sqlite:PATH or redis://HOST:PORT; got "${spec}"`);
  }
  store.on('error', () => {}); // failures surface on each operation's own promise
  return store;
}
