// What /healthz and /readyz report: the store answers (one bounded check at a time) and the tool listing is built.
import type { Logger } from '../core/logger.js';
import type { App } from '../server/app.js';
import { type Store, type StoreHealth, checkStore } from '../core/store.js';

/** `reason` is public: it names no address (the store's own error goes to the log). */
export type Health = { status: 'ok' } | { status: 'unavailable' | 'not_ready'; reason: string };

export interface HealthProbes {
  /** The store answers; with `ready`, also the tool listing is built (building it if need be). */
  check(ready: boolean): Promise<Health>;
  /** Builds the tool listing now, so that the first tools/list and /readyz find it built. */
  prime(): void;
}

export function healthProbes(app: App, store: Store, logger: Logger): HealthProbes {
  let checking: Promise<StoreHealth> | undefined;
  let storeDown = false;

  /** Probes arriving during a check share it; a change of the store's health is logged once. */
  function storeHealth(): Promise<StoreHealth> {
    checking ??= checkStore(store).then((health) => {
      checking = undefined;
      if (health.ok === storeDown) {
        storeDown = !health.ok;
        if (health.ok) logger.info({ store: app.storeKind }, 'the store answers again');
        else logger.warn({ store: app.storeKind, reason: health.reason, detail: health.detail }, 'the store is unavailable: /healthz and /readyz answer 503');
      }
      return health;
    });
    return checking;
  }

  function listingBuilt(): boolean {
    try {
      app.listTools();
      return true;
    } catch (error) {
      logger.error({ err: error }, 'the tool listing could not be built');
      return false;
    }
  }

  return {
    async check(ready) {
      const store = await storeHealth();
      if (!store.ok) return { status: 'unavailable', reason: `the store (${app.storeKind}) is unavailable: ${store.reason}` };
      if (ready && !listingBuilt()) return { status: 'not_ready', reason: 'the tool listing could not be built' };
      return { status: 'ok' };
    },
    prime: listingBuilt,
  };
}
