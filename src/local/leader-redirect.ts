/**
 * How a Mesos master sends a client to the leading master (upstream Master::Http::redirect): a
 * protocol-relative `307` Location so the client keeps its own scheme, `503 No leader elected`
 * while no leader is known, and loops through `/redirect/...` refused.
 */
import type { ServerResponse } from 'node:http';
import type { MasterInfo } from '../mesos/types.js';
import { unpackIp } from '../mesos/zk-detector.js';
import { replyEmpty, replyNotFound, replyText } from './http-replies.js';

const REDIRECT_PATHS = new Set(['/redirect', '/master/redirect']);

/** `//host:port` of a master: the MasterInfo hostname (upstream falls back to the ip), and its port. */
export function leaderBase(leader: MasterInfo): string {
  const host = leader.hostname ?? leader.address?.hostname ?? leader.address?.ip ?? unpackIp(leader.ip) ?? '127.0.0.1';
  return `//${host}:${leader.port}`;
}

/** The redirect endpoint itself, or a path below it (which it refuses). */
export function isRedirectEndpoint(pathname: string): boolean {
  return REDIRECT_PATHS.has(pathname) || isBelowRedirect(pathname);
}

function isBelowRedirect(pathname: string): boolean {
  return pathname.startsWith('/redirect/') || pathname.startsWith('/master/redirect/');
}

/**
 * Answers as upstream's redirect does: `/redirect` and `/master/redirect` go to the leader's base
 * URL, paths below them are 404, any other request goes to the same path and query on the leader.
 */
export function replyLeaderRedirect(res: ServerResponse, leader: MasterInfo | undefined, pathname: string, requestUrl: string): void {
  if (leader === undefined) {
    replyText(res, 503, 'No leader elected');
    return;
  }
  const base = leaderBase(leader);
  if (REDIRECT_PATHS.has(pathname)) {
    replyEmpty(res, 307, { Location: base });
  } else if (isBelowRedirect(pathname)) {
    replyNotFound(res);
  } else {
    replyEmpty(res, 307, { Location: `${base}${requestUrl.startsWith('/') ? requestUrl : `/${requestUrl}`}` });
  }
}
