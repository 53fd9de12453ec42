// What a store spec (`--store`: memory, sqlite:PATH, redis://…) says of itself, without loading a store's code: its kind, and its address without a password.

/** The store spec with any password removed, for messages and logs. */
export function describeStore(spec: string): string {
  return spec.replace(/^(rediss?:\/\/)[^@/]*@/, '$1***@');
}

/** The kind of store a spec names, `memory`, `sqlite` or `redis`: all that health answers show of it. */
export function storeKind(spec: string): string {
  return spec.startsWith('sqlite:') ? 'sqlite' : spec.startsWith('redis') ? 'redis' : 'memory';
}
