/**
 * The read-only master endpoints frameworks and tools rely on besides the scheduler API:
 * state, redirect, health, version and the operator API (`./operator-api/endpoint.ts`). Paths answer with and without the `/master` prefix,
 * as libprocess delegates unprefixed paths to the master process. A master that does not lead
 * sends state and operator API requests to the leader, as upstream does since Mesos 1.0 (its
 * state would say nothing true); health and version answer on every master.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MasterInfo } from '../mesos/types.js';
import { replyEmpty, replyJson, replyJsonp, replyJsonpChunks, replyText } from './http-replies.js';
import { isRedirectEndpoint, replyLeaderRedirect } from './leader-redirect.js';
import { buildFrameworksJson, buildTasksJson, type MasterStateView, type TasksQuery } from './master/state-json.js';
import type { Leadership } from './master-leadership.js';
import { handleOperatorApi } from './operator-api/endpoint.js';

/** What the operator endpoints read from the master (LocalMaster satisfies it). */
export interface MasterView {
  readonly info: MasterInfo;
  stateJson(): object;
  /** `stateJson()` as JSON text, in chunks rendered as they are taken (see stateTextChunks). */
  stateTextChunks(): Iterable<string>;
  /** The state the operator API (`/api/v1`) answers from. */
  operatorView(): MasterStateView;
}

const STATE_PATHS = new Set(['/state', '/state.json', '/master/state', '/master/state.json']);
const FRAMEWORKS_PATHS = new Set(['/frameworks', '/master/frameworks']);
const TASKS_PATHS = new Set(['/tasks', '/master/tasks']);
const HEALTH_PATHS = new Set(['/health', '/master/health']);
const OPERATOR_API_PATHS = new Set(['/api/v1', '/master/api/v1']);

export interface BuildInfo {
  readonly version: string;
  /** Seconds since the epoch. */
  readonly buildTime: number;
  readonly buildUser: string;
}

function formatBuildDate(seconds: number): string {
  // Upstream prints "YYYY-MM-DD HH:MM:SS".
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

/** The `/version` body, which is also GET_VERSION's VersionInfo. */
function versionInfo(build: BuildInfo) {
  return {
    version: build.version,
    build_date: formatBuildDate(build.buildTime),
    build_time: build.buildTime,
    build_user: build.buildUser,
  };
}

function answerOperatorApi(req: IncomingMessage, res: ServerResponse, master: MasterView, build: BuildInfo): void {
  handleOperatorApi(req, res, { operatorView: () => master.operatorView(), version: versionInfo(build) }).catch(() => {
    // Only a client hanging up mid-body gets here; nothing is left to answer then.
    if (!res.headersSent) replyText(res, 500, '500 Internal Server Error.');
    else res.destroy();
  });
}

/** libprocess' numify<int>: an optional sign and digits, anything else is absent. */
function integerParam(value: string | null): number | undefined {
  return value !== null && /^[+-]?\d+$/.test(value) ? Number(value) : undefined;
}

function tasksQuery(query: URLSearchParams): TasksQuery {
  const limit = integerParam(query.get('limit'));
  const offset = integerParam(query.get('offset'));
  return {
    // Upstream reads both into a size_t: a negative limit takes everything, a negative offset nothing.
    ...(limit !== undefined ? { limit: limit < 0 ? Number.POSITIVE_INFINITY : limit } : {}),
    ...(offset !== undefined ? { offset: offset < 0 ? Number.POSITIVE_INFINITY : offset } : {}),
    order: query.get('order') === 'asc' ? 'asc' : 'des',
    ...(query.get('framework_id') !== null ? { frameworkId: query.get('framework_id')! } : {}),
    ...(query.get('task_id') !== null ? { taskId: query.get('task_id')! } : {}),
  };
}

/** A master without ZooKeeper is alone and always leads. */
export const ALWAYS_LEADING: Leadership = Object.freeze({ elected: true, leader: undefined });

/**
 * Answers the request if its path is an operator endpoint; returns false otherwise.
 * `leadership.leader` may be left undefined while elected: the leader is then `master` itself.
 */
export function handleOperatorRequest(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  master: MasterView,
  build: BuildInfo,
  leadership: Leadership = ALWAYS_LEADING,
): boolean {
  const leader = leadership.elected ? master.info : leadership.leader;
  const readOnly = STATE_PATHS.has(pathname) || FRAMEWORKS_PATHS.has(pathname) || TASKS_PATHS.has(pathname);
  if (readOnly || OPERATOR_API_PATHS.has(pathname)) {
    if (!leadership.elected) {
      replyLeaderRedirect(res, leader, pathname, req.url ?? pathname);
      return true;
    }
    if (!readOnly) {
      answerOperatorApi(req, res, master, build);
      return true;
    }
    const query = new URL(req.url ?? pathname, 'http://master').searchParams;
    const jsonp = query.get('jsonp');
    if (STATE_PATHS.has(pathname)) replyJsonpChunks(res, master.stateTextChunks(), jsonp);
    else if (FRAMEWORKS_PATHS.has(pathname)) replyJsonp(res, buildFrameworksJson(master.operatorView(), query.get('framework_id') ?? undefined), jsonp);
    else replyJsonp(res, buildTasksJson(master.operatorView(), tasksQuery(query)), jsonp);
    return true;
  }
  if (HEALTH_PATHS.has(pathname)) {
    replyEmpty(res, 200);
    return true;
  }
  if (isRedirectEndpoint(pathname)) {
    // The leader sends clients to itself; paths below /redirect are refused to avoid loops.
    replyLeaderRedirect(res, leader, pathname, req.url ?? pathname);
    return true;
  }
  if (pathname === '/version' || pathname === '/version/') {
    replyJson(res, 200, versionInfo(build));
    return true;
  }
  return false;
}
