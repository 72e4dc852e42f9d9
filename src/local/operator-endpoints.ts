/**
 * The read-only master endpoints frameworks and tools rely on besides the scheduler API:
 * state, redirect, health and version. Paths answer with and without the `/master` prefix,
 * as libprocess delegates unprefixed paths to the master process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MasterInfo } from '../mesos/types.js';
import { replyEmpty, replyJson, replyNotFound, replyText } from './http-replies.js';

/** What the operator endpoints read from the master (LocalMaster satisfies it). */
export interface MasterView {
  readonly info: MasterInfo;
  stateJson(): object;
}

const STATE_PATHS = new Set(['/state', '/state.json', '/master/state', '/master/state.json']);
const HEALTH_PATHS = new Set(['/health', '/master/health']);
const REDIRECT_PATHS = new Set(['/redirect', '/master/redirect']);

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

/** Answers the request if its path is an operator endpoint; returns false otherwise. */
export function handleOperatorRequest(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  master: MasterView,
  build: BuildInfo,
): boolean {
  if (STATE_PATHS.has(pathname)) {
    replyJson(res, 200, master.stateJson());
    return true;
  }
  if (HEALTH_PATHS.has(pathname)) {
    replyEmpty(res, 200);
    return true;
  }
  if (REDIRECT_PATHS.has(pathname)) {
    // This master always leads, so it sends clients to itself, protocol-relative like upstream.
    const host = master.info.hostname ?? master.info.address?.ip ?? '127.0.0.1';
    replyEmpty(res, 307, { Location: `//${host}:${master.info.port}` });
    return true;
  }
  if (pathname.startsWith('/redirect/') || pathname.startsWith('/master/redirect/')) {
    // Upstream refuses these to avoid redirect loops.
    replyNotFound(res);
    return true;
  }
  if (pathname === '/version' || pathname === '/version/') {
    replyJson(res, 200, {
      version: build.version,
      build_date: formatBuildDate(build.buildTime),
      build_time: build.buildTime,
      build_user: build.buildUser,
    });
    return true;
  }
  if (pathname === '/api/v1' || pathname === '/master/api/v1') {
    replyText(res, 501, 'The operator API is not implemented by this master');
    return true;
  }
  return false;
}
