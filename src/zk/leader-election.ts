/**
 * Leader election among Pacer instances sharing a `--zk` path, in the style of Curator's
 * LeaderLatch (which Marathon uses): every participant creates an ephemeral sequential node under
 * `<path>/leader` holding its `host:port` (prefixed `https://` when it serves TLS, so standbys know
 * how to reach it); the lowest sequence leads; every other participant
 * watches only its predecessor, so a departure wakes one participant, not all of them.
 *
 * Leadership is given up the moment it can no longer be proven: on a disconnect (the session may
 * be expiring on the server while we cannot hear about it), on session expiry, on abdication and
 * on close. `onDefeated` fires synchronously at that moment so the scheduler stops acting; after
 * a reconnect within the session timeout the same node may simply win again.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { joinPath, parseZkUrl, ZkError, ZkSessionKeeper, type ZkSession, type ZkSessionState, type ZkUrl } from './session.js';

export type DefeatReason = 'disconnected' | 'session_expired' | 'node_lost' | 'abdicated' | 'closed';

export interface LeaderElectionOptions {
  /** Requested ZooKeeper session timeout. Default 10 s (Marathon's zk_session_timeout). */
  sessionTimeoutMs?: number;
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
  /** Pause between giving up leadership by abdication and standing again. Default 1 s. */
  rejoinDelayMs?: number;
  /** Registered before the first join, so an election won during `start` is not missed. */
  onElected?: () => void;
  onDefeated?: (reason: DefeatReason) => void;
  onLeaderChange?: (leader: string | undefined) => void;
  /** The scheme this participant serves; `https` is recorded in its node. Default `http`. */
  scheme?: 'http' | 'https';
}

/** A leader record: `host:port` (plain HTTP, as older records and Marathon's) or `https://host:port`. */
export function parseLeaderRecord(record: string): { hostPort: string; scheme: 'http' | 'https' } {
  const match = /^(https?):\/\/(.*)$/.exec(record);
  if (match === null) return { hostPort: record, scheme: 'http' };
  return { hostPort: match[2]!, scheme: match[1] as 'http' | 'https' };
}

export class LeaderElectionError extends Error {
  override readonly name = 'LeaderElectionError';
  constructor(
    readonly code: 'PACER_ELECTION_CONFIG' | 'PACER_ELECTION_ZK',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SEQUENCE = /_(\d{10})$/;
const RETRY_DELAY_MS = 500;
const DEFAULT_TIMEOUT_MS = 10_000;

export class LeaderElection {
  private keeper: ZkSessionKeeper | undefined;
  /** The session adopted last; set before the keeper is, since the first join runs inside keeper start. */
  private session: ZkSession | undefined;
  private readonly electionPath: string;
  private ownNode: string | undefined;
  private leading = false;
  private leaderId: string | undefined;
  private leaderScheme: 'http' | 'https' = 'http';
  private closed = false;
  private refreshing = false;
  private dirty = false;
  private rejoinTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly electedListeners = new Set<() => void>();
  private readonly defeatedListeners = new Set<(reason: DefeatReason) => void>();
  private readonly leaderListeners = new Set<(leader: string | undefined) => void>();
  private readonly onWatchedNodeEvent = (): void => this.refresh();

  private constructor(
    url: ZkUrl,
    /** This participant's `host:port`, stored in its node and reported by leader(). */
    readonly participantId: string,
    private readonly logger: Logger,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.electionPath = joinPath(url.path, 'leader');
    if (opts.onElected) this.electedListeners.add(opts.onElected);
    if (opts.onDefeated) this.defeatedListeners.add(opts.onDefeated);
    if (opts.onLeaderChange) this.leaderListeners.add(opts.onLeaderChange);
  }

  /**
   * Connects, stands for election and resolves once this participant's node exists (elected or
   * not). Rejects with PACER_ELECTION_CONFIG for a bad URL or id and PACER_ELECTION_ZK when ZooKeeper fails.
   */
  static async start(zkUrl: string, participantId: string, logger: Logger, opts: LeaderElectionOptions = {}): Promise<LeaderElection> {
    let url: ZkUrl;
    try {
      url = parseZkUrl(zkUrl, { requirePath: true });
    } catch (error) {
      throw new LeaderElectionError('PACER_ELECTION_CONFIG', (error as Error).message, { cause: error });
    }
    if (!/^[^\s/]+:\d{1,5}$/.test(participantId)) {
      throw new LeaderElectionError('PACER_ELECTION_CONFIG', `participant id must be host:port, got '${participantId}'`);
    }
    const election = new LeaderElection(url, participantId, logger.child({ participant: participantId }), opts);
    try {
      election.keeper = await ZkSessionKeeper.start(
        url,
        election.logger,
        {
          sessionTimeoutMs: opts.sessionTimeoutMs ?? DEFAULT_TIMEOUT_MS,
          connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
          operationTimeoutMs: opts.operationTimeoutMs ?? DEFAULT_TIMEOUT_MS,
        },
        (session) => election.adopt(session),
      );
    } catch (error) {
      election.closed = true;
      clearTimeout(election.rejoinTimer);
      clearTimeout(election.retryTimer);
      throw new LeaderElectionError('PACER_ELECTION_ZK', `cannot stand for election at ${zkUrl}: ${(error as Error).message}`, { cause: error });
    }
    return election;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The leader's `host:port` as its node says, or undefined while there is none (as far as we know). */
  leader(): string | undefined {
    return this.leaderId;
  }

  /** The leader's base URL (`https://host:port` when its record says it serves TLS), or undefined. */
  leaderUrl(): string | undefined {
    return this.leaderId === undefined ? undefined : `${this.leaderScheme}://${this.leaderId}`;
  }

  /**
   * While leading, the path of this participant's election node; a store write that checks this
   * node inside its transaction cannot commit once leadership is lost (ZkStoreOptions.writeGuard).
   */
  fencingPath(): string | undefined {
    return this.leading ? this.ownNode : undefined;
  }

  onElected(listener: () => void): () => void {
    this.electedListeners.add(listener);
    return () => this.electedListeners.delete(listener);
  }

  onDefeated(listener: (reason: DefeatReason) => void): () => void {
    this.defeatedListeners.add(listener);
    return () => this.defeatedListeners.delete(listener);
  }

  onLeaderChange(listener: (leader: string | undefined) => void): () => void {
    this.leaderListeners.add(listener);
    return () => this.leaderListeners.delete(listener);
  }

  /**
   * Gives leadership up (Marathon's DELETE /v2/leader): signals defeat, deletes this node so the
   * next in line takes over, and stands again as a standby after `rejoinDelayMs`. Resolves false
   * when this participant was not leading.
   */
  async abdicate(): Promise<boolean> {
    const node = this.ownNode;
    const session = this.session;
    if (!this.leading || node === undefined || session === undefined) return false;
    this.ownNode = undefined;
    this.defeat('abdicated');
    try {
      await session.remove(node);
    } catch (error) {
      if (!(error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE')) {
        // The node may still lead; keep tracking it so it is re-evaluated rather than orphaned.
        this.ownNode = node;
        this.refresh();
        throw new LeaderElectionError('PACER_ELECTION_ZK', `could not abdicate: ${(error as Error).message}`, { cause: error });
      }
    }
    this.logger.info({ node }, 'abdicated leadership');
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = this.later(() => this.rejoin(), this.opts.rejoinDelayMs ?? 1_000);
    return true;
  }

  /** Leaves the election for good: defeat is signalled, the node goes with the session. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.rejoinTimer);
    clearTimeout(this.retryTimer);
    this.defeat('closed');
    this.ownNode = undefined;
    await this.keeper?.close();
  }

  /** The session in use right now, for tests that expire it. */
  currentSession(): ZkSession | undefined {
    return this.session;
  }

  private async adopt(session: ZkSession): Promise<void> {
    this.session = session;
    session.onStateChange((state) => this.onSessionState(session, state));
    await this.join(session);
  }

  private onSessionState(session: ZkSession, state: ZkSessionState): void {
    if (this.closed || this.session !== session) return;
    if (state === 'disconnected') this.defeat('disconnected');
    if (state === 'expired') {
      this.ownNode = undefined; // died with the session; the keeper's next session joins anew
      this.defeat('session_expired');
    }
    if (state === 'connected') this.refresh();
  }

  private async join(session: ZkSession): Promise<void> {
    await session.ensurePath(this.electionPath);
    // The token finds our node again if the create's answer is lost (Curator's "protection").
    const token = randomUUID();
    let node: string;
    try {
      node = await session.create(
        joinPath(this.electionPath, `member-${token}_`),
        Buffer.from(this.opts.scheme === 'https' ? `https://${this.participantId}` : this.participantId),
        {
          mode: 'ephemeral_sequential',
        },
      );
    } catch (error) {
      const mine = (await session.getChildren(this.electionPath)).find((child) => child.includes(token));
      if (mine === undefined) throw error;
      node = joinPath(this.electionPath, mine);
    }
    if (this.closed || this.session !== session) return;
    this.ownNode = node;
    this.logger.info({ node }, 'standing for leadership');
    this.refresh();
  }

  private rejoin(): void {
    const session = this.session;
    if (this.closed || this.ownNode !== undefined) return;
    const retry = (): void => {
      clearTimeout(this.rejoinTimer);
      this.rejoinTimer = this.later(() => this.rejoin(), RETRY_DELAY_MS);
    };
    if (session === undefined || session.state !== 'connected') {
      retry();
      return;
    }
    this.join(session).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not stand for leadership again; retrying');
      retry();
    });
  }

  /** Re-evaluates the election; runs are serialised and coalesced. */
  private refresh(): void {
    this.dirty = true;
    if (this.refreshing || this.closed) return;
    this.refreshing = true;
    void (async () => {
      try {
        while (this.dirty && !this.closed) {
          this.dirty = false;
          await this.evaluate();
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'could not evaluate the election; retrying');
        clearTimeout(this.retryTimer);
        this.retryTimer = this.later(() => this.refresh(), RETRY_DELAY_MS);
      } finally {
        this.refreshing = false;
      }
    })();
  }

  private async evaluate(): Promise<void> {
    const session = this.session;
    if (session === undefined || session.state !== 'connected') return; // a state change refreshes again
    const members = (await session.getChildren(this.electionPath)).filter((child) => SEQUENCE.test(child)).sort(bySequence);

    if (members.length === 0) {
      this.setLeader(undefined);
    } else {
      try {
        // Watching the lowest node keeps leader() current on every participant.
        const { data } = await session.getData(joinPath(this.electionPath, members[0]!), this.onWatchedNodeEvent);
        const record = parseLeaderRecord(data.toString('utf8'));
        this.leaderScheme = record.scheme;
        this.setLeader(record.hostPort);
      } catch (error) {
        if (error instanceof ZkError && error.code === 'PACER_ZK_NO_NODE') {
          this.dirty = true;
          return;
        }
        throw error;
      }
    }

    const own = this.ownNode;
    if (own === undefined) return;
    const index = members.indexOf(own.slice(own.lastIndexOf('/') + 1));
    if (index === -1) {
      // Deleted behind our back (an operator, or a session the server closed): stand again.
      this.logger.warn({ node: own }, 'our election node is gone');
      this.ownNode = undefined;
      this.defeat('node_lost');
      this.rejoin();
      return;
    }
    if (index === 0) {
      this.elect();
      return;
    }
    this.defeat('node_lost'); // no-op unless leading, which a non-lowest node cannot be
    const predecessor = joinPath(this.electionPath, members[index - 1]!);
    if ((await session.exists(predecessor, this.onWatchedNodeEvent)) === undefined) this.dirty = true;
  }

  private elect(): void {
    if (this.leading || this.closed) return;
    this.leading = true;
    this.logger.info({ node: this.ownNode }, 'elected leader');
    for (const listener of [...this.electedListeners]) this.call(() => listener(), 'onElected');
  }

  private defeat(reason: DefeatReason): void {
    if (!this.leading) return;
    this.leading = false;
    this.logger.warn({ reason }, 'leadership lost');
    for (const listener of [...this.defeatedListeners]) this.call(() => listener(reason), 'onDefeated');
  }

  private setLeader(leader: string | undefined): void {
    if (leader === this.leaderId) return;
    this.leaderId = leader;
    this.logger.info({ leader }, 'leader changed');
    for (const listener of [...this.leaderListeners]) this.call(() => listener(leader), 'onLeaderChange');
  }

  private call(fn: () => void, what: string): void {
    try {
      fn();
    } catch (error) {
      this.logger.error({ err: error }, `${what} listener threw`);
    }
  }

  private later(fn: () => void, delayMs: number): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const timer = setTimeout(fn, delayMs);
    timer.unref();
    return timer;
  }
}

function bySequence(a: string, b: string): number {
  return Number(SEQUENCE.exec(a)![1]) - Number(SEQUENCE.exec(b)![1]);
}
