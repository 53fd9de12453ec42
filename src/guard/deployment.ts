// Where an approved write would go: the API, its base URL, a keyed fingerprint of the credential, the tool selection and the guard's limits.
import { createHash, createHmac } from 'node:crypto';
import type { Caps } from '../money/cap-settings.js';

/**
 * The deployment an approval is bound to. An approval executes only in a process whose deployment for that API is
 * equal in every field: the same API at the same address, with the same credential, offering the same tools under the
 * same limits. Two deployments sharing a store (sandbox and production, or replicas configured differently) therefore
 * never execute each other's approvals, and the page lists only the approvals its process could execute.
 */
export interface Deployment {
  api: string;
  /** The API's base URL, as configured. */
  base_url: string;
  /** `production`, `sandbox`, `custom URL` or `demo`, for the person reading the page. */
  environment: string;
  /** A keyed hash of the credential (never the secret): equal across replicas that share the credential. */
  credential: string;
  /** A hash of the names of the tools this process serves (toolsets, exclusions and read-only decide them). */
  selection: string;
  /**
   * A hash of the limits the guard enforces (caps, ad accounts, held classes): a replica that would refuse or hold the
   * write differently is another deployment, so it neither lists the approval nor consumes it by refusing it.
   */
  limits: string;
}

/** What the guard enforces on every write beyond the tool selection: what `limits` fingerprints. */
export interface Limits {
  caps: Caps;
  adAccounts: readonly string[];
  confirmWrites: ReadonlySet<string> | 'all';
}

const FINGERPRINT_LABEL = 'pinterest-api-mcp deployment credential v1';

/**
 * A fingerprint of a credential: HMAC-SHA256 keyed by the credential itself over a fixed label, 16 hex digits. It
 * tells whether two processes hold the same credential without telling anything that leads back to it; `none` when
 * no credential is configured.
 */
export function credentialFingerprint(credential: string | undefined): string {
  if (!credential) return 'none';
  return createHmac('sha256', credential).update(FINGERPRINT_LABEL).digest('hex').slice(0, 16);
}

/** A fingerprint of a tool selection, independent of order. */
export function selectionFingerprint(toolNames: readonly string[]): string {
  return createHash('sha256').update([...toolNames].sort().join('\n')).digest('hex').slice(0, 16);
}

/** A fingerprint of the guard's limits, independent of the order they were written in. */
export function limitsFingerprint(limits: Limits): string {
  const caps = Object.entries(limits.caps)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, cap]) => [kind, cap && 'anyCurrency' in cap ? cap.anyCurrency : Object.entries(cap?.byCurrency ?? {}).sort(([a], [b]) => a.localeCompare(b))]);
  const accounts = [...new Set(limits.adAccounts)].sort();
  const held = limits.confirmWrites === 'all' ? 'all' : [...limits.confirmWrites].sort();
  return createHash('sha256').update(JSON.stringify({ caps, accounts, held })).digest('hex').slice(0, 16);
}

/** Why an approval bound to `bound` cannot execute here (`here`), or undefined when it can. */
export function deploymentMismatch(bound: Deployment | undefined, here: Deployment): string | undefined {
  if (!bound) return 'it names no deployment (made by an older version of this server)';
  if (bound.api !== here.api) return `it is for the ${bound.api} API`;
  if (bound.base_url !== here.base_url) return `it was asked for ${bound.base_url}, and this server sends to ${here.base_url}`;
  if (bound.credential !== here.credential) return 'it was asked with another credential than this server holds';
  if (bound.selection !== here.selection) return 'it was asked on a server offering other tools (toolsets, exclusions or read-only differ)';
  if (bound.limits !== here.limits) return 'it was asked on a server with other limits (--caps, --ad-accounts or --confirm-writes differ)';
  return undefined;
}

/** Where the write goes, for a person: `api.pinterest.com (production)`. */
export function destination(deployment: Deployment): string {
  let host = deployment.base_url;
  try {
    host = new URL(deployment.base_url).host;
  } catch {
    // a base URL is checked at start; this keeps the page readable whatever the store holds
  }
  return `${host} (${deployment.environment})`;
}
