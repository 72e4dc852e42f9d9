import { semanticError } from './errors.js';

/** Marathon's per-segment rule; the source text is quoted verbatim in its error message. */
export const PATH_SEGMENT_PATTERN_SOURCE = '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$';
// Java's Matcher.matches() demands a full match, whichever alternative wins.
const SEGMENT = new RegExp(`^(?:${PATH_SEGMENT_PATTERN_SOURCE})$`);

const RESERVED_LAST_SEGMENTS = ['restart', 'tasks', 'versions', '.', '..'];

export const PATH_MESSAGES = {
  chars: `must fully match regular expression '${PATH_SEGMENT_PATTERN_SOURCE}'`,
  reserved: `must not end with any of the following reserved keywords: ${RESERVED_LAST_SEGMENTS.join(', ')}`,
  empty: 'Path must contain at least one path element',
  notAbsolute: 'Path needs to be absolute',
  root: 'must not be root',
} as const;

/** Splits an id the way Marathon does: leading/trailing and doubled slashes vanish. */
export function pathSegments(raw: string): string[] {
  return raw.split('/').filter((s) => s.length > 0);
}

/** Resolves `raw` against `base` (an absolute id), dropping `.` and applying `..`; never fails. */
export function canonicalPathId(raw: string, base = '/'): string {
  const start = raw.startsWith('/') ? [] : pathSegments(base);
  const out: string[] = [];
  for (const seg of [...start, ...pathSegments(raw)]) {
    if (seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** Messages for an already canonical, absolute id (empty when valid). Root is reported as empty. */
export function pathIdProblems(id: string): string[] {
  const segments = pathSegments(id);
  const problems: string[] = [];
  if (!segments.every((s) => SEGMENT.test(s))) problems.push(PATH_MESSAGES.chars);
  const last = segments[segments.length - 1];
  if (last !== undefined && RESERVED_LAST_SEGMENTS.includes(last)) problems.push(PATH_MESSAGES.reserved);
  if (segments.length === 0) problems.push(PATH_MESSAGES.empty);
  return problems;
}

/**
 * Absolute canonical id from user input (URL or body), relative ids resolved against `base`.
 * Throws a 422 `Object is not valid` on `/id` when the result is root or breaks Marathon's id rules.
 */
export function parsePathId(raw: string, base = '/'): string {
  const id = canonicalPathId(raw, base);
  const problems = pathIdProblems(id);
  if (problems.length > 0) throw semanticError(problems.map((error) => ({ path: '/id', error })));
  return id;
}

/** Mesos task name / hostname form: `/prod/web` -> `web.prod`. */
export function pathIdToMesosName(id: string): string {
  return pathSegments(id).reverse().join('.');
}

/** `/a/b/c` -> `/a/b`; the parent of a top-level id is `/`. */
export function parentPathId(id: string): string {
  const segments = pathSegments(id);
  return `/${segments.slice(0, -1).join('/')}`;
}

/**
 * Marathon's rules for an id exactly as given in a pod body, before canonicalisation (PodsValidation:
 * `PathId(pod.id) is valid and absolutePathValidator and nonEmptyPath`). Empty when valid.
 */
export function rawPathIdProblems(raw: string): string[] {
  const segments = pathSegments(raw);
  const problems: string[] = [];
  if (!segments.every((s) => SEGMENT.test(s))) problems.push(PATH_MESSAGES.chars);
  const last = segments[segments.length - 1];
  if (last !== undefined && RESERVED_LAST_SEGMENTS.includes(last)) problems.push(PATH_MESSAGES.reserved);
  // PathId.childOf(parent): the canonical id must sit directly under the id's own (uncanonicalised) parent.
  const parent = segments.slice(0, -1);
  if (raw.startsWith('/') && segments.length > 0 && pathSegments(parentPathId(canonicalPathId(raw))).join('/') !== parent.join('/')) {
    problems.push(`Identifier is not child of '/${parent.join('/')}'`);
  }
  if (!raw.startsWith('/')) problems.push(PATH_MESSAGES.notAbsolute);
  if (segments.length === 0) problems.push(PATH_MESSAGES.empty);
  return problems;
}
