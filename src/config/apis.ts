// Each API's configuration and connection as generic code reads them: by the adapter's members, never by the API's name.
import { APIS } from '../apis/index.js';
import type { ApiConfig, ApiConnection, ApiDefinition } from '../apis/types.js';
import type { Config } from './settings.js';

/** Every API, as generic code sees it: each adapter's own configuration type widened to ApiConfig. */
export const CONFIGURED_APIS: readonly ApiDefinition[] = APIS;

/** The API's configuration (`config.apis[api.id]`). */
export function apiConfig(config: Pick<Config, 'apis'>, api: ApiDefinition): ApiConfig {
  return (config.apis as Readonly<Record<string, ApiConfig>>)[api.id];
}

/** Where and how the API's requests go; under --demo the demo's API says `demo` for its environment. */
export function apiConnection(config: Pick<Config, 'apis' | 'demo'>, api: ApiDefinition): ApiConnection {
  const connection = api.connect(apiConfig(config, api));
  return config.demo && api.demo ? { ...connection, environment: 'demo' } : connection;
}

/** Whether the API is on: always, or once what turns it on is set (its toolsets then join every selection). */
export function isTurnedOn(config: Pick<Config, 'apis'>, api: ApiDefinition): boolean {
  return !api.turnedOnBy || api.turnedOnBy.isOn(apiConfig(config, api));
}

/** The API whose fake `--demo` serves in-process, if any. */
export const DEMO_API: ApiDefinition | undefined = CONFIGURED_APIS.find((api) => api.demo);

/** The configuration with the demo's API pointed at its fake (`--demo`); the others unchanged. */
export function withDemoFake<C extends Pick<Config, 'apis'>>(config: C, fake: { url: string; token: string }): C {
  if (!DEMO_API?.demo) return config;
  return { ...config, apis: { ...config.apis, [DEMO_API.id]: DEMO_API.demo(apiConfig(config, DEMO_API), fake) } };
}
