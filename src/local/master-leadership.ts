/**
 * Which master of a ZooKeeper group leads, decided as Mesos masters decide it (src/zookeeper/
 * group.cpp, src/master/detector/zookeeper.cpp): among the children named
 * `json.info_<sequence>`, the lowest sequence leads; any other child (`log_replicas`, legacy
 * `info_…`) takes no part. The watch keeps that answer current for one member of the group.
 */
import type { Logger } from 'pino';
import { MASTER_INFO_JSON_LABEL, MasterInfoError, masterInfoUrl, parseMasterInfo } from '../mesos/zk-detector.js';
import type { MasterInfo } from '../mesos/types.js';
import { groupMembers, type GroupMember } from '../zk/group.js';
import { joinPath, ZkError, type ZkSession, type ZkSessionState } from '../zk/session.js';

export type { GroupMember };

/** The `json.info_*` children in election order. */
export function masterMembers(children: readonly string[]): GroupMember[] {
  return groupMembers(children, MASTER_INFO_JSON_LABEL);
}

/** The member that leads, or undefined when the group has no master. */
export function leadingMember(children: readonly string[]): GroupMember | undefined {
  return masterMembers(children)[0];
}

/** What one master knows about the election. */
export interface Leadership {
  /** This master leads and serves. */
  readonly elected: boolean;
  /** The leading master (this one when elected); undefined while no leader is known. */
  readonly leader: MasterInfo | undefined;
}

export const NO_LEADER: Leadership = Object.freeze({ elected: false, leader: undefined });

/** Where a master learns whether it leads. */
export interface LeadershipSource {
  current(): Leadership;
  /** Called on every change of `elected` or of the leader; returns unsubscribe. */
  onChange(listener: (leadership: Leadership) => void): () => void;
}

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5_000;

/**
 * Follows the group at `groupPath` as the member the owner created. While the session is
 * disconnected the last answer holds for one session timeout; after that, as after an expiry,
 * no leader is known: ZooKeeper may already have handed the lead to another master, and two
 * serving masters must never overlap for long.
 */
export class GroupLeadershipWatch implements LeadershipSource {
  readonly #groupPath: string;
  readonly #self: MasterInfo;
  readonly #logger: Logger;
  readonly #onEvicted: () => void;
  readonly #listeners = new Set<(leadership: Leadership) => void>();
  /** Malformed member data already reported, so a re-read does not log it again. */
  readonly #reportedMalformed = new Map<string, string>();
  // One function for every watch: the client library registers a given function once per path.
  readonly #watch = (): void => this.#requestRefresh();
  #leadership: Leadership = NO_LEADER;
  #leaderNode: string | undefined;
  #session: ZkSession | undefined;
  #ownNode: string | undefined;
  #evictedNode: string | undefined;
  #stopSessionListener: (() => void) | undefined;
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = RETRY_MIN_MS;
  #leaderlessTimer: NodeJS.Timeout | undefined;
  #closed = false;

  /**
   * `onEvicted` runs when this master's own node vanished while its session lives (someone
   * deleted it): the owner joins the group again, as an upstream master contends again.
   */
  constructor(groupPath: string, self: MasterInfo, logger: Logger, onEvicted: () => void) {
    this.#groupPath = groupPath;
    this.#self = self;
    this.#logger = logger;
    this.#onEvicted = onEvicted;
  }

  current(): Leadership {
    return this.#leadership;
  }

  onChange(listener: (leadership: Leadership) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Follows the group on `session` as member `ownNode` (a child name); resolves after the first read. */
  async follow(session: ZkSession, ownNode: string): Promise<void> {
    if (this.#closed) return;
    this.#stopSessionListener?.();
    clearTimeout(this.#leaderlessTimer);
    this.#session = session;
    this.#ownNode = ownNode;
    this.#evictedNode = undefined;
    this.#stopSessionListener = session.onStateChange((state) => {
      if (this.#session === session) this.#onSessionState(session, state);
    });
    this.#requestRefresh();
    await this.#refreshing;
  }

  /** Stops watching; this master no longer leads. */
  close(): void {
    if (this.#closed) return;
    this.#stopSessionListener?.();
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#leaderlessTimer);
    this.#session = undefined;
    this.#closed = true;
    this.#set(NO_LEADER, undefined);
    this.#listeners.clear();
  }

  #onSessionState(session: ZkSession, state: ZkSessionState): void {
    if (state === 'connected') {
      clearTimeout(this.#leaderlessTimer);
      // Watches survive a reconnect within the session, but a read that failed meanwhile must be redone.
      this.#requestRefresh();
    } else if (state === 'disconnected') {
      clearTimeout(this.#leaderlessTimer);
      this.#leaderlessTimer = setTimeout(() => {
        this.#logger.warn({ zkSessionTimeoutMs: session.sessionTimeoutMs }, 'zookeeper unreachable for a session timeout');
        this.#set(NO_LEADER, undefined);
      }, session.sessionTimeoutMs);
      this.#leaderlessTimer.unref();
    } else {
      // Expired or closed: the ephemeral node is gone; the owner joins again on a new session.
      clearTimeout(this.#leaderlessTimer);
      this.#session = undefined;
      this.#set(NO_LEADER, undefined);
    }
  }

  #requestRefresh(): void {
    if (this.#closed) return;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = this.#refreshUntilSettled().finally(() => {
      this.#refreshing = undefined;
    });
  }

  async #refreshUntilSettled(): Promise<void> {
    do {
      this.#refreshAgain = false;
      await this.#refreshOnce();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a watch may set it while #refreshOnce awaits
    } while (this.#refreshAgain && !this.#closed);
  }

  async #refreshOnce(): Promise<void> {
    const session = this.#session;
    const ownNode = this.#ownNode;
    if (session === undefined || ownNode === undefined || this.#closed) return;
    try {
      const children = await session.getChildren(this.#groupPath, this.#watch);
      // A refresh begun before follow() switched session or node describes a membership that is over.
      if (this.#session !== session || this.#ownNode !== ownNode) return;
      for (const name of this.#reportedMalformed.keys()) {
        if (!children.includes(name)) this.#reportedMalformed.delete(name);
      }
      const members = masterMembers(children);
      this.#retryDelayMs = RETRY_MIN_MS;
      let next: Leadership = NO_LEADER;
      let nextNode: string | undefined;
      for (const member of members) {
        const info = member.name === ownNode ? this.#self : await this.#readMember(session, member.name);
        if (this.#session !== session || this.#ownNode !== ownNode) return;
        if (info === undefined) continue;
        next = { elected: member.name === ownNode, leader: info };
        nextNode = member.name;
        break;
      }
      this.#set(next, nextNode);
      if (!members.some((member) => member.name === ownNode) && this.#evictedNode !== ownNode) {
        this.#evictedNode = ownNode;
        this.#logger.warn({ znode: joinPath(this.#groupPath, ownNode) }, 'master znode removed while the session lives; joining again');
        this.#onEvicted();
      }
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may run while the read awaits
      if (this.#closed || this.#session !== session) return;
      // A dead session is replaced by the owner, which then calls follow() again.
      if (error instanceof ZkError && (error.code === 'PACER_ZK_SESSION_EXPIRED' || error.code === 'PACER_ZK_CLOSED')) return;
      const retryInMs = this.#retryDelayMs;
      this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, RETRY_MAX_MS);
      this.#logger.warn({ err: error, retryInMs }, 'reading the master group from zookeeper failed');
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => this.#requestRefresh(), retryInMs);
      this.#retryTimer.unref();
    }
  }

  /** The member's MasterInfo, or undefined when it vanished or its data is unusable (as our detector skips it). */
  async #readMember(session: ZkSession, name: string): Promise<MasterInfo | undefined> {
    const znode = joinPath(this.#groupPath, name);
    let data: Buffer;
    try {
      ({ data } = await session.getData(znode));
    } catch (error) {
      // Gone between listing and reading; the children watch brings the next state.
      if (error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE') return undefined;
      throw error;
    }
    try {
      const info = parseMasterInfo(data);
      masterInfoUrl(info); // reachable: it has a host and a port to redirect to
      return info;
    } catch (error) {
      if (!(error instanceof MasterInfoError)) throw error;
      const text = data.toString('utf8');
      if (this.#reportedMalformed.get(name) !== text) {
        this.#reportedMalformed.set(name, text);
        this.#logger.error({ znode, err: error, data: text.slice(0, 200) }, 'ignoring master znode with unusable MasterInfo');
      }
      return undefined;
    }
  }

  #set(next: Leadership, leaderNode: string | undefined): void {
    const previous = this.#leadership;
    if (previous.elected === next.elected && previous.leader?.id === next.leader?.id && this.#leaderNode === leaderNode) return;
    this.#leadership = next;
    this.#leaderNode = leaderNode;
    // Closing withdraws this master on purpose: listeners hear it, the log need not warn.
    if (!this.#closed) this.#logChange(previous, next, leaderNode);
    for (const listener of [...this.#listeners]) {
      try {
        listener(next);
      } catch (error) {
        this.#logger.error({ err: error }, 'leadership listener threw');
      }
    }
  }

  #logChange(previous: Leadership, next: Leadership, leaderNode: string | undefined): void {
    const znode = leaderNode === undefined ? undefined : joinPath(this.#groupPath, leaderNode);
    if (next.elected) {
      this.#logger.info({ leader: this.#self.id, znode }, 'elected as the leading master');
    } else if (next.leader !== undefined) {
      this.#logger.info({ leader: next.leader.id, leaderUrl: masterInfoUrl(next.leader), znode }, 'standing by: another master leads');
    } else {
      this.#logger.warn({ leader: null, previousLeader: previous.leader?.id }, 'no leading master known');
    }
  }
}
