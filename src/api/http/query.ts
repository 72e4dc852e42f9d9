/**
 * Query parameters the way Marathon's JAX-RS resources read them: booleans through
 * `Boolean.valueOf` (case-insensitive "true", anything else false, absent = the endpoint's
 * default), repeated parameters as lists.
 */

export type Query = Record<string, string | string[] | undefined>;

/** All values of a (possibly repeated) parameter, in order. */
export function queryValues(query: Query, name: string): string[] {
  const v = query[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** First value of a parameter, if present. */
export function queryValue(query: Query, name: string): string | undefined {
  return queryValues(query, name)[0];
}

/** `force=True`, `force=TRUE`, `force=true` are all true; `force=` or `force=yes` are false. */
export function queryBool(query: Query, name: string, fallback: boolean): boolean {
  const v = queryValue(query, name);
  if (v === undefined) return fallback;
  return v.toLowerCase() === 'true';
}

/** Kill options shared by the task endpoints: `scale`, `wipe`, `force` (all default false). */
export interface KillFlags {
  scale: boolean;
  wipe: boolean;
  force: boolean;
}

export function killFlags(query: Query): KillFlags {
  return {
    scale: queryBool(query, 'scale', false),
    wipe: queryBool(query, 'wipe', false),
    force: queryBool(query, 'force', false),
  };
}
