// Each API's configuration and connection as generic code reads them: by the adapter's members, never by the API's name.
import { APIS } from '../apis/index.js';
import type { ApiConfig, ApiConnection, ApiDefinition } from '../apis/types.js';
import type { Config } from './settings.js';

/** What the demo's in-process fake offers: its URL and token, and with `--auth oauth` the app people sign in to there. */
export interface DemoFake {
  url: string;
  token: string;
  signIn?: { appId: string; appSecret: string; oauthUrl: string };
}

/** Every API, as generic code sees it: each adapter's own configuration type widened to ApiConfig. */
export const CONFIGURED_APIS: readonly ApiDefinition[] = APIS;

/** The API people sign in to with `--auth oauth` (the one whose adapter has `signIn`), if any. */
export const SIGN_IN_API: ApiDefinition | undefined = CONFIGURED_APIS.find((api) => api.signIn);
/** Its label, as help texts, refusals and the start-up line name it ("Pinterest"). */
export const SIGN_IN_LABEL: string = SIGN_IN_API?.label ?? 'API';

/** The API's configuration (`config.apis[api.id]`). */
export function apiConfig(config: Pick<Config, 'apis'>, api: ApiDefinition): ApiConfig {
  return (config.apis as Readonly<Record<string, ApiConfig>>)[api.id];
}

/** Where and how the API's requests go; under --demo the demo's API says `demo` for its environment. */
export function apiConnection(config: Pick<Config, 'apis' | 'demo'>, api: ApiDefinition): ApiConnection {
  const connection = api.connect(apiConfig(config, api));
  return config.demo && api.demo ? { ...connection, environment: 'demo' } : connection;
}

/**
 * The variable an API is off until it is set (`WHOP_API_KEY`), or undefined when the API is on. One rule for every
 * API: one that is off until it is set up (`turnedOnBy`) is on exactly when its connection carries a credential (a
 * token, or what refreshes one), so what turns it on is what its requests would authenticate with. One without
 * `turnedOnBy` is always on: a call without its credential answers how to set one. The selection (src/tools/selection.ts)
 * reads it once per API: an API that is off has no tool listed, searched or callable, and its toolsets join no selection;
 * one that is on is listed only where its toolsets are selected (named, `all`, or discover mode).
 */
export function offUntilSet(config: Pick<Config, 'apis'>, api: ApiDefinition): string | undefined {
  if (!api.turnedOnBy) return undefined;
  const { auth } = api.connect(apiConfig(config, api));
  return auth.kind === 'oauth-refresh' || auth.token !== undefined ? undefined : api.turnedOnBy.env;
}

/**
 * The variables that turn every API on, each set to `value`: what lists every tool (the build's listing cache, the
 * benches that measure the whole listing). Not credentials: no request is meant to reach an API with them.
 */
export function everyApiOn(value: string): Record<string, string> {
  return Object.fromEntries(CONFIGURED_APIS.flatMap((api) => (api.turnedOnBy ? [[api.turnedOnBy.env, value]] : [])));
}

/** The API whose fake `--demo` serves in-process, if any. */
export const DEMO_API: ApiDefinition | undefined = CONFIGURED_APIS.find((api) => api.demo);

/** The configuration with the demo's API pointed at its fake (`--demo`); the others unchanged. */
export function withDemoFake<C extends Pick<Config, 'apis'>>(config: C, fake: DemoFake): C {
  if (!DEMO_API?.demo) return config;
  return { ...config, apis: { ...config.apis, [DEMO_API.id]: DEMO_API.demo(apiConfig(config, DEMO_API), fake) } };
}
