/**
 * Headers Marathon puts on every answer: caching disabled (CacheDisablingFilter) and, on the
 * leader, `X-Marathon-Leader` (LeaderProxyFilter). Deployment-creating answers add
 * `Marathon-Deployment-Id`.
 */
import type { FastifyReply } from 'fastify';

export const DEPLOYMENT_HEADER = 'Marathon-Deployment-Id';
export const LEADER_HEADER = 'X-Marathon-Leader';

export const CACHE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
  Expires: '0',
};

/** Who leads right now; read on every request so a leadership change shows at once. */
export interface LeadershipView {
  elected: boolean;
  /** `host:port` of the current leader, if one is known. */
  leaderHostPort: string | undefined;
  /** The scheme the leader serves (from its election record); `http` when not given. */
  leaderScheme?: 'http' | 'https';
}

export function applyCommonHeaders(reply: FastifyReply, leadership: LeadershipView): void {
  for (const [name, value] of Object.entries(CACHE_HEADERS)) void reply.header(name, value);
  if (leadership.elected && leadership.leaderHostPort !== undefined) {
    void reply.header(LEADER_HEADER, `${leadership.leaderScheme ?? 'http'}://${leadership.leaderHostPort}`);
  }
}
