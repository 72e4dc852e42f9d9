// Finds the leading Mesos master the way Mesos's own ZooKeeper detector does: every master holds
// an ephemeral sequential znode `json.info_<10 digits>` under the configured path whose data is
// its MasterInfo as JSON, and the member with the lowest sequence number leads.
import type { Logger } from 'pino';
import type { MasterDetector } from './detector.js';
import type { MasterInfo } from './types.js';
import { groupMembers, type GroupMember } from '../zk/group.js';
import { joinPath, parseZkUrl, redactUrl, ZkError, ZkSessionKeeper, type ZkSession, type ZkUrl } from '../zk/session.js';

/** Label of the znodes masters publish MasterInfo JSON under (Mesos's MASTER_INFO_JSON_LABEL). */
export const MASTER_INFO_JSON_LABEL = 'json.info';

export class MasterInfoError extends Error {
  override readonly name = 'MasterInfoError';
  readonly code = 'PACER_MASTER_INFO_INVALID';
}

/** Parses znode data into a MasterInfo, checking the fields needed to reach the master. */
export function parseMasterInfo(data: Buffer | string): MasterInfo {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch (error) {
    throw new MasterInfoError(`MasterInfo is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) throw new MasterInfoError('MasterInfo JSON is not an object');
  if (typeof value.id !== 'string' || value.id === '') throw new MasterInfoError('MasterInfo has no id');
  const address = value.address;
  if (address !== undefined && !isRecord(address)) throw new MasterInfoError('MasterInfo.address is not an object');
  // The endpoint itself is validated by masterInfoUrl; parse only guarantees the shape.
  return value as unknown as MasterInfo;
}

export interface MasterUrlOptions {
  /** Scheme of the masters' HTTP API. Default http (Mesos picks https only when built with SSL and told so). */
  scheme?: 'http' | 'https';
  /** Use `address.ip` before `address.hostname`, for networks where master hostnames do not resolve. */
  preferIp?: boolean;
}

/**
 * Base URL of a master: host from `address.hostname`, else `address.ip` (else the deprecated
 * `hostname`, the pid `master@ip:port`, or the packed `ip`), port from `address.port`, else `port`.
 */
export function masterInfoUrl(info: MasterInfo, opts: MasterUrlOptions = {}): string {
  const address = info.address;
  const pid = typeof info.pid === 'string' ? /^[^@]+@([^:]+):(\d+)$/.exec(info.pid) : null;
  const hosts = opts.preferIp
    ? [address?.ip, address?.hostname, info.hostname, pid?.[1], unpackIp(info.ip)]
    : [address?.hostname, address?.ip, info.hostname, pid?.[1], unpackIp(info.ip)];
  const host = hosts.find((h): h is string => typeof h === 'string' && h.trim() !== '');
  if (!host) throw new MasterInfoError(`MasterInfo ${info.id} carries no hostname or ip`);
  const port = [address?.port, info.port, pid ? Number(pid[2]) : undefined].find(
    (p): p is number => typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536,
  );
  if (port === undefined) throw new MasterInfoError(`MasterInfo ${info.id} carries no valid port`);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `${opts.scheme ?? 'http'}://${hostPart}:${port}`;
}

/**
 * Mesos stores `MasterInfo.ip` as the in-memory `s_addr` (network byte order) read as a native
 * uint32 (MESOS-1201), so on the little-endian hosts Mesos runs on the first octet is the low byte.
 */
export function unpackIp(packed: unknown): string | undefined {
  if (typeof packed !== 'number' || !Number.isInteger(packed) || packed <= 0 || packed > 0xffffffff) return undefined;
  return [packed & 0xff, (packed >>> 8) & 0xff, (packed >>> 16) & 0xff, packed >>> 24].join('.');
}

/** The inverse of unpackIp, used when publishing a MasterInfo. */
export function packIp(ip: string): number {
  const octets = ip.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new MasterInfoError(`not an IPv4 address: '${ip}'`);
  }
  return (octets[0]! | (octets[1]! << 8) | (octets[2]! << 16) | (octets[3]! << 24)) >>> 0;
}

export interface ZkMasterDetectorOptions extends MasterUrlOptions {
  /** Default 10 s, as Mesos's detector (MASTER_DETECTOR_ZK_SESSION_TIMEOUT). */
  sessionTimeoutMs?: number;
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
}

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 10_000;

/**
 * While ZooKeeper is unreachable, candidates() keeps answering the last leader seen: that master
 * is still the best guess, and if it has lost leadership it answers 307 or 503 itself. After the
 * session expires the leader is re-read on the new session and listeners are told.
 */
export class ZkMasterDetector implements MasterDetector {
  private keeper: ZkSessionKeeper | undefined;
  private activeSession: ZkSession | undefined;
  private leader: { url: string; node: string } | undefined;
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_MIN_MS;
  private closed = false;
  /** Malformed member data already reported, so a re-read does not log it again. */
  private readonly reportedMalformed = new Map<string, string>();
  // One function for every watch: the client library registers a given function once per path.
  private readonly watch = (): void => this.requestRefresh();

  private constructor(
    private readonly url: ZkUrl,
    private readonly logger: Logger,
    private readonly opts: ZkMasterDetectorOptions,
  ) {}

  /** Connects, reads the current leader, and keeps watching. Rejects with a ZkError if ZooKeeper is unreachable. */
  static async create(url: string, logger: Logger, opts: ZkMasterDetectorOptions = {}): Promise<ZkMasterDetector> {
    const zkUrl = parseZkUrl(url);
    const log = logger.child({ component: 'zk-master-detector', zkUrl: redactUrl(url.trim()) });
    const detector = new ZkMasterDetector(zkUrl, log, opts);
    detector.keeper = await ZkSessionKeeper.start(
      zkUrl,
      log,
      {
        sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000,
        ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        ...(opts.operationTimeoutMs !== undefined ? { operationTimeoutMs: opts.operationTimeoutMs } : {}),
      },
      (session, renewed) => detector.useSession(session, renewed),
    );
    return detector;
  }

  candidates(): Promise<string[]> {
    return Promise.resolve(this.leader ? [this.leader.url] : []);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The live ZooKeeper session, for diagnostics and tests. */
  session(): ZkSession | undefined {
    return this.activeSession;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.listeners.clear();
    await this.keeper?.close();
    await this.refreshing;
  }

  private async useSession(session: ZkSession, renewed: boolean): Promise<void> {
    this.activeSession = session;
    // Watches survive a reconnect within the session, but a read that failed while disconnected must be redone.
    session.onStateChange((state) => {
      if (state === 'connected') this.requestRefresh();
    });
    this.requestRefresh();
    await this.refreshing;
    // A new session may have missed any number of changes: let users re-check even if the leader looks the same.
    if (renewed) this.notify();
  }

  private requestRefresh(): void {
    if (this.closed) return;
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.refreshUntilSettled().finally(() => {
      this.refreshing = undefined;
    });
  }

  private async refreshUntilSettled(): Promise<void> {
    do {
      this.refreshAgain = false;
      await this.refreshOnce();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a watch may set it while refreshOnce awaits
    } while (this.refreshAgain && !this.closed);
  }

  private async refreshOnce(): Promise<void> {
    const session = this.activeSession;
    if (!session || this.closed) return;
    try {
      const members = await this.listMembers(session);
      if (members === undefined) return;
      for (const member of members) {
        const url = await this.readMember(session, member);
        if (url !== undefined) {
          this.setLeader({ url, node: member.name });
          this.retryDelayMs = RETRY_MIN_MS;
          return;
        }
      }
      this.setLeader(undefined);
      this.retryDelayMs = RETRY_MIN_MS;
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may run while the read awaits
      if (this.closed) return;
      // A dead session is replaced by the keeper, which then triggers a fresh read.
      if (error instanceof ZkError && (error.code === 'PACER_ZK_SESSION_EXPIRED' || error.code === 'PACER_ZK_CLOSED')) return;
      const retryInMs = this.retryDelayMs;
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
      this.logger.warn({ err: error, retryInMs }, 'reading masters from zookeeper failed');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.requestRefresh(), retryInMs);
      this.retryTimer.unref();
    }
  }

  /** Members sorted by sequence; undefined when a re-read is already due. */
  private async listMembers(session: ZkSession): Promise<GroupMember[] | undefined> {
    let children: string[];
    try {
      children = await session.getChildren(this.url.path, this.watch);
    } catch (error) {
      if (!(error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE')) throw error;
      // No master has ever registered here: wait for the path to appear.
      if (await session.exists(this.url.path, this.watch)) {
        this.refreshAgain = true;
        return undefined;
      }
      return [];
    }
    for (const name of this.reportedMalformed.keys()) {
      if (!children.includes(name)) this.reportedMalformed.delete(name);
    }
    return groupMembers(children, MASTER_INFO_JSON_LABEL);
  }

  /** The member's URL, or undefined when it vanished or its data is unusable. */
  private async readMember(session: ZkSession, member: GroupMember): Promise<string | undefined> {
    let data: Buffer;
    try {
      ({ data } = await session.getData(joinPath(this.url.path, member.name), this.watch));
    } catch (error) {
      // Gone between listing and reading; the children watch brings the next state.
      if (error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE') return undefined;
      throw error;
    }
    try {
      return masterInfoUrl(parseMasterInfo(data), this.opts);
    } catch (error) {
      if (!(error instanceof MasterInfoError)) throw error;
      const text = data.toString('utf8');
      if (this.reportedMalformed.get(member.name) !== text) {
        this.reportedMalformed.set(member.name, text);
        this.logger.error(
          { znode: joinPath(this.url.path, member.name), err: error, data: text.slice(0, 200) },
          'ignoring master znode with unusable MasterInfo',
        );
      }
      return undefined;
    }
  }

  private setLeader(next: { url: string; node: string } | undefined): void {
    const previous = this.leader;
    if (previous?.node === next?.node && previous?.url === next?.url) return;
    this.leader = next;
    if (next) {
      this.logger.info({ leader: next.url, znode: joinPath(this.url.path, next.node), previous: previous?.url }, 'leading master detected');
    } else {
      this.logger.warn({ previous: previous?.url }, 'no leading master in zookeeper');
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error }, 'master change listener threw');
      }
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
