// Predicates on parsed JSON values, shared by the client, the guards, the tools and the fake API.

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
