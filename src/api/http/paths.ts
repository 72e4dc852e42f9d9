/**
 * URL and id normalisation. Clients build `/v2/apps/{id}` with ids that already start with a
 * slash (python-marathon sends `/v2/apps//foo`), and Marathon reads ids relative to the root.
 */
import { canonicalPathId } from '../../model/apps/index.js';

/** Collapses runs of `/` in the path part of a request URL; the query string is left alone. */
export function collapseSlashes(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const rest = q === -1 ? '' : url.slice(q);
  return path.replace(/\/{2,}/g, '/') + rest;
}

/** Absolute, canonical id from a URL segment (no validation: Marathon's `toAbsolutePath`). */
export function absoluteId(raw: string): string {
  return canonicalPathId(raw, '/');
}

/** `<group>/*` (or `*`) names every app in a group; returns the group id, else undefined. */
export function groupWildcard(raw: string): string | undefined {
  const m = /^((?:.+\/)|)\*$/.exec(raw);
  return m === null ? undefined : absoluteId(m[1] ?? '');
}

/** Every ancestor group id of an app or group id, root first, excluding the id itself. */
export function ancestorIds(id: string): string[] {
  const segments = id.split('/').filter((s) => s.length > 0);
  const out = ['/'];
  for (let i = 1; i < segments.length; i++) out.push(`/${segments.slice(0, i).join('/')}`);
  return out;
}

/** `/a/b/c` -> `/a/b`; top level -> `/`. */
export function parentId(id: string): string {
  const segments = id.split('/').filter((s) => s.length > 0);
  return `/${segments.slice(0, -1).join('/')}`;
}
