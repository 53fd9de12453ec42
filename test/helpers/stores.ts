// Shared stores for tests: one over a store, and two connections to one store as two replicas would hold them.
import { SharedStore, type Store, createStore } from '../../src/core/store.js';

/** The server's view of `store`, with a store timeout no loaded machine reaches. */
export const shared = (store: Store) => new SharedStore(store, 'test store', 5_000);

/** Two store instances over one store (a file, a Redis): as two processes sharing it would have. */
export async function twoConnections(spec: string): Promise<{ a: SharedStore; b: SharedStore; close(): Promise<void> }> {
  const [one, two] = [await createStore(spec), await createStore(spec)];
  return {
    a: shared(one),
    b: shared(two),
    async close() {
      await one.disconnect();
      await two.disconnect();
    },
  };
}
