// Publishes a master in ZooKeeper the way Mesos masters do, so that ZooKeeper detectors (ours,
// Mesos's, other frameworks') find it: an EPHEMERAL_SEQUENTIAL znode `<path>/json.info_<seq>`
// holding the MasterInfo as JSON. The lowest sequence leads, so the first master announced leads
// until its node goes; the announcement follows the group and tells its owner whether it leads.
import type { Logger } from 'pino';
import { GroupLeadershipWatch, type Leadership, type LeadershipSource } from './master-leadership.js';
import type { DomainInfo, MasterInfo, MasterInfoCapability } from '../mesos/types.js';
import { MASTER_INFO_JSON_LABEL, MasterInfoError, packIp } from '../mesos/zk-detector.js';
import { findOwnMember, joinGroup } from '../zk/group.js';
import { parseZkUrl, redactUrl, ZkError, ZkSessionKeeper, type ZkSession } from '../zk/session.js';

/** What a master knows about itself; buildMasterInfo derives the rest of MasterInfo. */
export interface AnnouncedMaster {
  id: string;
  /** IPv4 address the master's HTTP API listens on. */
  ip: string;
  port: number;
  /** Defaults to the ip. */
  hostname?: string;
  version?: string;
  domain?: DomainInfo;
  capabilities?: MasterInfoCapability[];
}

/** MasterInfo as a Mesos master fills it: deprecated ip/port/hostname/pid plus `address`. */
export function buildMasterInfo(master: AnnouncedMaster): MasterInfo {
  if (!Number.isInteger(master.port) || master.port < 1 || master.port > 65535) {
    throw new MasterInfoError(`invalid master port ${master.port}`);
  }
  const hostname = master.hostname ?? master.ip;
  return {
    id: master.id,
    ip: packIp(master.ip),
    port: master.port,
    pid: `master@${master.ip}:${master.port}`,
    hostname,
    ...(master.version !== undefined ? { version: master.version } : {}),
    address: { hostname, ip: master.ip, port: master.port },
    ...(master.domain !== undefined ? { domain: master.domain } : {}),
    ...(master.capabilities !== undefined ? { capabilities: master.capabilities } : {}),
  };
}

export interface AnnounceOptions {
  sessionTimeoutMs?: number;
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
}

/** Also the master's LeadershipSource: it leads while its znode has the lowest sequence. */
export interface MasterAnnouncement extends LeadershipSource {
  /** Full path of the current znode; undefined while it is being re-created after a session expiry. */
  znode(): string | undefined;
  /** The live ZooKeeper session, for diagnostics and tests. */
  session(): ZkSession | undefined;
  /** Removes the znode and ends the session, handing leadership to the next master. */
  close(): Promise<void>;
}

const INITIAL_ATTEMPTS = 10;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * Announces `master` under the path of `zkUrl` (parents created as needed). Accepts a complete
 * MasterInfo (published as is) or an AnnouncedMaster. After a session expiry the node is
 * re-created under the new session, which puts this master at the back of the line.
 */
export async function announceMaster(
  zkUrl: string,
  master: AnnouncedMaster | MasterInfo,
  logger: Logger,
  opts: AnnounceOptions = {},
): Promise<MasterAnnouncement> {
  const url = parseZkUrl(zkUrl);
  const info = typeof master.ip === 'number' ? (master as MasterInfo) : buildMasterInfo(master as AnnouncedMaster);
  const data = Buffer.from(JSON.stringify(info));
  const log = logger.child({ component: 'zk-master-announce', zkUrl: redactUrl(zkUrl.trim()), masterId: info.id });

  let znode: string | undefined;
  let activeSession: ZkSession | undefined;
  let closed = false;

  const rejoin = (): void => {
    const session = activeSession;
    if (session === undefined || closed) return;
    join(session, true).catch((error: unknown) => {
      if (!closed) log.error({ err: error }, 'joining the master group again failed');
    });
  };
  const leadership = new GroupLeadershipWatch(url.path, info, log, rejoin);

  const join = async (session: ZkSession, renewed: boolean): Promise<void> => {
    activeSession = session;
    znode = undefined;
    const maxAttempts = renewed ? Number.POSITIVE_INFINITY : INITIAL_ATTEMPTS;
    let delayMs = RETRY_MIN_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        const member = (await findOwnMember(session, url.path, MASTER_INFO_JSON_LABEL)) ?? (await joinGroup(session, url.path, MASTER_INFO_JSON_LABEL, data));
        znode = member;
        log.info({ znode: member, zkSessionId: session.sessionId, renewed }, 'master announced in zookeeper');
        await leadership.follow(session, member.slice(member.lastIndexOf('/') + 1));
        return;
      } catch (error) {
        const sessionGone = error instanceof ZkError && (error.code === 'PACER_ZK_SESSION_EXPIRED' || error.code === 'PACER_ZK_CLOSED');
        if (closed || sessionGone || attempt >= maxAttempts) throw error;
        log.warn({ err: error, attempt, retryInMs: delayMs }, 'announcing master in zookeeper failed; retrying');
        await sleep(delayMs);
        delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
      }
    }
  };

  let keeper: ZkSessionKeeper;
  try {
    keeper = await ZkSessionKeeper.start(
      url,
      log,
      {
        sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000,
        ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        ...(opts.operationTimeoutMs !== undefined ? { operationTimeoutMs: opts.operationTimeoutMs } : {}),
      },
      join,
    );
  } catch (error) {
    closed = true;
    leadership.close();
    throw error;
  }

  return {
    znode: () => znode,
    session: () => activeSession,
    current: (): Leadership => leadership.current(),
    onChange: (listener) => leadership.onChange(listener),
    async close() {
      if (closed) return;
      closed = true;
      leadership.close();
      const session = keeper.current();
      if (session && znode) {
        try {
          await session.remove(znode);
        } catch (error) {
          // Closing the session removes the ephemeral node anyway.
          log.debug({ err: error, znode }, 'removing master znode failed');
        }
      }
      znode = undefined;
      await keeper.close();
      log.info('master announcement withdrawn');
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
